// The blob files no metadata refers to. A crash can leave them: a blob renamed into place whose object commit
// never happened (so its PUT was never acknowledged), or one whose unlink was undone after the metadata that
// referred to it was durably gone (docs/decisions.md 68). Either is ciphertext whose object key was never
// recorded or is gone: lost space, never readable data. The sweep reads the metadata page by page, so it
// must run while nothing else writes: at start-up, under the data-directory lock, before the server serves
// (src/server/clean-stop.ts).
import type { BlobStore } from '../../storage/blob/interface.js';
import type { KvStore } from '../../storage/kv/interface.js';
import { S3Store } from './store.js';

/**
 * Removes the unreferenced blobs. Also counts the references whose blob is gone (`missing`). Keyhold never makes
 * one: it names a blob before it commits a reference to it, and unlinks a blob only once no reference is left.
 * So a missing blob means files lost outside Keyhold (a disk fault, a careless rm), worth an alarm.
 */
export async function sweepOrphanBlobs(kv: KvStore, blobs: BlobStore): Promise<{ removed: number; kept: number; missing: number }> {
  const stored = new Set<string>();
  for await (const id of blobs.list()) stored.add(id);
  // Every reference is read before the first delete: a failed read deletes nothing.
  const referenced = await new S3Store(kv).referencedBlobIds();
  const orphans = [...stored].filter((id) => !referenced.has(id));
  for (const id of orphans) await blobs.delete(id);
  const missing = [...referenced].filter((id) => !stored.has(id)).length;
  return { removed: orphans.length, kept: stored.size - orphans.length, missing };
}
