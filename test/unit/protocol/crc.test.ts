// CRC-64/NVME (S3's CRC64NVME) and the CRC combination used for full-object checksums of multipart uploads,
// checked against the catalogued check value, the AWS SDK's own implementation and direct computation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { CHECKSUM_ALGORITHMS, checksumOf, createChecksum, isValidChecksumValue } from '../../../src/protocol/checksums.js';
import { CRC32_SPEC, CRC32C_SPEC, CRC64NVME_SPEC, type CrcSpec, combineCrcs } from '../../../src/protocol/crc-combine.js';
import { Crc64Nvme } from '../../../src/protocol/crc64nvme.js';

// The SDK's pure-JS CRC64NVME (what @aws-sdk/client-s3 sends in x-amz-checksum-crc64nvme), from its CommonJS build.
const { Crc64NvmeJs } = createRequire(import.meta.url)('@aws-sdk/checksums/crc') as {
  Crc64NvmeJs: new () => { update(d: Uint8Array): void; digest(): Promise<Uint8Array> };
};

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const direct: Array<[string, CrcSpec, (d: Buffer) => Buffer]> = [
  ['CRC32', CRC32_SPEC, (d) => u32(crc32(d))],
  [
    'CRC32C',
    CRC32C_SPEC,
    (d) => {
      const c = new Crc32c();
      c.update(d);
      return u32(c.digest());
    },
  ],
  ['CRC64NVME', CRC64NVME_SPEC, (d) => new Crc64Nvme().update(d).digest()],
];

describe('CRC-64/NVME', () => {
  it('has the catalogued check value (CRC of "123456789" = 0xAE8B14860A799888)', () => {
    assert.equal(new Crc64Nvme().update(Buffer.from('123456789')).digest().toString('hex'), 'ae8b14860a799888');
    assert.equal(new Crc64Nvme().digest().toString('hex'), '0000000000000000');
  });

  it('matches the AWS SDK implementation for lengths around the 8-byte stride, fed whole or in pieces', async () => {
    for (const n of [1, 7, 8, 9, 15, 16, 17, 255, 4096, 65_537]) {
      const data = randomBytes(n);
      const sdk = new Crc64NvmeJs();
      sdk.update(data);
      const want = Buffer.from(await sdk.digest()).toString('hex');
      assert.equal(new Crc64Nvme().update(data).digest().toString('hex'), want, `length ${n}`);
      const pieces = new Crc64Nvme();
      for (let i = 0; i < n; i += 3) pieces.update(data.subarray(i, i + 3));
      assert.equal(pieces.digest().toString('hex'), want, `length ${n} in 3-byte pieces`);
    }
  });
});

describe('CRC combination (full-object checksums)', () => {
  for (const [name, spec, crcOf] of direct) {
    it(`${name}: the combined CRC of the pieces equals the CRC of the whole`, () => {
      for (const sizes of [[5], [1, 1], [0, 3], [3, 0], [100, 7, 65_536, 5], [1 << 20, 1 << 20, 12_345]]) {
        const pieces = sizes.map((n) => randomBytes(n));
        const combined = combineCrcs(
          spec,
          pieces.map((p) => ({ crc: crcOf(p), length: p.length })),
        );
        assert.deepEqual(combined, crcOf(Buffer.concat(pieces)), `${name} ${sizes.join('+')}`);
      }
    });
  }
});

describe('checksum values', () => {
  it('accept only canonical base64 of the digest length', () => {
    for (const alg of CHECKSUM_ALGORITHMS) {
      const good = checksumOf(alg, Buffer.from('x')).toString('base64');
      assert.equal(isValidChecksumValue(alg, good), true, alg);
      const s = createChecksum(alg);
      s.update(Buffer.from('x'));
      assert.equal(s.digest(), good, `${alg} streaming = one-shot`);
      for (const bad of ['', 'invalid_base64!', 'c2RhZnNhZGZzZGFm', `${good}A`, good.slice(0, -2)])
        assert.equal(isValidChecksumValue(alg, bad), false, `${alg} ${bad}`);
    }
  });
});
