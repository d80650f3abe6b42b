// Where the shared fixtures live: ../shared beside the checkout (CI lays a copy there too).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root, from dist/test/helpers or test/helpers. */
export const REPO_ROOT = resolve(here, here.includes(`${join('dist', 'test')}`) ? '../../..' : '../..');
export const SHARED = [resolve(REPO_ROOT, '../shared'), resolve(REPO_ROOT, 'shared')].find((p) => existsSync(p)) ?? resolve(REPO_ROOT, '../shared');
export const VECTORS = join(SHARED, 'vectors');
export const KEYHOLD_BIN = join(REPO_ROOT, 'bin', 'keyhold.js');

/** Every file below `dir`, recursively (at-rest scans of a data directory). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}
