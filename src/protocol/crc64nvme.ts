// CRC-64/NVME, S3's CRC64NVME checksum (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html):
// the reflected CRC with polynomial 0xAD93D23594C93659 (0x9A6C9329AC4BC9B5 bit-reversed), initial value and
// final XOR all ones; check value of "123456789" is 0xAE8B14860A799888 (test/unit/protocol/crc.test.ts).
// Not cryptography: an integrity code for accidental corruption, like CRC32 (which node:zlib provides;
// this one it does not).
//
// The 64-bit register is kept as two unsigned 32-bit halves so the hot loop stays in small integers, and
// the data is consumed eight bytes at a time ("slicing-by-8": table k maps a byte to its contribution after
// k further zero bytes).
const POLY = 0x9a6c9329ac4bc9b5n;
const MASK32 = 0xffffffffn;

/** tables[k][2*i] = low half, tables[k][2*i+1] = high half of byte i's CRC followed by k zero bytes. */
const tables: Uint32Array[] = (() => {
  const out: Uint32Array[] = [];
  const base: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let j = 0; j < 8; j++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
    base.push(c);
  }
  let prev = base;
  for (let k = 0; k < 8; k++) {
    const t = new Uint32Array(512);
    for (let i = 0; i < 256; i++) {
      t[2 * i] = Number(prev[i]! & MASK32);
      t[2 * i + 1] = Number(prev[i]! >> 32n);
    }
    out.push(t);
    prev = prev.map((c) => (c >> 8n) ^ base[Number(c & 0xffn)]!);
  }
  return out;
})();

const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];

export class Crc64Nvme {
  // The register, pre-inverted (initial value all ones).
  #lo = 0xffffffff;
  #hi = 0xffffffff;

  update(data: Uint8Array): this {
    let lo = this.#lo;
    let hi = this.#hi;
    const n = data.length;
    let i = 0;
    for (; i + 8 <= n; i += 8) {
      const a = lo ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
      const b = hi ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
      const i0 = (a & 0xff) << 1;
      const i1 = ((a >>> 8) & 0xff) << 1;
      const i2 = ((a >>> 16) & 0xff) << 1;
      const i3 = (a >>> 24) << 1;
      const i4 = (b & 0xff) << 1;
      const i5 = ((b >>> 8) & 0xff) << 1;
      const i6 = ((b >>> 16) & 0xff) << 1;
      const i7 = (b >>> 24) << 1;
      lo = t7[i0]! ^ t6[i1]! ^ t5[i2]! ^ t4[i3]! ^ t3[i4]! ^ t2[i5]! ^ t1[i6]! ^ t0[i7]!;
      hi = t7[i0 + 1]! ^ t6[i1 + 1]! ^ t5[i2 + 1]! ^ t4[i3 + 1]! ^ t3[i4 + 1]! ^ t2[i5 + 1]! ^ t1[i6 + 1]! ^ t0[i7 + 1]!;
    }
    for (; i < n; i++) {
      const idx = ((lo ^ data[i]!) & 0xff) << 1;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ t0[idx]!;
      hi = (hi >>> 8) ^ t0[idx + 1]!;
    }
    this.#lo = lo >>> 0;
    this.#hi = hi >>> 0;
    return this;
  }

  /** The CRC as 8 big-endian bytes, as S3 encodes it (base64 of this in x-amz-checksum-crc64nvme). */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.#hi >>> 0, 0);
    out.writeUInt32BE(~this.#lo >>> 0, 4);
    return out;
  }
}
