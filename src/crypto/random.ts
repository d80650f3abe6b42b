// Randomness is injected so that crypto code has no hidden I/O; production always uses the CSPRNG.
// Small requests (salts, IVs) are served from a pool refilled by randomFillSync in 4 KiB blocks: every
// byte still comes from the OS CSPRNG and is handed out once, but the per-call cost of crypto.randomBytes
// (about 5% of a KMS Encrypt in the profile, docs/benchmarks.md) is paid once per pool.
import { randomUUID, randomFillSync } from 'node:crypto';

export type RandomSource = (n: number) => Buffer;

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export const csprng: RandomSource = (n) => {
  if (n > 256) return randomFillSync(Buffer.alloc(n));
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  // Bytes handed out are wiped from the pool so they exist only in the caller's buffer.
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
};

export const uuid = (): string => randomUUID();
