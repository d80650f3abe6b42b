// KMS cryptographic operations through @aws-sdk/client-kms: Encrypt, Decrypt, ReEncrypt,
// GenerateDataKey(WithoutPlaintext), GenerateRandom, with their error cases.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  type KMSClient,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('KMS cryptographic operations (wire)', () => {
  let s: TestServer;
  let kms: KMSClient;
  let keyId: string;
  let keyArn: string;
  before(async () => {
    s = await startTestServer();
    kms = s.kms();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    keyId = KeyMetadata!.KeyId!;
    keyArn = KeyMetadata!.Arn!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/crypto', TargetKeyId: keyId }));
  });
  after(() => s.stop());

  it('Encrypt then Decrypt round-trips, with and without KeyId, and returns the key ARN', async () => {
    const plaintext = Buffer.from('attack at dawn');
    const ctx = { purpose: 'test', tenant: 'a' };
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/crypto', Plaintext: plaintext, EncryptionContext: ctx }));
    assert.equal(enc.KeyId, keyArn);
    assert.equal(enc.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.equal(Buffer.from(enc.CiphertextBlob!).includes(plaintext), false);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }));
    assert.deepEqual(Buffer.from(dec.Plaintext!), plaintext);
    assert.equal(dec.KeyId, keyArn);
    const dec2 = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'a', purpose: 'test' }, KeyId: keyId }));
    assert.deepEqual(Buffer.from(dec2.Plaintext!), plaintext);
  });

  it('Decrypt fails with InvalidCiphertextException on any context change or ciphertext byte flip', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionContext: { a: 'bc' } }));
    for (const ctx of <Array<Record<string, string>>>[{ ab: 'c' }, { a: 'BC' }, {}, { a: 'bc', b: '' }]) {
      assert.equal(
        await errorName(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx }))),
        'InvalidCiphertextException',
        JSON.stringify(ctx),
      );
    }
    const blob = Buffer.from(enc.CiphertextBlob!);
    for (const i of [0, 5, 20, 60, 70, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[i] = bad[i]! ^ 1;
      const name = await errorName(kms.send(new DecryptCommand({ CiphertextBlob: bad, EncryptionContext: { a: 'bc' } })));
      assert.equal(name, 'InvalidCiphertextException', `byte ${i}`);
    }
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(200) }))), 'InvalidCiphertextException');
  });

  it('Decrypt with another KeyId gives IncorrectKeyException', async () => {
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other }))), 'IncorrectKeyException');
  });

  it('a disabled or pending-deletion key refuses every cryptographic operation at once', async () => {
    const id = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const enc = await kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }));
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }))), 'DisabledException');
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))), 'DisabledException');
    assert.equal(await errorName(kms.send(new GenerateDataKeyCommand({ KeyId: id, KeySpec: 'AES_256' }))), 'DisabledException');
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))), 'KMSInvalidStateException');
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }))), 'KMSInvalidStateException');
    await kms.send(new CancelKeyDeletionCommand({ KeyId: id }));
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    assert.equal(Buffer.from(dec.Plaintext!).toString(), 'x');
  });

  it('Encrypt enforces 1-4096 bytes and symmetric algorithms', async () => {
    await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(4096) }));
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(4097) }))), 'ValidationException');
    // The plaintext is never echoed in the message (AWS-recorded wording).
    assert.equal(
      (await failure(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(4097) })))).message,
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(0) }))), 'ValidationException');
    assert.equal(
      await errorName(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))),
      'InvalidKeyUsageException',
    );
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: 'alias/none', Plaintext: Buffer.from('x') }))), 'NotFoundException');
  });

  it('GenerateDataKey: KeySpec or NumberOfBytes, exactly one; plaintext decrypts from the blob', async () => {
    const g = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { k: 'v' } }));
    assert.equal(g.Plaintext!.length, 32);
    assert.equal(g.KeyId, keyArn);
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob, EncryptionContext: { k: 'v' } }));
    assert.deepEqual(Buffer.from(d.Plaintext!), Buffer.from(g.Plaintext!));
    assert.equal((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_128' }))).Plaintext!.length, 16);
    assert.equal((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1024 }))).Plaintext!.length, 1024);
    assert.equal(await errorName(kms.send(new GenerateDataKeyCommand({ KeyId: keyId }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', NumberOfBytes: 32 }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1025 }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 0 }))), 'ValidationException');
  });

  it('GenerateDataKeyWithoutPlaintext returns only the encrypted key', async () => {
    const g = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: 'alias/crypto', KeySpec: 'AES_256' }));
    assert.equal((g as { Plaintext?: unknown }).Plaintext, undefined);
    assert.equal(g.KeyId, keyArn);
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob }));
    assert.equal(d.Plaintext!.length, 32);
  });

  it('ReEncrypt moves a ciphertext to another key and context without exposing the plaintext', async () => {
    const dest = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('move me'), EncryptionContext: { from: '1' } }));
    const re = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: { from: '1' },
        DestinationKeyId: dest.KeyId,
        DestinationEncryptionContext: { to: '2' },
      }),
    );
    assert.equal(re.SourceKeyId, keyArn);
    assert.equal(re.KeyId, dest.Arn);
    assert.equal((re as { Plaintext?: unknown }).Plaintext, undefined);
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { to: '2' } }));
    assert.equal(Buffer.from(d.Plaintext!).toString(), 'move me');
    assert.equal(d.KeyId, dest.Arn);
    assert.equal(
      await errorName(
        kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { from: 'x' }, DestinationKeyId: dest.KeyId })),
      ),
      'InvalidCiphertextException',
    );
    assert.equal(
      await errorName(
        kms.send(
          new ReEncryptCommand({
            CiphertextBlob: enc.CiphertextBlob,
            SourceEncryptionContext: { from: '1' },
            SourceKeyId: dest.KeyId,
            DestinationKeyId: dest.KeyId,
          }),
        ),
      ),
      'IncorrectKeyException',
    );
  });

  it('DryRun validates and answers DryRunOperationException without doing the work', async () => {
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), DryRun: true }))), 'DryRunOperationException');
    assert.equal(await errorName(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', DryRun: true }))), 'DryRunOperationException');
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, DryRun: true }))), 'DryRunOperationException');
    // DryRun does not hide real errors.
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: 'alias/none', Plaintext: Buffer.from('x'), DryRun: true }))), 'NotFoundException');
  });

  it('GenerateRandom returns 1-1024 random bytes', async () => {
    const a = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }));
    const b = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 64 }));
    assert.equal(a.Plaintext!.length, 64);
    assert.notDeepEqual(Buffer.from(a.Plaintext!), Buffer.from(b.Plaintext!));
    assert.equal(await errorName(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new GenerateRandomCommand({}))), 'ValidationException');
  });
});
