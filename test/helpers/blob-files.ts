// Blob files in a data directory's local-disk blob store, as tests see them on disk: planting the file a crash
// leaves between a blob's rename and its object's commit, and counting the named blobs.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SHARD_RE = /^[0-9a-f]{2}$/;

/** Writes a blob file no metadata refers to; returns its path. */
export function plantOrphanBlob(dataDir: string, content: string | Buffer = randomBytes(1000)): string {
  const id = randomBytes(16).toString('hex');
  const shard = join(dataDir, 'blobs', id.slice(0, 2));
  mkdirSync(shard, { recursive: true });
  writeFileSync(join(shard, id), content);
  return join(shard, id);
}

/** The paths of every named blob file (temp files excluded). */
export function storedBlobFiles(dataDir: string): string[] {
  const root = join(dataDir, 'blobs');
  return readdirSync(root)
    .filter((d) => SHARD_RE.test(d))
    .flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)));
}
