// KMS rotation (automatic and on demand), key policies and AWS managed keys, through @aws-sdk/client-kms.
// The server's clock is injected so automatic rotation and the end of a deletion window can be reached
// without waiting; the SDK client is given the same offset so its signatures stay within the skew.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListKeyPoliciesCommand,
  ListKeyRotationsCommand,
  PutKeyPolicyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  ListAliasesCommand,
} from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KmsService } from '../../src/services/kms/index.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;

describe('KMS rotation, policies, managed keys (wire)', () => {
  let s: TestServer;
  let offset = 0;
  const client = () =>
    new KMSClient({
      endpoint: s.endpoint,
      region: 'us-east-1',
      credentials: s.credentials,
      requestHandler: new NodeHttpHandler({ httpsAgent: s.agent }),
      // The SDK corrects its clock from the server's Date header after a skew error, as against AWS.
      systemClockOffset: offset,
      maxAttempts: 3,
    });
  const scheduler = () => (s.kh.services.get('TrentService') as KmsService).scheduler;
  before(async () => {
    s = await startTestServer({ start: { clock: () => Date.now() + offset } });
  });
  after(() => s.stop());

  it('EnableKeyRotation / GetKeyRotationStatus / DisableKeyRotation with period limits', async () => {
    const kms = client();
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    let st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }));
    assert.equal(st.KeyRotationEnabled, false);
    assert.equal(await errorName(kms.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 89 }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 2561 }))), 'ValidationException');
    await kms.send(new EnableKeyRotationCommand({ KeyId: id }));
    st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }));
    assert.equal(st.KeyRotationEnabled, true);
    assert.equal(st.RotationPeriodInDays, 365);
    assert.ok(Math.abs(st.NextRotationDate!.getTime() - (Date.now() + offset + 365 * DAY)) < 120_000);
    await kms.send(new EnableKeyRotationCommand({ KeyId: id, RotationPeriodInDays: 90 }));
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }))).RotationPeriodInDays, 90);
    await kms.send(new DisableKeyRotationCommand({ KeyId: id }));
    st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }));
    assert.equal(st.KeyRotationEnabled, false);
    assert.equal(st.NextRotationDate, undefined);
  });

  it('RotateKeyOnDemand adds material, old ciphertexts still decrypt, at most 10 times', async () => {
    const kms = client();
    const meta = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blobs = [(await kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: Buffer.from('v0') }))).CiphertextBlob!];
    const materials = new Set([meta.CurrentKeyMaterialId]);
    for (let i = 1; i <= 10; i++) {
      const r = await kms.send(new RotateKeyOnDemandCommand({ KeyId: meta.KeyId }));
      assert.equal(r.KeyId, meta.Arn);
      materials.add((await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!.CurrentKeyMaterialId);
      blobs.push((await kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: Buffer.from(`v${i}`) }))).CiphertextBlob!);
    }
    assert.equal(materials.size, 11, 'each rotation makes new current material');
    assert.equal(await errorName(kms.send(new RotateKeyOnDemandCommand({ KeyId: meta.KeyId }))), 'LimitExceededException');
    for (let i = 0; i < blobs.length; i++) {
      const d = await kms.send(new DecryptCommand({ CiphertextBlob: blobs[i] }));
      assert.equal(Buffer.from(d.Plaintext!).toString(), `v${i}`);
    }
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: meta.KeyId, Limit: 4 }));
    assert.equal(rotations.Rotations?.length, 4);
    assert.equal(rotations.Rotations?.[0]?.RotationType, 'ON_DEMAND');
    assert.equal(rotations.Truncated, true);
    let total = 0;
    let marker: string | undefined;
    do {
      const page = await kms.send(new ListKeyRotationsCommand({ KeyId: meta.KeyId, Limit: 3, Marker: marker }));
      total += page.Rotations?.length ?? 0;
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
    assert.equal(total, 10);
  });

  it('automatic rotation runs on schedule in the server', async () => {
    let kms = client();
    const meta = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const before = (await kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: Buffer.from('before') }))).CiphertextBlob!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: meta.KeyId, RotationPeriodInDays: 90 }));
    offset += 91 * DAY;
    kms = client();
    await scheduler().runOnce();
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: meta.KeyId }));
    assert.equal(rotations.Rotations?.length, 1);
    assert.equal(rotations.Rotations?.[0]?.RotationType, 'AUTOMATIC');
    const now = (await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
    assert.notEqual(now.CurrentKeyMaterialId, meta.CurrentKeyMaterialId);
    const st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: meta.KeyId }));
    assert.ok(st.NextRotationDate!.getTime() > Date.now() + offset + 80 * DAY);
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: before }))).Plaintext!).toString(), 'before');
  });

  it('a key is destroyed when its deletion window ends', async () => {
    let kms = client();
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const blob = (await kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    offset += 7 * DAY + 60_000;
    kms = client();
    await scheduler().runOnce();
    assert.equal(await errorName(kms.send(new DescribeKeyCommand({ KeyId: id }))), 'NotFoundException');
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: blob }))), 'InvalidCiphertextException');
  });

  it('GetKeyPolicy / PutKeyPolicy / ListKeyPolicies store the policy exactly', async () => {
    const kms = client();
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const def = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: id, PolicyName: 'default' }))).Policy!);
    assert.deepEqual(def.Statement[0].Principal, { AWS: `arn:aws:iam::${s.kh.accountId}:root` });
    assert.equal(def.Statement[0].Action, 'kms:*');
    const policy = JSON.stringify(
      { Version: '2012-10-17', Statement: [{ Sid: 'x', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] },
      null,
      1,
    );
    await kms.send(new PutKeyPolicyCommand({ KeyId: id, PolicyName: 'default', Policy: policy }));
    assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: id }))).Policy, policy);
    assert.deepEqual((await kms.send(new ListKeyPoliciesCommand({ KeyId: id }))).PolicyNames, ['default']);
    assert.equal(await errorName(kms.send(new PutKeyPolicyCommand({ KeyId: id, Policy: '{"Statement":[]}' }))), 'MalformedPolicyDocumentException');
    assert.equal(await errorName(kms.send(new PutKeyPolicyCommand({ KeyId: id, Policy: 'nope' }))), 'MalformedPolicyDocumentException');
    assert.equal(await errorName(kms.send(new GetKeyPolicyCommand({ KeyId: id, PolicyName: 'other' }))), 'NotFoundException');
  });

  it('AWS managed keys are created on first use and cannot be managed by users', async () => {
    const kms = client();
    const m = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
    assert.equal(m.KeyManager, 'AWS');
    // The Description AWS gives the S3 key, and the DynamoDB one (recorded by localstack's snapshots).
    assert.equal(m.Description, 'Default key that protects my S3 objects when no other key is defined');
    const dynamo = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/dynamodb' }))).KeyMetadata!;
    assert.equal(dynamo.Description, 'Default key that protects my DynamoDB data when no other key is defined');
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!.KeyId, m.KeyId, 'created once');
    const st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: m.KeyId }));
    assert.equal(st.KeyRotationEnabled, true);
    assert.equal(st.RotationPeriodInDays, 365);
    // Its policy allows use only through the owning service (kms:ViaService) and no management at all.
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: 'alias/aws/s3', Plaintext: Buffer.from('x') }))), 'AccessDeniedException');
    assert.equal(await errorName(kms.send(new ScheduleKeyDeletionCommand({ KeyId: m.KeyId }))), 'AccessDeniedException');
    assert.equal(await errorName(kms.send(new DisableKeyRotationCommand({ KeyId: m.KeyId }))), 'AccessDeniedException');
    assert.equal(await errorName(kms.send(new RotateKeyOnDemandCommand({ KeyId: m.KeyId }))), 'AccessDeniedException');
    assert.equal(await errorName(kms.send(new PutKeyPolicyCommand({ KeyId: m.KeyId, Policy: '{}' }))), 'AccessDeniedException');
    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: m.KeyId }))).Policy!);
    assert.equal(policy.Statement[0].Condition.StringEquals['kms:ViaService'], 's3.us-east-1.amazonaws.com');
    const aliases = await kms.send(new ListAliasesCommand({}));
    assert.ok(aliases.Aliases?.some((a) => a.AliasName === 'alias/aws/s3' && a.TargetKeyId === m.KeyId));
  });
});
