// The latest use of each of many things (KMS keys for GetKeyLastUsage, access keys for GetAccessKeyLastUsed),
// noted in memory on the request path and written to the metadata store behind the requests.
//
// Cost on the request path: one Map.set. Uses are written at most every flushMs and at shutdown; so, as AWS
// describes both APIs, answers are eventually consistent: another cluster process sees a use within flushMs, and
// a crash can forget the uses of its last flushMs (the audit trail, written before every answer, stays the
// authoritative record).
import type { Logger } from '../server/logger.js';
import { type KvOp, type KvStore, KvConflictError } from './kv/interface.js';

export const LAST_USE_FLUSH_MS = 5_000;

export interface Use {
  /** Epoch milliseconds. */
  at: number;
}

export class LastUses<U extends Use> {
  /** id -> the latest use not yet written. */
  #pending = new Map<string, U>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly kv: KvStore,
    /** The metadata-store namespace, one record per id. */
    readonly namespace: string,
    private readonly log: Logger,
    /** Whether the thing still exists: a use noted just before it was deleted is not written back. */
    private readonly exists: (id: string) => Promise<boolean>,
    private readonly flushMs = LAST_USE_FLUSH_MS,
  ) {}

  /** Records a use; an earlier one than the use already pending is ignored. */
  note(id: string, use: U): void {
    const prev = this.#pending.get(id);
    if (prev && prev.at > use.at) return;
    this.#pending.set(id, use);
    this.#timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
  }

  /** The latest recorded use, written or not. */
  async lastUse(id: string): Promise<U | undefined> {
    const stored = await this.kv.get(this.namespace, id);
    const written = stored ? (JSON.parse(stored.value.toString()) as U) : undefined;
    const pending = this.#pending.get(id);
    return pending && (!written || pending.at >= written.at) ? pending : written;
  }

  /** Writes the pending uses; one flush at a time, each use kept only if it is later than the stored one. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = (this.#flushing ?? Promise.resolve())
      .then(() => this.#write())
      .catch((err: unknown) => {
        this.log.warn(
          { err: err instanceof Error ? err.message : String(err), namespace: this.namespace },
          'last uses could not be recorded; kept for the next flush',
        );
      });
    return this.#flushing;
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    if (batch.size === 0) return;
    this.#pending = new Map();
    try {
      for (let attempt = 0; ; attempt++) {
        const ops: KvOp[] = [];
        for (const [id, use] of batch) {
          const stored = await this.kv.get(this.namespace, id);
          if (stored && (JSON.parse(stored.value.toString()) as U).at >= use.at) continue;
          if (!(await this.exists(id))) continue;
          ops.push({ type: 'put', namespace: this.namespace, key: id, value: Buffer.from(JSON.stringify(use)), expectVersion: stored?.version ?? 0 });
        }
        try {
          if (ops.length > 0) await this.kv.commit(ops);
          return;
        } catch (err) {
          // Another process of the cluster wrote one of these records meanwhile: compare again.
          if (!(err instanceof KvConflictError) || attempt >= 3) throw err;
        }
      }
    } catch (err) {
      // Not written: merge back, unless a later use of the same thing arrived meanwhile.
      for (const [id, use] of batch) if (!this.#pending.has(id)) this.#pending.set(id, use);
      this.#timer ??= setTimeout(() => void this.flush(), this.flushMs).unref();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
