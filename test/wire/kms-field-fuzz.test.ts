// Every KMS operation, fed a valid body with one or two members mutated to values of every JSON type (right,
// wrong, empty, huge, nested, real identifiers of other kinds) or removed, by a seeded property: the answer
// is a 2xx or an AWS JSON error of status 4xx, never a 5xx, and the server keeps serving. KEYHOLD_FUZZ_RUNS
// raises the number of calls (the suite runs a few hundred), KEYHOLD_FUZZ_SEED changes them, and
// KEYHOLD_FUZZ_STATS prints which answers they got.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  type CreateKeyCommandInput,
  EnableKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { mutatedCalls } from '../helpers/json-fuzz.js';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { kvDigest } from '../helpers/kv-digest.js';
import { jsonCall } from '../helpers/raw-request.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Real identifiers the valid bodies use, made before the property runs. */
interface Fixture {
  key: string;
  arn: string;
  other: string;
  hmac: string;
  external: string;
  grantId: string;
  grantToken: string;
  blob: string;
  mac: string;
  importToken: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const principal = 'arn:aws:iam::111122223333:root';

// A valid body per operation (members from the KMS API reference). The property mutates one or two members
// of it (a wrong type or value, removed, or an unknown member added), so that every member's checks are
// reached with the others valid, instead of the first check refusing a wholly random body.
function validBodies(f: Fixture): Record<string, Record<string, unknown>> {
  const context = { purpose: 'fuzz' };
  return {
    CreateKey: {
      Description: 'd',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Origin: 'AWS_KMS',
      Tags: [{ TagKey: 'k', TagValue: 'v' }],
      MultiRegion: false,
    },
    Encrypt: { KeyId: f.key, Plaintext: b64('hello'), EncryptionContext: context, GrantTokens: [f.grantToken], EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
    Decrypt: { CiphertextBlob: f.blob, EncryptionContext: context, KeyId: f.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', GrantTokens: [] },
    ReEncrypt: {
      CiphertextBlob: f.blob,
      SourceEncryptionContext: context,
      SourceKeyId: f.key,
      DestinationKeyId: f.other,
      DestinationEncryptionContext: { to: 'other' },
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    },
    GenerateDataKey: { KeyId: 'alias/fuzz', KeySpec: 'AES_256', EncryptionContext: context },
    GenerateDataKeyWithoutPlaintext: { KeyId: f.key, NumberOfBytes: 32, EncryptionContext: context },
    GenerateRandom: { NumberOfBytes: 32 },
    DescribeKey: { KeyId: f.arn },
    ListKeys: { Limit: 10 },
    ListAliases: { KeyId: f.key, Limit: 10 },
    CreateAlias: { AliasName: 'alias/fuzz-new', TargetKeyId: f.other },
    UpdateAlias: { AliasName: 'alias/fuzz', TargetKeyId: f.other },
    DeleteAlias: { AliasName: 'alias/fuzz-new' },
    TagResource: { KeyId: f.other, Tags: [{ TagKey: 'k', TagValue: 'v' }] },
    UntagResource: { KeyId: f.other, TagKeys: ['k'] },
    ListResourceTags: { KeyId: f.other, Limit: 10 },
    EnableKey: { KeyId: f.other },
    DisableKey: { KeyId: f.other },
    ScheduleKeyDeletion: { KeyId: f.other, PendingWindowInDays: 7 },
    CancelKeyDeletion: { KeyId: f.other },
    EnableKeyRotation: { KeyId: f.key, RotationPeriodInDays: 90 },
    DisableKeyRotation: { KeyId: f.key },
    GetKeyRotationStatus: { KeyId: f.key },
    RotateKeyOnDemand: { KeyId: f.other },
    ListKeyRotations: { KeyId: f.key, Limit: 10 },
    GetKeyPolicy: { KeyId: f.key, PolicyName: 'default' },
    PutKeyPolicy: {
      KeyId: f.other,
      PolicyName: 'default',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${f.arn.split(':')[4]}:root` }, Action: 'kms:*', Resource: '*' }],
      }),
    },
    ListKeyPolicies: { KeyId: f.key, Limit: 10 },
    CreateGrant: {
      KeyId: f.key,
      GranteePrincipal: principal,
      RetiringPrincipal: principal,
      Operations: ['Decrypt', 'Encrypt'],
      Constraints: { EncryptionContextSubset: context },
      Name: 'fuzz',
    },
    ListGrants: { KeyId: f.key, Limit: 10, GrantId: f.grantId },
    ListRetirableGrants: { RetiringPrincipal: principal, Limit: 10 },
    RetireGrant: { KeyId: f.arn, GrantId: f.grantId },
    RevokeGrant: { KeyId: f.key, GrantId: f.grantId },
    UpdateKeyDescription: { KeyId: f.key, Description: 'described' },
    GenerateMac: { KeyId: f.hmac, Message: b64('message'), MacAlgorithm: 'HMAC_SHA_256' },
    VerifyMac: { KeyId: f.hmac, Message: b64('message'), MacAlgorithm: 'HMAC_SHA_256', Mac: f.mac },
    GetParametersForImport: { KeyId: f.external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' },
    ImportKeyMaterial: {
      KeyId: f.external,
      ImportToken: f.importToken,
      EncryptedKeyMaterial: b64('x'.repeat(256)),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    },
    DeleteImportedKeyMaterial: { KeyId: f.external },
    DescribeCustomKeyStores: { Limit: 10 },
  };
}

describe('KMS operations fed type-confused members (property)', () => {
  let s: TestServer;
  let f: Fixture;
  before(async () => {
    s = await startTestServer();
    const kms = s.kms();
    const create = async (input: CreateKeyCommandInput = {}) => (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;
    const key = await create();
    const other = await create();
    const hmac = await create({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const external = await create({ Origin: 'EXTERNAL' });
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/fuzz', TargetKeyId: key.KeyId }));
    // The AWS-managed key behind alias/aws/s3 is created the first time the alias is used, by any call (as
    // DescribeKey documents): made here, so that a refused call naming it does not look like a change.
    await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
    const grant = await kms.send(
      new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: principal, RetiringPrincipal: principal, Operations: ['Encrypt', 'Decrypt'] }),
    );
    const blob = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { purpose: 'fuzz' } }));
    const mac = await kms.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: Buffer.from('message'), MacAlgorithm: 'HMAC_SHA_256' }));
    const params = await kms.send(
      new GetParametersForImportCommand({ KeyId: external.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
    );
    const base64 = (b: Uint8Array | undefined) => Buffer.from(b!).toString('base64');
    f = {
      key: key.KeyId!,
      arn: key.Arn!,
      other: other.KeyId!,
      hmac: hmac.KeyId!,
      external: external.KeyId!,
      grantId: grant.GrantId!,
      grantToken: grant.GrantToken!,
      blob: base64(blob.CiphertextBlob),
      mac: base64(mac.Mac),
      importToken: base64(params.ImportToken),
    };
  });
  after(() => s.stop());

  it('answers every call with 2xx or a 4xx AWS error, never 5xx', async () => {
    const valid = validBodies(f);
    const kms = s.kms();
    const usable = async (...keys: string[]) => {
      for (const KeyId of keys) {
        await kms.send(new CancelKeyDeletionCommand({ KeyId })).catch(() => undefined);
        await kms.send(new EnableKeyCommand({ KeyId })).catch(() => undefined);
      }
    };
    const known = Object.values(f).concat('alias/fuzz', 'alias/aws/s3', principal, 'SYMMETRIC_DEFAULT', 'HMAC_SHA_256', 'AES_128', 'RSA_2048');
    const call = mutatedCalls(valid, known);
    const state = kvDigest(s.dataDir);
    await fc
      .assert(
        fc.asyncProperty(call, async ([op, body]) => {
          const before = state.read();
          const r = await jsonCall(s.endpoint, s.agent, `TrentService.${op}`, JSON.stringify(body), { credentials: s.credentials });
          assert.ok(r.status < 500, `${op} ${JSON.stringify(body).slice(0, 300)} -> ${r.status} ${r.body.slice(0, 300)}`);
          const parsed = JSON.parse(r.body) as { __type?: string };
          countOutcome(`${op} ${r.status} ${parsed.__type ?? ''}`);
          if (r.status >= 400) assert.equal(typeof parsed.__type, 'string', r.body);
          if (r.status >= 400) assert.deepEqual(state.read(), before, `${op} ${JSON.stringify(body).slice(0, 300)} -> ${r.body.slice(0, 200)} changed state`);
          // Keep the keys usable, so that later calls reach more than DisabledException.
          if (op === 'DisableKey' || op === 'ScheduleKeyDeletion') await usable(f.key, f.other);
        }),
        { numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 300), seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129), includeErrorInReport: true },
      )
      .finally(() => state.close());
  });
});
