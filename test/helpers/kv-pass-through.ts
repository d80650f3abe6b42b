// A metadata store that passes everything to the real one: tests subclass it to watch or fail some calls
// (StartOptions.kvStore) and leave the rest as it is.
import type { KvOp, KvStore, ListOptions } from '../../src/storage/kv/interface.js';

export class KvPassThrough implements KvStore {
  constructor(protected readonly inner: KvStore) {}
  get changes() {
    return this.inner.changes;
  }
  get(namespace: string, key: string) {
    return this.inner.get(namespace, key);
  }
  list(namespace: string, options?: ListOptions) {
    return this.inner.list(namespace, options);
  }
  commit(ops: ReadonlyArray<KvOp>) {
    return this.inner.commit(ops);
  }
  close() {
    return this.inner.close();
  }
}
