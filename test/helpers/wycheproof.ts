// Loads a Wycheproof vector file from shared/vectors/wycheproof.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS } from './paths.js';

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [k: string]: unknown;
}

export interface WycheproofGroup {
  tests: WycheproofTest[];
  [k: string]: unknown;
}

export function loadWycheproof(file: string): { algorithm: string; numberOfTests: number; testGroups: WycheproofGroup[] } {
  return JSON.parse(readFileSync(join(VECTORS, 'wycheproof', file), 'utf8'));
}

export const hex = (s: unknown) => Buffer.from(String(s ?? ''), 'hex');
