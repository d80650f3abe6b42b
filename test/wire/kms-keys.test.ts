// KMS key lifecycle through the real @aws-sdk/client-kms against a running server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  type KMSClient,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
  CreateAliasCommand,
} from '@aws-sdk/client-kms';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

describe('KMS keys (wire, @aws-sdk/client-kms)', () => {
  let s: TestServer;
  let kms: KMSClient;
  before(async () => {
    s = await startTestServer();
    kms = s.kms();
  });
  after(() => s.stop());

  it('CreateKey with no arguments returns the AWS default metadata shape', async () => {
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({}));
    assert.ok(m);
    assert.match(m.KeyId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(m.Arn, `arn:aws:kms:us-east-1:${s.kh.accountId}:key/${m.KeyId}`);
    assert.equal(m.AWSAccountId, s.kh.accountId);
    assert.ok(m.CreationDate instanceof Date && Math.abs(m.CreationDate.getTime() - Date.now()) < 60_000);
    assert.equal(m.Enabled, true);
    assert.equal(m.Description, '');
    assert.equal(m.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(m.KeyState, 'Enabled');
    assert.equal(m.Origin, 'AWS_KMS');
    assert.equal(m.KeyManager, 'CUSTOMER');
    assert.equal(m.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(m.CustomerMasterKeySpec, 'SYMMETRIC_DEFAULT');
    assert.deepEqual(m.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
    assert.equal(m.MultiRegion, false);
    assert.match(m.CurrentKeyMaterialId!, /^[0-9a-f]{64}$/);
    assert.equal(m.DeletionDate, undefined);
  });

  it('DescribeKey accepts key id, key ARN, alias name and alias ARN', async () => {
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ Description: 'forms' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/forms', TargetKeyId: m!.KeyId }));
    for (const id of [m!.KeyId!, m!.Arn!, 'alias/forms', `arn:aws:kms:us-east-1:${s.kh.accountId}:alias/forms`]) {
      const d = await kms.send(new DescribeKeyCommand({ KeyId: id }));
      assert.equal(d.KeyMetadata?.Arn, m!.Arn, id);
    }
  });

  it('DescribeKey errors: unknown key, malformed id, other region', async () => {
    assert.equal(await errorName(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' }))), 'NotFoundException');
    assert.equal(await errorName(kms.send(new DescribeKeyCommand({ KeyId: 'not-a-key' }))), 'NotFoundException');
    assert.equal(await errorName(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' }))), 'NotFoundException');
    // A well-formed multi-Region key id names a key that does not exist, as AWS words it (not "Invalid keyId").
    const mrk = 'mrk-d3b95762d3b95762d3b95762d3b95762';
    await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: mrk })), {
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:${s.kh.accountId}:key/${mrk}' does not exist`,
    });
    await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: 'mrk-d3b9' })), { name: 'NotFoundException', message: "Invalid keyId 'mrk-d3b9'" });
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({}));
    // Keys are regional: the same key id is not visible from another region.
    assert.equal(await errorName(s.kms({ region: 'eu-west-1' }).send(new DescribeKeyCommand({ KeyId: m!.KeyId }))), 'NotFoundException');
    await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: m!.Arn!.replace('us-east-1', 'eu-west-1') })), {
      name: 'NotFoundException',
      message: 'Invalid arn eu-west-1',
    });
  });

  it('ListKeys pages with Limit / Marker / Truncated and stays within the region', async () => {
    const eu = s.kms({ region: 'eu-central-1' });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await eu.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await eu.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      for (const k of page.Keys ?? []) {
        assert.equal(k.KeyArn, `arn:aws:kms:eu-central-1:${s.kh.accountId}:key/${k.KeyId}`);
        seen.push(k.KeyId!);
      }
      marker = page.Truncated ? page.NextMarker : undefined;
      if (page.Truncated) assert.ok(page.NextMarker);
      pages++;
    } while (marker);
    assert.deepEqual([...seen].sort(), [...created].sort());
    assert.equal(pages, 3);
    assert.equal(await errorName(eu.send(new ListKeysCommand({ Limit: 0 }))), 'ValidationException');
    assert.equal(await errorName(eu.send(new ListKeysCommand({ Marker: '!!!' }))), 'InvalidMarkerException');
  });

  it('EnableKey / DisableKey / UpdateKeyDescription', async () => {
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new DisableKeyCommand({ KeyId: m!.KeyId }));
    let d = await kms.send(new DescribeKeyCommand({ KeyId: m!.KeyId }));
    assert.equal(d.KeyMetadata?.KeyState, 'Disabled');
    assert.equal(d.KeyMetadata?.Enabled, false);
    await kms.send(new EnableKeyCommand({ KeyId: m!.KeyId }));
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: m!.KeyId, Description: 'new words' }));
    d = await kms.send(new DescribeKeyCommand({ KeyId: m!.KeyId }));
    assert.equal(d.KeyMetadata?.KeyState, 'Enabled');
    assert.equal(d.KeyMetadata?.Description, 'new words');
  });

  it('ScheduleKeyDeletion (7-30 days, default 30) and CancelKeyDeletion back to Disabled', async () => {
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({}));
    assert.equal(await errorName(kms.send(new ScheduleKeyDeletionCommand({ KeyId: m!.KeyId, PendingWindowInDays: 6 }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new ScheduleKeyDeletionCommand({ KeyId: m!.KeyId, PendingWindowInDays: 31 }))), 'ValidationException');
    const before = Date.now();
    const r = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: m!.KeyId }));
    assert.equal(r.KeyId, m!.Arn);
    assert.equal(r.KeyState, 'PendingDeletion');
    assert.equal(r.PendingWindowInDays, 30);
    assert.ok(Math.abs(r.DeletionDate!.getTime() - (before + 30 * 86_400_000)) < 60_000);
    const d = await kms.send(new DescribeKeyCommand({ KeyId: m!.KeyId }));
    assert.equal(d.KeyMetadata?.KeyState, 'PendingDeletion');
    assert.ok(d.KeyMetadata?.DeletionDate);
    assert.equal(await errorName(kms.send(new EnableKeyCommand({ KeyId: m!.KeyId }))), 'KMSInvalidStateException');
    assert.equal(await errorName(kms.send(new ScheduleKeyDeletionCommand({ KeyId: m!.KeyId }))), 'KMSInvalidStateException');
    const c = await kms.send(new CancelKeyDeletionCommand({ KeyId: m!.KeyId }));
    assert.equal(c.KeyId, m!.Arn);
    const after = await kms.send(new DescribeKeyCommand({ KeyId: m!.KeyId }));
    assert.equal(after.KeyMetadata?.KeyState, 'Disabled');
    assert.equal(after.KeyMetadata?.DeletionDate, undefined);
    assert.equal(await errorName(kms.send(new CancelKeyDeletionCommand({ KeyId: m!.KeyId }))), 'KMSInvalidStateException');
  });

  it('CreateKey refuses what Keyhold does not implement instead of downgrading', async () => {
    assert.equal(await errorName(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))), 'UnsupportedOperationException');
    assert.equal(await errorName(kms.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM' }))), 'UnsupportedOperationException');
    assert.equal(await errorName(kms.send(new CreateKeyCommand({ MultiRegion: true }))), 'UnsupportedOperationException');
    assert.equal(await errorName(kms.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY' }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-1234567890abcdef0' }))), 'CustomKeyStoreNotFoundException');
    assert.equal(await errorName(kms.send(new CreateKeyCommand({ Policy: '{not json' }))), 'MalformedPolicyDocumentException');
    assert.equal(await errorName(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] }))), 'TagException');
  });
});
