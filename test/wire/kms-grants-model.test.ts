// Model-based KMS grants test: an IAM user with no policies of its own receives random grants (operation
// subsets, no constraint or an EncryptionContextSubset / EncryptionContextEquals constraint), some retired by
// the user or revoked by the key's owner, and random cryptographic calls with random encryption contexts; each
// call must succeed exactly when an active grant allows that operation for that context
// (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html), and fail with AccessDeniedException
// otherwise. ReEncrypt needs both ReEncryptFrom and ReEncryptTo.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type GrantOperation,
  KMSClient,
  ReEncryptCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Context = Record<string, string> | undefined;
type Call = 'Encrypt' | 'Decrypt' | 'GenerateDataKey' | 'ReEncrypt';
type Op =
  | { op: 'grant'; operations: GrantOperation[]; constraint: 'none' | 'subset' | 'equals'; context: Record<string, string> }
  | { op: 'retire' | 'revoke'; grant: number }
  | { op: 'call'; call: Call; context: Context };

interface GrantModel {
  id: string;
  operations: GrantOperation[];
  constraint: 'none' | 'subset' | 'equals';
  context: Record<string, string>;
  active: boolean;
}

const OPERATIONS: GrantOperation[] = ['Encrypt', 'Decrypt', 'GenerateDataKey', 'ReEncryptFrom', 'ReEncryptTo'];
const contextArb = fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom('1', '2'), { maxKeys: 2 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('grant' as const),
    operations: fc.subarray(OPERATIONS, { minLength: 1 }),
    constraint: fc.constantFrom('none' as const, 'subset' as const, 'equals' as const),
    context: contextArb,
  }),
  fc.record({ op: fc.constantFrom('retire' as const, 'revoke' as const), grant: fc.nat(5) }),
  fc.record({
    op: fc.constant('call' as const),
    call: fc.constantFrom<Call>('Encrypt', 'Decrypt', 'GenerateDataKey', 'ReEncrypt'),
    context: fc.option(contextArb, { nil: undefined }),
  }),
);

const entries = (c: Context) => JSON.stringify(Object.entries(c ?? {}).sort());
/** Whether `g` lets the grantee run `operation` with `context` (grant constraints, grants.html#grant-constraints). */
function allows(g: GrantModel, operation: GrantOperation, context: Context): boolean {
  if (!g.active || !g.operations.includes(operation)) return false;
  if (g.constraint === 'none') return true;
  if (g.constraint === 'equals') return entries(g.context) === entries(context);
  return Object.entries(g.context).every(([k, v]) => context?.[k] === v);
}

describe('KMS grants against a model (wire, property)', () => {
  let s: TestServer;
  let owner: KMSClient;
  let grantee: KMSClient;
  let granteeArn: string;
  before(async () => {
    s = await startTestServer({ config: { kmsQuota: ['CreateKey=100000', 'CreateGrant=100000', 'RetireGrant=100000', 'RevokeGrant=100000'] } });
    owner = s.kms();
    const iam = s.iam();
    granteeArn = (await iam.send(new CreateUserCommand({ UserName: 'grantee' }))).User!.Arn!;
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'grantee' }))).AccessKey!;
    grantee = new KMSClient({
      endpoint: s.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
      requestHandler: new NodeHttpHandler({ httpsAgent: s.agent }),
      maxAttempts: 1,
    });
  });
  after(() => s.stop());

  it('a grantee is allowed exactly what its active grants allow', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 2, maxLength: 14 }), async (seq) => {
        const KeyId = (await owner.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
        const grants: GrantModel[] = [];
        for (const o of seq) {
          const step = JSON.stringify(o);
          if (o.op === 'grant') {
            const Constraints =
              o.constraint === 'none' ? undefined : o.constraint === 'subset' ? { EncryptionContextSubset: o.context } : { EncryptionContextEquals: o.context };
            const r = await owner.send(
              new CreateGrantCommand({ KeyId, GranteePrincipal: granteeArn, RetiringPrincipal: granteeArn, Operations: o.operations, Constraints }),
            );
            grants.push({ id: r.GrantId!, operations: o.operations, constraint: o.constraint, context: o.context, active: true });
          } else if (o.op !== 'call') {
            const g = grants[o.grant % Math.max(grants.length, 1)];
            if (!g?.active) continue;
            if (o.op === 'retire') await grantee.send(new RetireGrantCommand({ KeyId, GrantId: g.id }));
            else await owner.send(new RevokeGrantCommand({ KeyId, GrantId: g.id }));
            g.active = false;
          } else {
            const can = (operation: GrantOperation) => grants.some((g) => allows(g, operation, o.context));
            let attempt: Promise<unknown>;
            let expected: boolean;
            if (o.call === 'Encrypt' || o.call === 'GenerateDataKey') {
              attempt =
                o.call === 'Encrypt'
                  ? grantee.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('p'), EncryptionContext: o.context }))
                  : grantee.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: o.context }));
              expected = can(o.call);
            } else {
              const { CiphertextBlob } = await owner.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('p'), EncryptionContext: o.context }));
              attempt =
                o.call === 'Decrypt'
                  ? grantee.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: o.context }))
                  : grantee.send(
                      new ReEncryptCommand({
                        CiphertextBlob,
                        SourceEncryptionContext: o.context,
                        DestinationKeyId: KeyId,
                        DestinationEncryptionContext: o.context,
                      }),
                    );
              expected = o.call === 'Decrypt' ? can('Decrypt') : can('ReEncryptFrom') && can('ReEncryptTo');
            }
            const outcome = await attempt.then(
              () => 'OK',
              (err: { name: string }) => err.name,
            );
            assert.equal(outcome, expected ? 'OK' : 'AccessDeniedException', `${step} with grants ${JSON.stringify(grants)}`);
          }
        }
      }),
      { numRuns: Number(process.env.KEYHOLD_MODEL_RUNS ?? 25) },
    );
  });
});
