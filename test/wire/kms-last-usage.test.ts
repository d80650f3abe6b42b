// GetKeyLastUsage through the SDK (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html):
// an unused key answers an empty KeyLastUsage with TrackingStartDate = KeyCreationDate; every successful
// cryptographic operation (and only those) becomes the last use, with the CloudTrail event id and request id
// that recorded it; ReEncrypt counts for both keys; S3's calls on a requester's behalf count; a failed call
// does not; the record survives a restart; the caller needs kms:GetKeyLastUsage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  GetKeyLastUsageCommand,
  type KMSClient,
  ReEncryptCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { auditEvents } from '../helpers/audit.js';
import { userWithPolicy } from '../helpers/iam-user.js';
import { outcome } from '../helpers/outcome.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

describe('KMS GetKeyLastUsage (wire)', () => {
  const dataDir = tempDir();
  let s: TestServer;
  let kms: KMSClient;

  before(async () => {
    s = await startTestServer({ dataDir });
    kms = s.kms();
  });
  after(() => s.stop());

  const newKey = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const lastUsage = (KeyId: string) => kms.send(new GetKeyLastUsageCommand({ KeyId }));
  /** The audit event of the call answered with this request id (for S3: the KMS event it caused). */
  const eventOf = async (requestId: string, eventName: string) =>
    (await auditEvents(dataDir)).find((e) => e.requestID === requestId && e.eventName === eventName)!;

  it('answers an empty KeyLastUsage for a key never used, tracked from its creation', async () => {
    const key = await newKey();
    await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    const got = await lastUsage(key.KeyId!);
    assert.equal(got.KeyId, key.KeyId);
    assert.deepEqual(got.KeyLastUsage, {});
    assert.equal(got.KeyCreationDate?.getTime(), key.CreationDate?.getTime());
    assert.equal(got.TrackingStartDate?.getTime(), key.CreationDate?.getTime());
  });

  it('records each successful cryptographic operation with the CloudTrail event and request that recorded it', async () => {
    const key = await newKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret'), EncryptionContext: { app: 'a' } }));
    let got = await lastUsage(key.Arn!);
    const encEvent = await eventOf(enc.$metadata.requestId!, 'Encrypt');
    assert.equal(got.KeyLastUsage?.Operation, 'Encrypt');
    assert.equal(got.KeyLastUsage?.CloudTrailEventId, encEvent.eventID);
    assert.equal(got.KeyLastUsage?.KmsRequestId, enc.$metadata.requestId);
    assert.equal(got.KeyLastUsage?.Timestamp?.toISOString().slice(0, 19), encEvent.eventTime.slice(0, 19));

    // A refused Decrypt (wrong encryption context) is not a use.
    assert.match(
      (await outcome(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'b' } }))))!,
      /^InvalidCiphertextException/,
    );
    assert.equal((await lastUsage(key.KeyId!)).KeyLastUsage?.Operation, 'Encrypt');

    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { app: 'a' } }));
    got = await lastUsage(key.KeyId!);
    assert.deepEqual([got.KeyLastUsage?.Operation, got.KeyLastUsage?.KmsRequestId], ['Decrypt', dec.$metadata.requestId]);

    const gdk = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    got = await lastUsage(key.KeyId!);
    assert.deepEqual([got.KeyLastUsage?.Operation, got.KeyLastUsage?.KmsRequestId], ['GenerateDataKey', gdk.$metadata.requestId]);
  });

  it('counts a ReEncrypt for both keys, and MAC operations for HMAC keys', async () => {
    const from = await newKey();
    const to = await newKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: from.KeyId, Plaintext: Buffer.from('x') }));
    const re = await kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: to.KeyId }));
    const event = await eventOf(re.$metadata.requestId!, 'ReEncrypt');
    for (const key of [from, to]) {
      const got = await lastUsage(key.KeyId!);
      assert.deepEqual([got.KeyLastUsage?.Operation, got.KeyLastUsage?.CloudTrailEventId], ['ReEncrypt', event.eventID]);
    }

    const hmac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    const mac = await kms.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    assert.equal((await lastUsage(hmac.KeyId!)).KeyLastUsage?.Operation, 'GenerateMac');
    await kms.send(new VerifyMacCommand({ KeyId: hmac.KeyId, Message: Buffer.from('m'), Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' }));
    assert.equal((await lastUsage(hmac.KeyId!)).KeyLastUsage?.Operation, 'VerifyMac');
    // A MAC that does not verify is not a successful operation.
    await assert.rejects(kms.send(new VerifyMacCommand({ KeyId: hmac.KeyId, Message: Buffer.from('other'), Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_256' })));
    assert.equal((await lastUsage(hmac.KeyId!)).KeyLastUsage?.Operation, 'VerifyMac');
  });

  it("counts the calls S3 makes on a requester's behalf, with the KMS event S3's call recorded", async () => {
    const key = await newKey();
    const s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'last-usage' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'last-usage', Key: 'k', Body: 'data', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }));
    const got = await lastUsage(key.KeyId!);
    const event = await eventOf(put.$metadata.requestId!, 'GenerateDataKey');
    assert.equal((event.userIdentity as { invokedBy?: string }).invokedBy, 's3.amazonaws.com');
    assert.deepEqual([got.KeyLastUsage?.Operation, got.KeyLastUsage?.CloudTrailEventId], ['GenerateDataKey', event.eventID]);
  });

  it('needs kms:GetKeyLastUsage, and refuses a key that does not exist', async () => {
    const key = await newKey();
    const onlyDescribe = s.kms({ credentials: await userWithPolicy(s, 'usage-reader-no', [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }]) });
    assert.match((await outcome(onlyDescribe.send(new GetKeyLastUsageCommand({ KeyId: key.KeyId }))))!, /^AccessDeniedException: .*kms:GetKeyLastUsage/);
    const reader = s.kms({ credentials: await userWithPolicy(s, 'usage-reader', [{ Effect: 'Allow', Action: 'kms:GetKeyLastUsage', Resource: '*' }]) });
    assert.deepEqual((await reader.send(new GetKeyLastUsageCommand({ KeyId: key.KeyId }))).KeyLastUsage, {});
    assert.match((await outcome(lastUsage('11111111-2222-3333-4444-555555555555')))!, /^NotFoundException/);
  });

  it('keeps the last use across a restart', async () => {
    const key = await newKey();
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('kept') }));
    await s.stop({ keepData: true });
    s = await startTestServer({ dataDir });
    kms = s.kms();
    const got = await lastUsage(key.KeyId!);
    assert.deepEqual([got.KeyLastUsage?.Operation, got.KeyLastUsage?.KmsRequestId], ['Encrypt', enc.$metadata.requestId]);
    assert.equal(got.TrackingStartDate?.getTime(), key.CreationDate?.getTime(), 'tracking began before this key was created');
  });
});
