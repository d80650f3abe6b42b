// The blob files no metadata refers to. A crash can leave them: a blob renamed into place whose object commit
// never happened (so its PUT was never acknowledged), or one whose unlink was undone after the metadata that
// referred to it was durably gone (docs/decisions.md 68). Either is ciphertext whose object key was never
// recorded or is gone: lost space, never readable data. The sweep reads the metadata page by page, so it
// must run while nothing else writes: at start-up, under the data-directory lock, before the server serves
// (src/server/clean-stop.ts).
import type { BlobStore } from '../../storage/blob/interface.js';
import type { KvStore } from '../../storage/kv/interface.js';
import { S3Store } from './store.js';

export async function sweepOrphanBlobs(kv: KvStore, blobs: BlobStore): Promise<{ removed: number; kept: number }> {
  const stored: string[] = [];
  for await (const id of blobs.list()) stored.push(id);
  if (stored.length === 0) return { removed: 0, kept: 0 };
  // Every reference is read before the first delete: a failed read deletes nothing.
  const referenced = await new S3Store(kv).referencedBlobIds();
  const orphans = stored.filter((id) => !referenced.has(id));
  for (const id of orphans) await blobs.delete(id);
  return { removed: orphans.length, kept: stored.length - orphans.length };
}
