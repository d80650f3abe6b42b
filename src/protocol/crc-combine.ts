// The CRC of a concatenation from the CRCs of its pieces: crc(A‖B) = crc(A)·x^(8·|B|) mod P  ⊕  crc(B), for
// the reflected CRCs S3 offers as full-object checksums of multipart uploads (CRC32, CRC32C, CRC64NVME;
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#full-object-checksums).
// With an initial value and final XOR of all ones the conditioning terms cancel, so the identity holds for
// the finished CRC values (the method of zlib's crc32_combine). Polynomials are in GF(2)[x], reflected: the
// top bit is x^0. BigInt keeps one code path for both widths; it runs once per part at completion, and
// x^(8·n) is cached per part length (most parts of an upload share one).
export interface CrcSpec {
  width: 32 | 64;
  /** The reflected polynomial. */
  poly: bigint;
}

export const CRC32_SPEC: CrcSpec = { width: 32, poly: 0xedb88320n };
export const CRC32C_SPEC: CrcSpec = { width: 32, poly: 0x82f63b78n };
export const CRC64NVME_SPEC: CrcSpec = { width: 64, poly: 0x9a6c9329ac4bc9b5n };

/** a·b mod P for reflected polynomials (a, b < 2^width). */
function multModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(spec.width - 1);
  let p = 0n;
  while (m > 0n) {
    if (a & m) p ^= b;
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ spec.poly : b >> 1n;
  }
  return p;
}

const squares = new Map<CrcSpec, bigint[]>();

/** x^(2^k) mod P, by repeated squaring from x (bit width-2 in reflected order). */
function xPow2k(spec: CrcSpec, k: number): bigint {
  let list = squares.get(spec);
  if (!list) {
    list = [1n << BigInt(spec.width - 2)];
    squares.set(spec, list);
  }
  while (list.length <= k) {
    const last = list[list.length - 1]!;
    list.push(multModP(spec, last, last));
  }
  return list[k]!;
}

/** x^(8·bytes) mod P: the operator that appends `bytes` zero bytes to a CRC register. */
function xPow8n(spec: CrcSpec, bytes: number): bigint {
  let p = 1n << BigInt(spec.width - 1); // x^0
  let n = BigInt(bytes);
  for (let k = 3; n > 0n; k++, n >>= 1n) if (n & 1n) p = multModP(spec, xPow2k(spec, k), p);
  return p;
}

/** The CRC of the concatenation of pieces, given each piece's CRC (big-endian bytes) and length. */
export function combineCrcs(spec: CrcSpec, pieces: ReadonlyArray<{ crc: Buffer; length: number }>): Buffer {
  const shifts = new Map<number, bigint>();
  let acc: bigint | undefined;
  for (const { crc, length } of pieces) {
    const value = BigInt(`0x${crc.toString('hex')}`);
    if (acc === undefined) {
      acc = value;
      continue;
    }
    let shift = shifts.get(length);
    if (shift === undefined) {
      shift = xPow8n(spec, length);
      shifts.set(length, shift);
    }
    acc = multModP(spec, shift, acc) ^ value;
  }
  const bytes = spec.width / 8;
  if (acc === undefined) return Buffer.alloc(bytes); // the CRC of nothing is 0 for these specs
  return Buffer.from(acc.toString(16).padStart(bytes * 2, '0'), 'hex');
}
