// Randomness is injected so that crypto code has no hidden I/O; production always uses the CSPRNG.
import { randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';

export type RandomSource = (n: number) => Buffer;
export const csprng: RandomSource = (n) => nodeRandomBytes(n);
export const uuid = (): string => randomUUID();
