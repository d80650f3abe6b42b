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
  NotFoundException,
  UnsupportedOperationException,
} from '../errors.js';
import { importedHmacKeyBytes, isHmacSpec } from './hmac.js';
import type { KeyAccess } from './key-access.js';
import { requireCustomerManaged } from './lifecycle.js';
import type { ExpirationModel, KeyRecord, MaterialInfo } from './types.js';

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

export type ImportType = 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL';

export interface ImportRequest {
  token: Buffer;
  encrypted: Buffer;
  expirationModel: ExpirationModel;
  validTo?: number;
  /** Default: NEW_KEY_MATERIAL for a key that never had material, EXISTING_KEY_MATERIAL after (API reference). */
  importType?: ImportType;
  /** EXISTING_KEY_MATERIAL: which of the key's materials is re-imported (default: the current one). */
  keyMaterialId?: string;
  description?: string;
}

/** The fingerprint a re-import of `m` must match (the first import of a key keeps it in `imported`). */
function fingerprintOf(r: KeyRecord, m: MaterialInfo): string | undefined {
  return m.fingerprint ?? (m.id === r.currentMaterialId ? r.imported?.fingerprint : undefined);
}

const samePrint = (a: string | undefined, b: string) => a !== undefined && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));

/**
 * ImportKeyMaterial. A key's first import makes its material current; NEW_KEY_MATERIAL afterwards adds material
 * that waits, pending rotation, until RotateKeyOnDemand makes it current (one at a time); EXISTING_KEY_MATERIAL
 * re-imports one of the key's materials (the current one by default), which must be the same bytes (keyed
 * fingerprint), restoring it after a deletion, so every ciphertext made under it decrypts again.
 */
export async function importMaterial(access: KeyAccess, rec: KeyRecord, p: ImportRequest): Promise<{ rec: KeyRecord; materialId: string }> {
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
  if (p.importType === 'NEW_KEY_MATERIAL' && p.keyMaterialId !== undefined)
    throw new ValidationException('KeyMaterialId cannot be specified when ImportType is NEW_KEY_MATERIAL.');
  const material = unwrap(secret, p.encrypted);
  checkMaterialLength(rec, material);
  const print = fingerprint(access, rec, material);
  const expiry = { expirationModel: p.expirationModel, ...(p.validTo !== undefined ? { validTo: p.validTo } : {}) };
  const first = rec.materials.length === 0;
  const type = first ? 'NEW_KEY_MATERIAL' : (p.importType ?? 'EXISTING_KEY_MATERIAL');
  // A re-import stores the bytes again only if they are gone (deleted, or expired).
  const targetId = type === 'EXISTING_KEY_MATERIAL' ? (p.keyMaterialId ?? rec.currentMaterialId) : '';
  const present = targetId !== '' && (await access.store.hasMaterial(rec.keyId, targetId));
  let materialId = '';
  const updated = await access.store.update(rec.keyId, (r) => {
    if (type === 'NEW_KEY_MATERIAL' && r.materials.length > 0) {
      // Material for an on-demand rotation: not current until RotateKeyOnDemand.
      materialId = randomBytes(32).toString('hex');
      if (r.state === 'PendingImport') throw new KMSInvalidStateException(`${r.arn} is pending import.`);
      const waiting = r.materials.find((m) => m.pendingRotation);
      if (waiting) {
        throw new KMSInvalidStateException(
          `New key material (id: ${materialId}) cannot be imported into KMS key ${r.keyId}, because another key material (id: ${waiting.id}) is pending rotation.`,
        );
      }
      if (r.materials.some((m) => samePrint(fingerprintOf(r, m), print)))
        throw new IncorrectKeyMaterialException('This key material is already associated with this KMS key.');
      r.materials.push({
        id: materialId,
        createdAt: now,
        fingerprint: print,
        pendingRotation: expiry,
        ...(p.description ? { description: p.description } : {}),
      });
      return { materialId, material };
    }
    if (r.materials.length === 0) {
      // The first import names the material and makes it current.
      materialId = randomBytes(32).toString('hex');
      r.materials.push({ id: materialId, createdAt: now, fingerprint: print, ...(p.description ? { description: p.description } : {}) });
      r.currentMaterialId = materialId;
      r.imported = { ...expiry, fingerprint: print };
      r.state = 'Enabled';
      return { materialId, material };
    }
    const target = r.materials.find((m) => m.id === targetId);
    if (!target) throw new NotFoundException(`Key material ${targetId} is not associated with ${r.arn}.`);
    if (!samePrint(fingerprintOf(r, target), print)) throw new IncorrectKeyMaterialException();
    materialId = target.id;
    target.fingerprint = print;
    if (p.description) target.description = p.description;
    if (target.pendingRotation) target.pendingRotation = expiry;
    else if (target.id !== r.currentMaterialId) target.expiry = expiry;
    if (target.id === r.currentMaterialId) {
      r.imported = { ...expiry, fingerprint: print };
      if (r.state === 'PendingImport') r.state = 'Enabled';
    }
    // The same bytes under the same id: restored if they were deleted, otherwise only the expiration changes.
    return present ? undefined : { materialId, material };
  });
  await access.store.deleteImportTokens(rec.keyId, tokenId);
  return { rec: updated, materialId };
}

/** RotateKeyOnDemand of an EXTERNAL key: the material imported as NEW_KEY_MATERIAL becomes current. */
export function rotateToImported(r: KeyRecord, now: number): void {
  const next = r.materials.find((m) => m.pendingRotation);
  if (!next) throw new KMSInvalidStateException(`No available key material pending rotation for the key: ${r.arn}.`);
  // The material it replaces keeps its own expiration, and its fingerprint for a re-import.
  const previous = r.materials.find((m) => m.id === r.currentMaterialId);
  if (previous) {
    previous.fingerprint ??= r.imported?.fingerprint;
    if (r.imported?.expirationModel)
      previous.expiry = { expirationModel: r.imported.expirationModel, ...(r.imported.validTo !== undefined ? { validTo: r.imported.validTo } : {}) };
  }
  r.imported = { ...next.pendingRotation!, fingerprint: next.fingerprint! };
  delete next.pendingRotation;
  next.rotationType = 'ON_DEMAND';
  next.createdAt = now;
  r.currentMaterialId = next.id;
}

/**
 * Deletes imported material (on request, or when it expires). Without a material id, or naming the current one,
 * every imported material goes and the key waits for a re-import (PendingImport); material pending rotation is not
 * yet part of the key and is dropped. Naming a non-current or pending material deletes that one only.
 */
export async function deleteImportedMaterial(
  access: KeyAccess,
  rec: KeyRecord,
  keyMaterialId?: string,
): Promise<{ rec: KeyRecord; deletedMaterialId: string }> {
  requireExternal(rec, 'DeleteImportedKeyMaterial');
  access.requireNotPendingDeletion(rec);
  let deleted = '';
  const updated = await access.store.update(rec.keyId, (r) => {
    if (r.state === 'PendingDeletion') throw new KMSInvalidStateException(`${r.arn} is pending deletion.`);
    const one = keyMaterialId !== undefined && keyMaterialId !== r.currentMaterialId ? r.materials.find((m) => m.id === keyMaterialId) : undefined;
    if (keyMaterialId !== undefined && keyMaterialId !== r.currentMaterialId && !one)
      throw new NotFoundException(`Key material ${keyMaterialId} is not associated with ${r.arn}.`);
    if (one) {
      deleted = one.id;
      delete one.expiry;
      if (one.pendingRotation) r.materials = r.materials.filter((m) => m !== one);
      return { removeMaterialIds: [one.id] };
    }
    deleted = r.currentMaterialId;
    r.state = 'PendingImport';
    if (r.imported) {
      delete r.imported.validTo;
      delete r.imported.expirationModel;
    }
    const removed = r.materials.map((m) => m.id);
    r.materials = r.materials.filter((m) => !m.pendingRotation);
    return { removeMaterialIds: removed };
  });
  return { rec: updated, deletedMaterialId: deleted };
}

/**
 * Imported material other than the current one (pending rotation, or replaced by a rotation) whose own ValidTo has
 * passed: the scheduler deletes it alone (the current material's expiry stops the key: importedMaterialExpired).
 */
export function expiredNonCurrentMaterial(rec: KeyRecord, now: number): string | undefined {
  if (rec.origin !== 'EXTERNAL' || rec.state === 'PendingDeletion') return undefined;
  const validTo = (m: MaterialInfo) => (m.pendingRotation ?? m.expiry)?.validTo;
  return rec.materials.find((m) => m.id !== rec.currentMaterialId && validTo(m) !== undefined && now >= validTo(m)!)?.id;
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
