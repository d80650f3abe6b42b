// File copies a backup can rely on after a power loss: each copy is flushed before the backup counts it, and
// the directories that name the copies are flushed before the backup is renamed into place.
import { constants } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';

/** Copies `from` to a new file `to` (never over an existing one) with `from`'s mode, and flushes it. */
export async function copyFileDurable(from: string, to: string): Promise<void> {
  await copyFile(from, to, constants.COPYFILE_EXCL);
  await syncPath(to);
}

/** fsync of a file or a directory by its path. */
export async function syncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Runs `work` on every item, `parallel` at a time; the first failure rejects once the running ones end. */
export async function eachLimited<T>(items: ReadonlyArray<T>, parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      await work(item).catch((err: unknown) => {
        failure ??= err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  if (failure !== undefined) throw failure;
}
