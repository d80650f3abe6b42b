// Streaming object checksums as S3 defines them (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Checksum.html):
// CRC32 (zlib, Node >= 20.15), CRC32C (@aws-crypto/crc32c, the AWS SDK's own), SHA-1 and SHA-256, each
// base64 of the big-endian digest, as in x-amz-checksum-<alg>.
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'sha1' | 'sha256';
export const CHECKSUM_ALGORITHMS: ReadonlyArray<ChecksumAlgorithm> = ['crc32', 'crc32c', 'sha1', 'sha256'];

export interface StreamingChecksum {
  update(data: Buffer): void;
  /** base64, as in the x-amz-checksum-* header. */
  digest(): string;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString('base64');
};

export function createChecksum(alg: ChecksumAlgorithm): StreamingChecksum {
  switch (alg) {
    case 'crc32': {
      let v = 0;
      return { update: (d) => void (v = crc32(d, v)), digest: () => u32(v) };
    }
    case 'crc32c': {
      const c = new Crc32c();
      return { update: (d) => void c.update(d), digest: () => u32(c.digest()) };
    }
    case 'sha1':
    case 'sha256': {
      const h: Hash = createHash(alg);
      return { update: (d) => void h.update(d), digest: () => h.digest('base64') };
    }
  }
}

/** The algorithm named by a header such as x-amz-checksum-crc32c, or undefined. */
export function checksumHeaderAlgorithm(header: string): ChecksumAlgorithm | undefined {
  const alg = /^x-amz-checksum-(crc32c|crc32|sha1|sha256)$/.exec(header.toLowerCase())?.[1];
  return alg as ChecksumAlgorithm | undefined;
}
