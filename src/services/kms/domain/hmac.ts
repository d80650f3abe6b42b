// HMAC KMS keys (https://docs.aws.amazon.com/kms/latest/developerguide/hmac.html): GENERATE_VERIFY_MAC keys whose
// key spec fixes both the hash and the key length (HMAC_256: SHA-256 over a 256-bit key; RFC 2104, FIPS 198-1).
// GenerateMac computes HMAC(material, message); VerifyMac recomputes it and compares in constant time. The key
// material never leaves Keyhold, as for every KMS key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { KeySpec } from './types.js';

export type HmacKeySpec = 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512';
export type MacAlgorithm = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';

const SPECS: Readonly<Record<HmacKeySpec, { algorithm: MacAlgorithm; hash: string; keyBytes: number }>> = {
  HMAC_224: { algorithm: 'HMAC_SHA_224', hash: 'sha224', keyBytes: 28 },
  HMAC_256: { algorithm: 'HMAC_SHA_256', hash: 'sha256', keyBytes: 32 },
  HMAC_384: { algorithm: 'HMAC_SHA_384', hash: 'sha384', keyBytes: 48 },
  HMAC_512: { algorithm: 'HMAC_SHA_512', hash: 'sha512', keyBytes: 64 },
};

/** In the order AWS lists them in its validation messages (recorded answers). */
export const MAC_ALGORITHMS: ReadonlyArray<MacAlgorithm> = ['HMAC_SHA_384', 'HMAC_SHA_256', 'HMAC_SHA_224', 'HMAC_SHA_512'];

export function isHmacSpec(spec: KeySpec | string): spec is HmacKeySpec {
  return Object.hasOwn(SPECS, spec);
}

/** The one MAC algorithm a key spec allows. */
export function macAlgorithmOf(spec: HmacKeySpec): MacAlgorithm {
  return SPECS[spec].algorithm;
}

/** Bytes of key material Keyhold generates for a spec: the hash's output length, as AWS generates it. */
export function hmacKeyBytes(spec: HmacKeySpec): number {
  return SPECS[spec].keyBytes;
}

/**
 * Imported HMAC key material: at least the hash's output and at most its block size (HMAC_224/256: 28/32 to 64
 * bytes; HMAC_384/512: 48/64 to 128), so the key is neither weaker than the tag nor hashed down by HMAC itself.
 */
export function importedHmacKeyBytes(spec: HmacKeySpec): { min: number; max: number } {
  return { min: SPECS[spec].keyBytes, max: spec === 'HMAC_224' || spec === 'HMAC_256' ? 64 : 128 };
}

export function computeMac(spec: HmacKeySpec, material: Buffer, message: Buffer): Buffer {
  return createHmac(SPECS[spec].hash, material).update(message).digest();
}

/** Constant-time check of a MAC (a MAC of another length is simply wrong; its length is not secret). */
export function macMatches(spec: HmacKeySpec, material: Buffer, message: Buffer, mac: Buffer): boolean {
  const expected = computeMac(spec, material, message);
  return mac.length === expected.length && timingSafeEqual(mac, expected);
}
