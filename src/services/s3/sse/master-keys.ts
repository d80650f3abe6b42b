// SSE-S3 master keys: Keyhold-managed 256-bit keys that wrap object keys. Stored only sealed by the barrier
// (s3/master-key v<N>); a new version is made when the current one is older than the rotation period, and
// old versions stay to unwrap older objects.
import { randomBytes } from 'node:crypto';
import type { Barrier } from '../../../barrier/barrier.js';
import type { KvStore } from '../../../storage/kv/interface.js';

const NS = 's3/master-key';
export const MASTER_ROTATION_MS = 90 * 86_400_000;

interface Stored {
  version: number;
  createdAt: number;
  sealed: string;
}

export class MasterKeys {
  readonly #keys = new Map<number, Buffer>();
  #current: { version: number; createdAt: number } | undefined;

  constructor(
    private readonly kv: KvStore,
    private readonly barrier: Barrier,
    private readonly clock: () => number,
  ) {}

  #open(s: Stored): Buffer {
    const k = this.barrier.open({ namespace: NS, id: `v${s.version}`, version: 1 }, Buffer.from(s.sealed, 'base64'));
    this.#keys.set(s.version, k);
    return k;
  }

  async get(version: number): Promise<Buffer | undefined> {
    const hit = this.#keys.get(version);
    if (hit) return hit;
    const e = await this.kv.get(NS, `v${version}`);
    return e ? this.#open(JSON.parse(e.value.toString()) as Stored) : undefined;
  }

  /** The key new objects are wrapped with, rotating it when it is due. */
  async current(): Promise<{ version: number; key: Buffer }> {
    if (!this.#current) {
      const all = (await this.kv.list(NS)).map((e) => JSON.parse(e.value.toString()) as Stored).sort((a, b) => a.version - b.version);
      const last = all[all.length - 1];
      if (last) this.#current = { version: last.version, createdAt: last.createdAt };
    }
    if (!this.#current || this.clock() - this.#current.createdAt > MASTER_ROTATION_MS) {
      const version = (this.#current?.version ?? 0) + 1;
      const key = randomBytes(32);
      const s: Stored = {
        version,
        createdAt: this.clock(),
        sealed: this.barrier.seal({ namespace: NS, id: `v${version}`, version: 1 }, key).toString('base64'),
      };
      try {
        await this.kv.commit([{ type: 'put', namespace: NS, key: `v${version}`, value: Buffer.from(JSON.stringify(s)), expectVersion: 0 }]);
        this.#keys.set(version, key);
        this.#current = { version, createdAt: s.createdAt };
      } catch {
        this.#current = undefined; // another writer made it first: reload
        return this.current();
      }
    }
    const key = await this.get(this.#current.version);
    if (!key) throw new Error('SSE-S3 master key missing');
    return { version: this.#current.version, key };
  }
}
