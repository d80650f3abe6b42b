// Whether the last server on a data directory stopped cleanly. A marker file is written, durably, as the last
// step of a clean stop (every request answered, every store closed) and removed, durably, before a new server
// writes anything. A start that finds no marker follows a crash, a kill or a power loss, and sweeps the blob
// store for files the crash left unreferenced (src/services/s3/orphan-blobs.ts); a start after a clean stop
// skips the sweep, which reads every object's metadata. A marker wrongly missing costs one sweep; the sweep
// itself only runs under the data-directory lock, before anything serves.
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sweepOrphanBlobs } from '../services/s3/orphan-blobs.js';
import type { BlobStore } from '../storage/blob/interface.js';
import { fsyncDir, writeFileDurable } from '../storage/durable-file.js';
import type { KvStore } from '../storage/kv/interface.js';
import type { Logger } from './logger.js';

export const CLEAN_STOP_FILE = 'clean-stop';

/** True when the last server stopped cleanly; the marker is gone (durably) when this returns. */
export function takeCleanStop(dataDir: string): boolean {
  const path = join(dataDir, CLEAN_STOP_FILE);
  if (!existsSync(path)) return false;
  unlinkSync(path);
  fsyncDir(dataDir);
  return true;
}

export function recordCleanStop(dataDir: string): void {
  writeFileDurable(join(dataDir, CLEAN_STOP_FILE), Buffer.from(`${new Date().toISOString()}\n`), 0o600);
}

/**
 * Start-up, under the data-directory lock: after anything but a clean stop, removes unreferenced blobs. A sweep
 * that fails is logged and the server starts anyway: what it reclaims is space, and serving matters more.
 */
export async function sweepAfterUncleanStop(dataDir: string, kv: KvStore, blobs: BlobStore, log?: Logger): Promise<void> {
  if (takeCleanStop(dataDir)) return;
  try {
    const { removed, kept, missing } = await sweepOrphanBlobs(kv, blobs);
    if (removed > 0) log?.warn({ removed, kept }, 'the last stop was not clean: removed blob files that no object or upload refers to');
    if (missing > 0)
      log?.error({ missing }, 'objects or upload parts refer to blob files that are gone: their data is lost; restore the blob directory from a backup');
  } catch (err) {
    log?.error({ err: (err as Error).message }, 'the sweep for unreferenced blob files failed; they stay until the next start after an unclean stop');
  }
}
