// Imported key material (BYOK) through the SDK: an EXTERNAL key waits for its material, takes it wrapped with the
// public key of GetParametersForImport (RSA-OAEP, or RSA + AES key wrap), serves Encrypt/Decrypt, loses it on
// delete or at ValidTo, and takes back only the same material — after which every earlier ciphertext decrypts.
import assert from 'node:assert/strict';
import { constants, createCipheriv, createHmac, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import type { KmsService } from '../../src/services/kms/index.js';
import { auditEvents } from '../helpers/audit.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

type Algorithm = 'RSAES_OAEP_SHA_256' | 'RSAES_OAEP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';

describe('KMS imported key material', () => {
  let s: TestServer;
  let kms: KMSClient;
  let offset = 0;

  /** Wraps material as the AWS documentation shows (openssl pkeyutl / the RSA-AES key wrap recipe). */
  async function wrapped(keyId: string, material: Buffer, algorithm: Algorithm = 'RSAES_OAEP_SHA_256', spec: 'RSA_2048' | 'RSA_3072' = 'RSA_2048') {
    const p = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }));
    const key = createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
    const oaep = (data: Buffer, hash: string) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
    let encrypted: Buffer;
    if (algorithm === 'RSA_AES_KEY_WRAP_SHA_256') {
      const aes = randomBytes(32);
      const kw = createCipheriv('id-aes256-wrap-pad', aes, Buffer.from('a65959a6', 'hex'));
      encrypted = Buffer.concat([oaep(aes, 'sha256'), kw.update(material), kw.final()]);
    } else {
      encrypted = oaep(material, algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256');
    }
    return { token: p.ImportToken!, encrypted, validTo: p.ParametersValidTo! };
  }
  const importInto = async (
    keyId: string,
    material: Buffer,
    extra: {
      ValidTo?: Date;
      algorithm?: Algorithm;
      spec?: 'RSA_2048' | 'RSA_3072';
      ImportType?: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';
      KeyMaterialId?: string;
    } = {},
  ) => {
    const w = await wrapped(keyId, material, extra.algorithm, extra.spec);
    return kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: w.token,
        EncryptedKeyMaterial: w.encrypted,
        ...(extra.ValidTo ? { ValidTo: extra.ValidTo, ExpirationModel: 'KEY_MATERIAL_EXPIRES' } : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
        ...(extra.ImportType ? { ImportType: extra.ImportType } : {}),
        ...(extra.KeyMaterialId ? { KeyMaterialId: extra.KeyMaterialId } : {}),
      }),
    );
  };
  const state = async (keyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

  before(async () => {
    s = await startTestServer({ start: { clock: () => Date.now() + offset } });
    kms = s.kms();
  });
  after(() => s.stop());

  it('an EXTERNAL key is usable only once its material is imported, and serves Encrypt/Decrypt with it', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const before = await state(keyId);
    assert.deepEqual([before.Origin, before.KeyState, before.Enabled, before.CurrentKeyMaterialId], ['EXTERNAL', 'PendingImport', false, undefined]);
    assert.equal(await errorName(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))), 'KMSInvalidStateException');
    const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    assert.ok(params.ParametersValidTo!.getTime() > Date.now() + 23 * 3_600_000, 'valid for 24 hours');
    assert.equal(createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength, 2048);

    const material = randomBytes(32);
    const imported = await importInto(keyId, material);
    assert.ok(imported.KeyMaterialId);
    const after = await state(keyId);
    assert.deepEqual([after.KeyState, after.ExpirationModel, after.CurrentKeyMaterialId], ['Enabled', 'KEY_MATERIAL_DOES_NOT_EXPIRE', imported.KeyMaterialId]);
    const ct = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('bring your own key') }))).CiphertextBlob!;
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: ct }))).Plaintext!).toString(), 'bring your own key');
    assert.equal(await errorName(kms.send(new EnableKeyRotationCommand({ KeyId: keyId }))), 'UnsupportedOperationException');

    // CloudTrail's records: the wrapping parameters, never the token, public key or wrapped material.
    const events = (await auditEvents(s.dataDir)).filter((e) => (e.requestParameters as { keyId?: string } | null)?.keyId === keyId);
    const parameters = events.find((e) => e.eventName === 'GetParametersForImport')!;
    assert.deepEqual([parameters.readOnly, parameters.responseElements], [true, null]);
    const importEvent = events.find((e) => e.eventName === 'ImportKeyMaterial')!;
    assert.deepEqual(importEvent.requestParameters, { keyId, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    assert.equal(importEvent.responseElements, null);
  });

  it('refuses a used or foreign token, undecryptable or wrong-sized material, and an expiring import without ValidTo', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const other = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const w = await wrapped(keyId, randomBytes(32));
    const send = (
      KeyId: string,
      EncryptedKeyMaterial: Uint8Array,
      ImportToken: Uint8Array = w.token,
      more: Record<string, unknown> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
    ) => kms.send(new ImportKeyMaterialCommand({ KeyId, ImportToken, EncryptedKeyMaterial, ...more }));
    assert.equal(await errorName(send(other, w.encrypted)), 'InvalidImportTokenException', "another key's token");
    assert.equal(await errorName(send(keyId, randomBytes(256))), 'InvalidCiphertextException');
    const short = await wrapped(keyId, randomBytes(16));
    assert.equal(await errorName(send(keyId, short.encrypted, short.token)), 'IncorrectKeyMaterialException');
    assert.equal(await errorName(send(keyId, w.encrypted, w.token, { ExpirationModel: 'KEY_MATERIAL_EXPIRES' })), 'ValidationException');
    // ExpirationModel defaults to KEY_MATERIAL_EXPIRES, so naming neither it nor ValidTo is the same mistake.
    const bare = kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: w.token, EncryptedKeyMaterial: w.encrypted }));
    assert.deepEqual(await failure(bare), {
      name: 'ValidationException',
      message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
      status: 400,
    });
    assert.equal((await state(keyId)).KeyState, 'PendingImport', 'nothing was imported');
    await send(keyId, w.encrypted);
    assert.equal(await errorName(send(keyId, w.encrypted)), 'InvalidImportTokenException', 'a token is used once');
    const notExternal = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    assert.equal(
      await errorName(
        kms.send(new GetParametersForImportCommand({ KeyId: notExternal, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })),
      ),
      'UnsupportedOperationException',
    );
  });

  it('deleting the material stops the key; only the same material brings it back, and old ciphertexts decrypt again', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const material = randomBytes(32);
    const first = await importInto(keyId, material, { algorithm: 'RSAES_OAEP_SHA_1' });
    const ct = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    const deleted = await state(keyId);
    assert.deepEqual([deleted.KeyState, deleted.ExpirationModel, deleted.CurrentKeyMaterialId], ['PendingImport', undefined, first.KeyMaterialId]);
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: ct }))), 'KMSInvalidStateException');
    const wrong = await failure(importInto(keyId, randomBytes(32)));
    assert.equal(wrong.name, 'IncorrectKeyMaterialException');
    const again = await importInto(keyId, material, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256', spec: 'RSA_3072' });
    assert.equal(again.KeyMaterialId, first.KeyMaterialId);
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: ct }))).Plaintext!).toString(), 'kept');
  });

  it('rotates on demand to material imported as NEW_KEY_MATERIAL, one pending at a time; every material decrypts its ciphertexts', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const arn = (await state(keyId)).Arn!;
    assert.equal(
      (await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).message,
      `${arn} is pending import.`,
      'no material yet (AWS-recorded wording)',
    );
    const [m1, m2] = [randomBytes(32), randomBytes(32)];
    const first = (await importInto(keyId, m1)).KeyMaterialId!;
    const c1 = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('one') }))).CiphertextBlob!;
    assert.equal(
      (await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).message,
      `No available key material pending rotation for the key: ${arn}.`,
    );
    const second = (await importInto(keyId, m2, { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    assert.notEqual(second, first);
    assert.equal((await state(keyId)).CurrentKeyMaterialId, first, 'pending material is not current yet');
    const third = await failure(importInto(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' }));
    assert.equal(third.name, 'KMSInvalidStateException');
    assert.match(
      third.message,
      new RegExp(`cannot be imported into KMS key ${keyId}, because another key material \\(id: ${second}\\) is pending rotation\\.$`),
    );
    const listed = async () =>
      (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!.map((r) => [
        r.KeyMaterialId,
        r.KeyMaterialState,
        r.ImportState,
        r.RotationType,
      ]);
    assert.deepEqual(await listed(), [
      [first, 'CURRENT', 'IMPORTED', undefined],
      [second, 'PENDING_ROTATION', 'IMPORTED', undefined],
    ]);

    assert.equal((await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))).KeyId, arn);
    assert.equal((await state(keyId)).CurrentKeyMaterialId, second);
    const c2 = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('two') }));
    const decrypt = async (CiphertextBlob: Uint8Array) => Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString();
    assert.deepEqual([await decrypt(c1), await decrypt(c2.CiphertextBlob!)], ['one', 'two']);
    assert.deepEqual(await listed(), [
      [first, 'NON_CURRENT', 'IMPORTED', undefined],
      [second, 'CURRENT', 'IMPORTED', 'ON_DEMAND'],
    ]);

    // Deleting the material stops the key; each material comes back by re-importing the same bytes (by id for
    // a non-current one), and with it the ciphertexts made under it.
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    assert.equal((await state(keyId)).KeyState, 'PendingImport');
    assert.equal((await failure(importInto(keyId, m1))).name, 'IncorrectKeyMaterialException', 'the current material is the second');
    await importInto(keyId, m2);
    assert.equal(await decrypt(c2.CiphertextBlob!), 'two');
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: c1 }))), 'InvalidCiphertextException', 'the first is still deleted');
    await importInto(keyId, m1, { KeyMaterialId: first });
    assert.equal(await decrypt(c1), 'one');

    // One material at a time: a non-current one (its ciphertexts stop, the key serves on), or a pending one.
    const one = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: first }));
    assert.equal(one.KeyMaterialId, first);
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: c1 }))), 'InvalidCiphertextException');
    assert.deepEqual([(await state(keyId)).KeyState, await decrypt(c2.CiphertextBlob!)], ['Enabled', 'two']);
    const pending = (await importInto(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' })).KeyMaterialId!;
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: pending }));
    assert.equal((await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })))).name, 'KMSInvalidStateException', 'nothing pending any more');
  });

  it('an HMAC key takes imported material of a length its spec allows, and MACs with exactly that material', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!.KeyId!;
    assert.deepEqual([(await state(keyId)).KeyState, (await state(keyId)).MacAlgorithms], ['PendingImport', ['HMAC_SHA_256']]);
    assert.equal((await failure(importInto(keyId, randomBytes(31)))).name, 'IncorrectKeyMaterialException', 'shorter than the hash');
    assert.equal((await failure(importInto(keyId, randomBytes(65)))).name, 'IncorrectKeyMaterialException', 'longer than the block');
    const material = randomBytes(40);
    await importInto(keyId, material);
    assert.equal((await state(keyId)).KeyState, 'Enabled');
    const message = Buffer.from('authenticate me');
    const made = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    assert.deepEqual(Buffer.from(made.Mac!), createHmac('sha256', material).update(message).digest(), 'RFC 2104 HMAC under the imported key');
  });

  it('material imported with a ValidTo is deleted when it passes, by the background sweep', async () => {
    const keyId = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const validTo = new Date(Math.floor((Date.now() + 3_600_000) / 1000) * 1000);
    await importInto(keyId, randomBytes(32), { ValidTo: validTo });
    const d = await state(keyId);
    assert.deepEqual([d.ExpirationModel, d.ValidTo?.getTime()], ['KEY_MATERIAL_EXPIRES', validTo.getTime()]);
    const scheduler = (s.kh.service('kms') as KmsService).scheduler;
    await scheduler.runOnce();
    assert.equal((await state(keyId)).KeyState, 'Enabled', 'not yet');
    offset = 2 * 3_600_000;
    try {
      await scheduler.runOnce();
    } finally {
      offset = 0;
    }
    assert.equal((await state(keyId)).KeyState, 'PendingImport');

    // Material that is not current expires on its own ValidTo: a replaced one and a pending one are deleted alone,
    // the key serves on with its current material.
    const rotating = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!.KeyId!;
    const replaced = (await importInto(rotating, randomBytes(32), { ValidTo: validTo })).KeyMaterialId!;
    const old = (await kms.send(new EncryptCommand({ KeyId: rotating, Plaintext: Buffer.from('old') }))).CiphertextBlob!;
    await importInto(rotating, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: rotating }));
    const pending = (await importInto(rotating, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL', ValidTo: validTo })).KeyMaterialId!;
    const materials = async () =>
      Object.fromEntries(
        (await kms.send(new ListKeyRotationsCommand({ KeyId: rotating, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!.map((r) => [
          r.KeyMaterialId,
          `${r.KeyMaterialState} ${r.ImportState} ${r.ExpirationModel}`,
        ]),
      );
    await scheduler.runOnce();
    assert.deepEqual(
      [(await materials())[replaced], (await materials())[pending]],
      ['NON_CURRENT IMPORTED KEY_MATERIAL_EXPIRES', 'PENDING_ROTATION IMPORTED KEY_MATERIAL_EXPIRES'],
    );
    offset = 2 * 3_600_000;
    try {
      await scheduler.runOnce();
      await scheduler.runOnce();
    } finally {
      offset = 0;
    }
    const after = await materials();
    assert.equal(after[pending], undefined, 'pending material gone');
    assert.equal(after[replaced], 'NON_CURRENT PENDING_IMPORT undefined', 'replaced material deleted, awaiting a re-import');
    assert.equal((await state(rotating)).KeyState, 'Enabled');
    assert.equal(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: old }))), 'InvalidCiphertextException');
  });
});
