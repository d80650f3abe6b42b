// Shared by the storage conformance suites: runs one test body on a fresh store from the factory and
// always closes and cleans it up.
export type StoreFactory<S extends { close(): Promise<void> }> = () => Promise<{ store: S; cleanup: () => Promise<void> }>;

export function withFreshStore<S extends { close(): Promise<void> }>(factory: StoreFactory<S>) {
  return (fn: (s: S) => Promise<void>) => async () => {
    const { store, cleanup } = await factory();
    try {
      await fn(store);
    } finally {
      await store.close();
      await cleanup();
    }
  };
}
