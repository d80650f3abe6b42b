// Concurrent KMS calls on two keys: rounds of Encrypt, GenerateDataKey, ReEncrypt and Decrypt sent together with
// on-demand rotations, rotation settings, disabling and enabling, grants, tags, alias moves, policy and
// description updates, by a seeded property. Every answer is a success or a 4xx (never a 5xx), and nothing
// acknowledged is lost: every ciphertext a call returned decrypts, after the rounds, to the plaintext it was
// made from (under its encryption context), whatever rotations and state changes raced with it.
// KEYHOLD_FUZZ_RUNS and KEYHOLD_FUZZ_SEED as in kms-field-fuzz.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RetireGrantCommand,
  RotateKeyOnDemandCommand,
  TagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Op =
  | { op: 'encrypt' | 'dataKey' | 'rotate' | 'rotation' | 'disable' | 'enable' | 'grant' | 'tag' | 'alias' | 'policy' | 'describe'; key: number }
  | { op: 'reEncrypt'; key: number; pick: number }
  | { op: 'decrypt'; pick: number };

/** What a call acknowledged: a ciphertext, and the plaintext and context it must open to. */
interface Sealed {
  blob: Uint8Array;
  plaintext: Buffer;
  context: Record<string, string>;
}

describe('concurrent KMS calls on two keys (property)', () => {
  let s: TestServer;
  let kms: KMSClient;
  const keys: string[] = [];
  let account: string;
  before(async () => {
    s = await startTestServer();
    kms = s.kms();
    for (let i = 0; i < 2; i++) keys.push((await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    account = s.kh.accountId;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/raced', TargetKeyId: keys[0] }));
  });
  after(() => s.stop());

  it('never answers 5xx, and every acknowledged ciphertext decrypts after the rounds', async () => {
    const sealed: Sealed[] = [];
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
    });
    async function run(o: Op): Promise<number> {
      const KeyId = 'key' in o ? keys[o.key % keys.length]! : '';
      try {
        switch (o.op) {
          case 'encrypt': {
            const plaintext = randomBytes(32);
            const context = { n: String(sealed.length) };
            const r = await kms.send(new EncryptCommand({ KeyId, Plaintext: plaintext, EncryptionContext: context }));
            sealed.push({ blob: r.CiphertextBlob!, plaintext, context });
            break;
          }
          case 'dataKey': {
            const context = { dk: String(sealed.length) };
            const r = await kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: context }));
            sealed.push({ blob: r.CiphertextBlob!, plaintext: Buffer.from(r.Plaintext!), context });
            break;
          }
          case 'reEncrypt': {
            const from = sealed[o.pick % Math.max(sealed.length, 1)];
            if (!from) break;
            const r = await kms.send(
              new ReEncryptCommand({
                CiphertextBlob: from.blob,
                SourceEncryptionContext: from.context,
                DestinationKeyId: KeyId,
                DestinationEncryptionContext: from.context,
              }),
            );
            sealed.push({ blob: r.CiphertextBlob!, plaintext: from.plaintext, context: from.context });
            break;
          }
          case 'decrypt': {
            const one = sealed[o.pick % Math.max(sealed.length, 1)];
            if (!one) break;
            const r = await kms.send(new DecryptCommand({ CiphertextBlob: one.blob, EncryptionContext: one.context }));
            assert.ok(Buffer.from(r.Plaintext!).equals(one.plaintext), 'a Decrypt during the rounds returned other bytes');
            break;
          }
          case 'rotate':
            await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
            break;
          case 'rotation':
            await kms.send(o.key % 2 ? new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }) : new DisableKeyRotationCommand({ KeyId }));
            break;
          case 'disable':
            await kms.send(new DisableKeyCommand({ KeyId }));
            break;
          case 'enable':
            await kms.send(new EnableKeyCommand({ KeyId }));
            break;
          case 'grant': {
            const g = await kms.send(new CreateGrantCommand({ KeyId, GranteePrincipal: `arn:aws:iam::${account}:root`, Operations: ['Decrypt'] }));
            await kms.send(new RetireGrantCommand({ KeyId, GrantId: g.GrantId }));
            break;
          }
          case 'tag':
            await kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'raced', TagValue: String(Date.now()) }] }));
            break;
          case 'alias':
            await kms.send(new UpdateAliasCommand({ AliasName: 'alias/raced', TargetKeyId: KeyId }));
            break;
          case 'policy':
            await kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: policy }));
            break;
          case 'describe':
            await kms.send(new UpdateKeyDescriptionCommand({ KeyId, Description: String(Date.now()) }));
            break;
        }
        return 200;
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      }
    }

    const key = fc.nat(1);
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('encrypt' as const, 'dataKey' as const), key }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('reEncrypt' as const), key, pick: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('decrypt' as const), pick: fc.nat() }) },
      {
        weight: 3,
        arbitrary: fc.record({
          op: fc.constantFrom('rotate' as const, 'rotation' as const, 'disable' as const, 'enable' as const, 'grant' as const, 'tag' as const),
          key,
        }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('alias' as const, 'policy' as const, 'describe' as const), key }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 4, maxLength: 12 }), { minLength: 2, maxLength: 5 }), async (rounds) => {
        for (const round of rounds) {
          const statuses = await Promise.all(round.map(run));
          for (const [i, status] of statuses.entries()) {
            countOutcome(`${round[i]!.op} ${status}`);
            assert.ok(status >= 200 && status < 500, `${JSON.stringify(round[i])} -> ${status}`);
          }
        }
        // Nothing acknowledged is lost: with both keys enabled, every ciphertext opens to its plaintext.
        for (const KeyId of keys) await kms.send(new EnableKeyCommand({ KeyId }));
        for (const one of sealed) {
          const r = await kms.send(new DecryptCommand({ CiphertextBlob: one.blob, EncryptionContext: one.context }));
          assert.ok(Buffer.from(r.Plaintext!).equals(one.plaintext), 'an acknowledged ciphertext opened to other bytes');
        }
      }),
      {
        numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 10),
        seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129),
        includeErrorInReport: true,
        endOnFailure: true,
      },
    );
  });
});
