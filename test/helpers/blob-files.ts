// Blob files in a data directory's local-disk blob store, as tests see them on disk: planting the file a crash
// leaves between a blob's rename and its object's commit, counting the named blobs, and checking them against
// the metadata after a run.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openState } from '../../src/server/open-state.js';
import { sweepOrphanBlobs } from '../../src/services/s3/orphan-blobs.js';
import type { TestServer } from './server.js';

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

/**
 * Stops the server (keeping its data) and checks its blob files against its metadata: every file referenced,
 * every reference with its file, and at least one object stored.
 */
export async function assertBlobsMatchMetadata(s: Pick<TestServer, 'dataDir' | 'stop'>): Promise<void> {
  await s.stop({ keepData: true });
  const state = await openState(s.dataDir, process.env, { create: false });
  try {
    const { removed, kept, missing } = await sweepOrphanBlobs(state.kv, state.blobs);
    assert.deepEqual({ unreferenced: removed, missing }, { unreferenced: 0, missing: 0 });
    assert.ok(kept > 0, 'the run stored objects');
  } finally {
    await state.close();
  }
}
