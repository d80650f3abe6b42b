// Object checksums as S3 defines them (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Checksum.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html): CRC32 (node:zlib),
// CRC32C (@aws-crypto/crc32c, the AWS SDK's own), CRC64NVME (crc64nvme.ts), SHA-1, SHA-256, SHA-512 and MD5
// (node:crypto); each is the base64 of the big-endian digest, as in x-amz-checksum-<alg>. S3's XXHASH64,
// XXHASH3 and XXHASH128 are named so they can be refused clearly: node:crypto has no xxHash.
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { CRC32_SPEC, CRC32C_SPEC, CRC64NVME_SPEC, type CrcSpec } from './crc-combine.js';
import { Crc64Nvme } from './crc64nvme.js';

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256' | 'sha512' | 'md5';
export const CHECKSUM_ALGORITHMS: ReadonlyArray<ChecksumAlgorithm> = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256', 'sha512', 'md5'];
/** Algorithms S3 has and Keyhold does not implement. */
export const UNIMPLEMENTED_ALGORITHMS: ReadonlyArray<string> = ['xxhash64', 'xxhash3', 'xxhash128'];

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = { crc32: 4, crc32c: 4, crc64nvme: 8, sha1: 20, sha256: 32, sha512: 64, md5: 16 };

/** The CRCs, the only algorithms a multipart upload can have a full-object checksum of (CRC64NVME has no other). */
export const CRC_SPECS: Readonly<Partial<Record<ChecksumAlgorithm, CrcSpec>>> = { crc32: CRC32_SPEC, crc32c: CRC32C_SPEC, crc64nvme: CRC64NVME_SPEC };

export interface StreamingChecksum {
  update(data: Buffer): void;
  /** base64, as in the x-amz-checksum-* header. */
  digest(): string;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

function rawChecksum(alg: ChecksumAlgorithm): { update(d: Buffer): void; digest(): Buffer } {
  switch (alg) {
    case 'crc32': {
      let v = 0;
      return { update: (d) => void (v = crc32(d, v)), digest: () => u32(v) };
    }
    case 'crc32c': {
      const c = new Crc32c();
      return { update: (d) => void c.update(d), digest: () => u32(c.digest()) };
    }
    case 'crc64nvme': {
      const c = new Crc64Nvme();
      return { update: (d) => void c.update(d), digest: () => c.digest() };
    }
    case 'sha1':
    case 'sha256':
    case 'sha512':
    case 'md5': {
      const h: Hash = createHash(alg);
      return { update: (d) => void h.update(d), digest: () => h.digest() };
    }
  }
}

export function createChecksum(alg: ChecksumAlgorithm): StreamingChecksum {
  const c = rawChecksum(alg);
  return { update: (d) => c.update(d), digest: () => c.digest().toString('base64') };
}

/** The raw digest of one buffer. */
export function checksumOf(alg: ChecksumAlgorithm, data: Buffer): Buffer {
  const c = rawChecksum(alg);
  c.update(data);
  return c.digest();
}

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as ReadonlyArray<string>).includes(name);
}

/**
 * The algorithm named by a checksum value header such as x-amz-checksum-crc32c (lower-cased, possibly one Keyhold
 * does not implement), or undefined for any other header, including x-amz-checksum-algorithm/-mode/-type.
 */
export function checksumHeaderAlgorithm(header: string): string | undefined {
  return /^x-amz-checksum-(crc32c|crc32|crc64nvme|sha1|sha256|sha512|md5|xxhash64|xxhash3|xxhash128)$/.exec(header.toLowerCase())?.[1];
}

/** A well-formed value: canonical base64 of exactly the algorithm's digest length. */
export function isValidChecksumValue(alg: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const raw = Buffer.from(value, 'base64');
  return raw.length === DIGEST_BYTES[alg] && raw.toString('base64') === value;
}

/** The XML element / SDK member for an algorithm: ChecksumCRC32, ChecksumCRC64NVME, ChecksumSHA512... */
export const checksumElement = (alg: ChecksumAlgorithm) => `Checksum${alg.toUpperCase()}`;

/** Checksum types an algorithm allows for a multipart upload, the first being its default. */
export function checksumTypesFor(alg: ChecksumAlgorithm): ReadonlyArray<ChecksumType> {
  if (alg === 'crc64nvme') return ['FULL_OBJECT'];
  return CRC_SPECS[alg] ? ['COMPOSITE', 'FULL_OBJECT'] : ['COMPOSITE'];
}
