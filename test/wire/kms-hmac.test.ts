// HMAC KMS keys through the SDK (https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html), with AWS's
// recorded answers: key specs HMAC_224/256/384/512 with KeyUsage GENERATE_VERIFY_MAC, GenerateMac and VerifyMac,
// key usage kept apart (no Encrypt with an HMAC key, no GenerateMac with an encryption key), no rotation, grants
// for MAC operations, an audit record without the message, and S3 refusing an HMAC key for SSE-KMS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  type KMSClient,
  type MacAlgorithmSpec,
  RotateKeyOnDemandCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { auditEvents } from '../helpers/audit.js';
import { outcome } from '../helpers/outcome.js';
import { userWithPolicy } from '../helpers/iam-user.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SPECS = [
  ['HMAC_224', 'HMAC_SHA_224', 28],
  ['HMAC_256', 'HMAC_SHA_256', 32],
  ['HMAC_384', 'HMAC_SHA_384', 48],
  ['HMAC_512', 'HMAC_SHA_512', 64],
] as const;

describe('KMS HMAC keys (wire)', () => {
  let s: TestServer;
  let kms: KMSClient;
  const message = Buffer.from('the message to authenticate');

  before(async () => {
    s = await startTestServer();
    kms = s.kms();
  });
  after(() => s.stop());

  const hmacKey = async (KeySpec: (typeof SPECS)[number][0]) =>
    (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;

  it('creates HMAC keys of every spec, described with their one MAC algorithm', async () => {
    for (const [spec, algorithm] of SPECS) {
      const created = await hmacKey(spec);
      const described = (await kms.send(new DescribeKeyCommand({ KeyId: created.KeyId }))).KeyMetadata!;
      assert.deepEqual(
        [described.KeySpec, described.KeyUsage, described.MacAlgorithms, described.EncryptionAlgorithms, described.CurrentKeyMaterialId],
        [spec, 'GENERATE_VERIFY_MAC', [algorithm], undefined, undefined],
      );
    }
    assert.equal(
      await outcome(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' }))),
      'ValidationException: You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    );
    assert.match((await outcome(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' }))))!, /^ValidationException/);
  });

  it('GenerateMac is the keyed hash of its spec, VerifyMac accepts it and refuses any other message or MAC', async () => {
    for (const [spec, algorithm, bytes] of SPECS) {
      const key = await hmacKey(spec);
      const made = await kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: algorithm }));
      assert.deepEqual([made.KeyId, made.MacAlgorithm, made.Mac!.length], [key.Arn, algorithm, bytes]);
      const again = await kms.send(new GenerateMacCommand({ KeyId: key.Arn, Message: message, MacAlgorithm: algorithm }));
      assert.deepEqual(again.Mac, made.Mac, 'deterministic under one key');
      const verified = await kms.send(new VerifyMacCommand({ KeyId: key.KeyId, Message: message, Mac: made.Mac, MacAlgorithm: algorithm }));
      assert.deepEqual([verified.MacValid, verified.KeyId, verified.MacAlgorithm], [true, key.Arn, algorithm]);
      const otherMessage = kms.send(new VerifyMacCommand({ KeyId: key.KeyId, Message: Buffer.from('another'), Mac: made.Mac, MacAlgorithm: algorithm }));
      assert.equal(await outcome(otherMessage), 'KMSInvalidMacException: UnknownError');
      const flipped = Buffer.from(made.Mac!);
      flipped[0]! ^= 1;
      const otherMac = kms.send(new VerifyMacCommand({ KeyId: key.KeyId, Message: message, Mac: flipped, MacAlgorithm: algorithm }));
      assert.match((await outcome(otherMac))!, /^KMSInvalidMacException/);
    }
    const k224 = await hmacKey('HMAC_224');
    const k224b = await hmacKey('HMAC_224');
    const mac = async (KeyId: string) => (await kms.send(new GenerateMacCommand({ KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_224' }))).Mac;
    assert.notDeepEqual(await mac(k224.KeyId!), await mac(k224b.KeyId!), 'each key has its own material');
    assert.equal(
      await outcome(kms.send(new GenerateMacCommand({ KeyId: k224.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))),
      'InvalidKeyUsageException: Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.',
    );
    assert.match(
      (await outcome(kms.send(new GenerateMacCommand({ KeyId: k224.KeyId, Message: message, MacAlgorithm: 'INVALID' as MacAlgorithmSpec }))))!,
      /^ValidationException: 1 validation error detected: Value 'INVALID' at 'macAlgorithm'/,
    );
  });

  it('keeps key usages apart, does not rotate HMAC keys, and honours the key state', async () => {
    const key = await hmacKey('HMAC_256');
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    assert.equal(
      await outcome(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: message }))),
      `InvalidKeyUsageException: ${key.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`,
    );
    assert.match((await outcome(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }))))!, /^InvalidKeyUsageException/);
    assert.equal(
      await outcome(kms.send(new GenerateMacCommand({ KeyId: symmetric.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))),
      `InvalidKeyUsageException: ${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`,
    );
    assert.match((await outcome(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }))))!, /^UnsupportedOperationException/);
    assert.match((await outcome(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }))))!, /^UnsupportedOperationException/);
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    assert.match(
      (await outcome(kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))))!,
      /^DisabledException/,
    );
  });

  it('a grant allows exactly its MAC operations; a grant for encryption on an HMAC key is refused', async () => {
    const key = await hmacKey('HMAC_384');
    const creds = await userWithPolicy(s, 'mac-user', [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }]);
    const user = s.kms({ credentials: creds });
    const arn = `arn:aws:iam::${s.kh.accountId}:user/mac-user`;
    await kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arn, Operations: ['GenerateMac'] }));
    const made = await user.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_384' }));
    assert.equal(made.Mac!.length, 48);
    assert.match(
      (await outcome(user.send(new VerifyMacCommand({ KeyId: key.KeyId, Message: message, Mac: made.Mac, MacAlgorithm: 'HMAC_SHA_384' }))))!,
      /^AccessDeniedException/,
    );
    assert.equal(
      await outcome(kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arn, Operations: ['Encrypt'] }))),
      'ValidationException: Grant operation Encrypt is not valid for an HMAC KMS key.',
    );
  });

  it('audits GenerateMac without the message or the MAC; S3 refuses an HMAC key for SSE-KMS', async () => {
    const key = await hmacKey('HMAC_512');
    const made = await kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_512' }));
    const events = await auditEvents(s.dataDir);
    const e = events.find((x) => x.requestID === made.$metadata.requestId)!;
    assert.deepEqual(e.requestParameters, { keyId: key.KeyId, macAlgorithm: 'HMAC_SHA_512' });
    assert.equal(e.resources?.[0]?.ARN, key.Arn);
    const text = JSON.stringify(events);
    assert.equal(text.includes(message.toString('base64')), false);
    assert.equal(text.includes(Buffer.from(made.Mac!).toString('base64')), false);

    const s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'hmac-sse' }));
    const put = s3.send(new PutObjectCommand({ Bucket: 'hmac-sse', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }));
    assert.match((await outcome(put))!, /InvalidKeyUsageException/);
  });
});
