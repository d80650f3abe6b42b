// Imported key material (https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html): an
// EXTERNAL key is created without material (PendingImport); GetParametersForImport hands out an RSA public
// key and an import token (its private half stays here, sealed, for 24 hours); ImportKeyMaterial unwraps the
// customer's material (256 bits, or an HMAC key's length) with it and makes the key usable, until the material
// expires (ValidTo) or is deleted. Re-importing must bring the same material — a keyed fingerprint is kept for that — so every
// ciphertext made before a deletion decrypts again after the re-import.
import { constants, createDecipheriv, createHmac, generateKeyPair, privateDecrypt, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { ValidationException } from '../../../protocol/errors.js';
import {
  ExpiredImportTokenException,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  KMSInvalidStateException,
  UnsupportedOperationException,
} from '../errors.js';
import { importedHmacKeyBytes, isHmacSpec } from './hmac.js';
import type { KeyAccess } from './key-access.js';
import { requireCustomerManaged } from './lifecycle.js';
import type { ExpirationModel, KeyRecord } from './types.js';

const PARAMETERS_VALID_MS = 24 * 3_600_000;
const MATERIAL_BYTES = 32;

export const WRAPPING_ALGORITHMS = [
  'RSAES_PKCS1_V1_5',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
  'SM2PKE',
];
export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'];

interface TokenSecret {
  algorithm: string;
  /** RSA modulus size in bits (RSA_AES_KEY_WRAP: the RSA-wrapped AES key takes the first modulus/8 bytes). */
  modulusBits: number;
  privateKey: string;
  validTo: number;
}

function requireExternal(rec: KeyRecord, operation: string): void {
  requireCustomerManaged(rec, operation);
  if (rec.origin !== 'EXTERNAL') throw new UnsupportedOperationException(`${rec.arn} origin is ${rec.origin} which is not valid for this operation.`);
}

/** A fingerprint of imported material keyed by the key (and a Keyhold secret), never the material's plain hash. */
function fingerprint(access: KeyAccess, rec: KeyRecord, material: Buffer): string {
  return createHmac('sha256', access.importFingerprintKey).update(rec.keyId).update(material).digest('hex');
}

export async function parametersForImport(
  access: KeyAccess,
  rec: KeyRecord,
  algorithm: string,
  keySpec: string,
): Promise<{ token: Buffer; publicKey: Buffer; validTo: number }> {
  requireExternal(rec, 'GetParametersForImport');
  access.requireNotPendingDeletion(rec);
  // SM2 is for the China Regions; PKCS#1 v1.5 wrapping is no longer accepted for new imports (padding oracles).
  if (keySpec === 'SM2' || algorithm === 'SM2PKE') throw new UnsupportedOperationException('SM2 wrapping is available only in the China Regions.');
  if (algorithm === 'RSAES_PKCS1_V1_5')
    throw new UnsupportedOperationException('RSAES_PKCS1_V1_5 is not supported for importing key material; use RSAES_OAEP_SHA_256.');
  const modulusBits = Number(keySpec.slice(4));
  // Generated on the thread pool: an RSA-4096 key takes long enough to stall every other request on the loop.
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: modulusBits });
  const token = randomBytes(32);
  const validTo = access.clock() + PARAMETERS_VALID_MS;
  const secret: TokenSecret = { algorithm, modulusBits, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, validTo };
  await access.store.putImportToken(rec.keyId, token.toString('hex'), Buffer.from(JSON.stringify(secret)));
  return { token, publicKey: publicKey.export({ type: 'spki', format: 'der' }), validTo };
}

/** The material out of its wrapping (RSA-OAEP, or RSA-OAEP of an AES key that wraps the material, RFC 5649). */
function unwrap(secret: TokenSecret, wrapped: Buffer): Buffer {
  const hash = secret.algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const rsa = (data: Buffer) => privateDecrypt({ key: secret.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
  try {
    if (secret.algorithm.startsWith('RSAES_OAEP')) return rsa(wrapped);
    const modulusBytes = secret.modulusBits / 8;
    const aesKey = rsa(wrapped.subarray(0, modulusBytes));
    // AES key wrap with padding (RFC 5649), not GCM: no separate tag (authTagLength does not apply); its integrity
    // check is built in, so a wrong key or a changed byte fails final().
    const d = createDecipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
    return Buffer.concat([d.update(wrapped.subarray(modulusBytes)), d.final()]);
  } catch {
    throw new InvalidCiphertextException('The encrypted key material could not be decrypted with the wrapping key of this import token.');
  }
}

/** Symmetric encryption keys take exactly 256 bits; HMAC keys a length their spec allows (hmac.ts). */
function checkMaterialLength(rec: KeyRecord, material: Buffer): void {
  if (isHmacSpec(rec.keySpec)) {
    const { min, max } = importedHmacKeyBytes(rec.keySpec);
    if (material.length < min || material.length > max) throw new IncorrectKeyMaterialException(`${rec.keySpec} key material must be ${min} to ${max} bytes.`);
    return;
  }
  if (material.length !== MATERIAL_BYTES) throw new IncorrectKeyMaterialException('Symmetric key material must be 256 bits (32 bytes).');
}

export async function importMaterial(
  access: KeyAccess,
  rec: KeyRecord,
  p: { token: Buffer; encrypted: Buffer; expirationModel: ExpirationModel; validTo?: number },
): Promise<KeyRecord> {
  requireExternal(rec, 'ImportKeyMaterial');
  access.requireNotPendingDeletion(rec);
  const tokenId = p.token.toString('hex');
  const stored = p.token.length === 32 ? await access.store.getImportToken(rec.keyId, tokenId) : undefined;
  if (!stored) throw new InvalidImportTokenException();
  const secret = JSON.parse(stored.toString()) as TokenSecret;
  const now = access.clock();
  if (now > secret.validTo) throw new ExpiredImportTokenException();
  if (p.expirationModel === 'KEY_MATERIAL_EXPIRES' && (p.validTo === undefined || p.validTo <= now)) {
    throw new ValidationException(
      p.validTo === undefined ? 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES' : 'The validTo date must be in the future.',
    );
  }
  const material = unwrap(secret, p.encrypted);
  checkMaterialLength(rec, material);
  const print = fingerprint(access, rec, material);
  const updated = await access.store.update(rec.keyId, (r) => {
    const known = r.imported?.fingerprint;
    if (known !== undefined && !timingSafeEqual(Buffer.from(known, 'hex'), Buffer.from(print, 'hex'))) throw new IncorrectKeyMaterialException();
    // The first import names the material; a re-import restores it under the same id, so old ciphertexts decrypt.
    const materialId = r.currentMaterialId || randomBytes(32).toString('hex');
    if (!r.materials.some((m) => m.id === materialId)) r.materials.push({ id: materialId, createdAt: now });
    r.currentMaterialId = materialId;
    r.imported = { expirationModel: p.expirationModel, ...(p.validTo !== undefined ? { validTo: p.validTo } : {}), fingerprint: print };
    // A key that still has its material (the same, checked above) only takes the new expiration.
    if (r.state !== 'PendingImport') return undefined;
    r.state = 'Enabled';
    return { materialId, material };
  });
  await access.store.deleteImportTokens(rec.keyId, tokenId);
  return updated;
}

/** Deletes the imported material (on request, or when it expires): the key waits for a re-import. */
export async function deleteImportedMaterial(access: KeyAccess, rec: KeyRecord): Promise<KeyRecord> {
  requireExternal(rec, 'DeleteImportedKeyMaterial');
  access.requireNotPendingDeletion(rec);
  return access.store.update(rec.keyId, (r) => {
    if (r.state === 'PendingDeletion') throw new KMSInvalidStateException(`${r.arn} is pending deletion.`);
    r.state = 'PendingImport';
    if (r.imported) {
      delete r.imported.validTo;
      delete r.imported.expirationModel;
    }
    return { removeMaterialIds: r.materials.map((m) => m.id) };
  });
}

/** Whether an EXTERNAL key's material has passed its ValidTo (the scheduler then deletes it). */
export function importedMaterialExpired(rec: KeyRecord, now: number): boolean {
  return (
    rec.origin === 'EXTERNAL' &&
    rec.state !== 'PendingImport' &&
    rec.state !== 'PendingDeletion' &&
    rec.imported?.validTo !== undefined &&
    now >= rec.imported.validTo
  );
}
