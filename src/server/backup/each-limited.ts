// A bounded number of file operations at once: enough to keep a disk's queue busy, few enough not to run out
// of descriptors (the backup's blob copies).
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
