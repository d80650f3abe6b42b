// The AWS Encryption SDK for JavaScript (@aws-crypto/client-node) with a KMS keyring pointed at Keyhold:
// GenerateDataKey on encrypt, Decrypt on decrypt, Encrypt for extra keys, and a caching materials manager.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AwsKmsMrkAwareSymmetricDiscoveryKeyringNode,
  AwsKmsMrkAwareSymmetricKeyringNode,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { readAuditDir } from '../../src/audit/reader.js';
import { openKeyringForTest } from '../helpers/audit.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('AWS Encryption SDK with a KMS keyring on Keyhold', () => {
  let s: TestServer;
  let generator: string;
  let extra: string;
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  before(async () => {
    s = await startTestServer();
    const kms = s.kms();
    generator = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    extra = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  });
  after(() => s.stop());

  const countCalls = async (name: string) => {
    const root = await openKeyringForTest(s.dataDir);
    const n = [...readAuditDir(root.derive('audit-v1'), `${s.dataDir}/audit`)].filter(
      (r) => 'event' in r && r.event.eventName === name && !r.event.errorCode,
    ).length;
    root.destroy();
    return n;
  };

  it('round-trips a message (suite 0x0578, signed, key-committing)', async () => {
    const keyring = new KmsKeyringNode({ clientProvider: (region: string) => s.kmsAggregated(region), generatorKeyId: generator, keyIds: [extra] });
    const plaintext = Buffer.from('a message for the encryption sdk');
    const { result, messageHeader } = await encrypt(keyring, plaintext, { encryptionContext: { purpose: 'esdk-test' } });
    assert.equal(messageHeader.suiteId, 0x0578);
    assert.equal(messageHeader.encryptedDataKeys.length, 2, 'generator + one extra key (KMS Encrypt)');
    assert.deepEqual(messageHeader.encryptedDataKeys.map((k) => k.providerInfo).sort(), [generator, extra].sort());
    const out = await decrypt(keyring, result);
    assert.deepEqual(out.plaintext, plaintext);
    assert.equal(out.messageHeader.encryptionContext.purpose, 'esdk-test');
    // A keyring holding only the extra key decrypts through its own encrypted data key.
    const extraOnly = new KmsKeyringNode({ clientProvider: (region: string) => s.kmsAggregated(region), keyIds: [extra] });
    assert.deepEqual((await decrypt(extraOnly, result)).plaintext, plaintext);
  });

  it('works through a caching materials manager (fewer GenerateDataKey calls)', async () => {
    const keyring = new KmsKeyringNode({ clientProvider: (region: string) => s.kmsAggregated(region), generatorKeyId: generator });
    const cmm = new NodeCachingMaterialsManager({
      backingMaterials: keyring,
      cache: getLocalCryptographicMaterialsCache(100),
      maxAge: 60_000,
      maxMessagesEncrypted: 10,
    });
    const before = await countCalls('GenerateDataKey');
    const messages = [];
    for (let i = 0; i < 5; i++) messages.push((await encrypt(cmm, Buffer.from(`m${i}`), { encryptionContext: { c: 'same' }, plaintextLength: 2 })).result);
    const after = await countCalls('GenerateDataKey');
    assert.equal(after - before, 1, 'five messages, one data key');
    for (let i = 0; i < 5; i++) assert.equal((await decrypt(cmm, messages[i]!)).plaintext.toString(), `m${i}`);
  });

  it('decrypts through discovery keyrings and the MRK-aware keyrings (key ARN and account from the message)', async () => {
    const keyring = new KmsKeyringNode({ clientProvider: (region: string) => s.kmsAggregated(region), generatorKeyId: generator });
    const { result } = await encrypt(keyring, Buffer.from('found by discovery'), { encryptionContext: { how: 'discovery' } });
    const discovery = new KmsKeyringNode({ clientProvider: (region: string) => s.kmsAggregated(region), discovery: true });
    assert.equal((await decrypt(discovery, result)).plaintext.toString(), 'found by discovery');
    const account = generator.split(':')[4]!;
    const mrkDiscovery = new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
      client: s.kmsAggregated('us-east-1'),
      discoveryFilter: { accountIDs: [account], partition: 'aws' },
    });
    assert.equal((await decrypt(mrkDiscovery, result)).plaintext.toString(), 'found by discovery');
    const otherAccount = new AwsKmsMrkAwareSymmetricDiscoveryKeyringNode({
      client: s.kmsAggregated('us-east-1'),
      discoveryFilter: { accountIDs: ['000000000000'], partition: 'aws' },
    });
    await assert.rejects(decrypt(otherAccount, result), 'a discovery filter for another account decrypts nothing');
    const mrkAware = new AwsKmsMrkAwareSymmetricKeyringNode({ client: s.kmsAggregated('us-east-1'), keyId: generator });
    const sealed = await encrypt(mrkAware, Buffer.from('mrk-aware'));
    assert.equal((await decrypt(mrkAware, sealed.result)).plaintext.toString(), 'mrk-aware');
  });

  it('fails to decrypt once the key is disabled', async () => {
    const kms = s.kms();
    const arn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const keyring = new KmsKeyringNode({ clientProvider: (region: string) => s.kmsAggregated(region), generatorKeyId: arn });
    const { result } = await encrypt(keyring, Buffer.from('x'));
    await kms.send(new DisableKeyCommand({ KeyId: arn }));
    await assert.rejects(decrypt(keyring, result));
  });
});
