// Last usage of each KMS key, for GetKeyLastUsage (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html):
// the last successful cryptographic operation with the key, when, and the CloudTrail event and KMS request
// that recorded it. What a key owner looks at before disabling or deleting a key that may still be in use.
//
// Cost on the request path: one Map.set after the audit record is durable. Uses are written to the metadata
// store behind the requests, at most every FLUSH_MS and at shutdown; so, as AWS describes the API, the answer
// is eventually consistent: another cluster process sees a use within FLUSH_MS, and a crash can forget the
// uses of its last FLUSH_MS (the audit trail, written before every answer, stays the authoritative record).
import type { Logger } from '../../../server/logger.js';
import { type KvOp, type KvStore, KvConflictError } from '../../../storage/kv/interface.js';

export const NS_USAGE = 'kms/key-usage';
const NS_META = 'kms/meta';
const TRACKING_START = 'usage-tracking-start';
export const FLUSH_MS = 5_000;

/** The operations GetKeyLastUsage reports (its KeyLastUsageTrackingOperation enumeration, those Keyhold has). */
export const TRACKED_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'ReEncrypt',
  'VerifyMac',
]);

export interface KeyUse {
  operation: string;
  /** Epoch milliseconds. */
  at: number;
  eventId: string;
  requestId: string;
}

export class KeyLastUsage {
  /** keyId -> the latest use not yet written. */
  #pending = new Map<string, KeyUse>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #trackingStart: number | undefined;

  constructor(
    private readonly kv: KvStore,
    private readonly clock: () => number,
    private readonly log: Logger,
    /** Whether the key still exists: a use noted just before the key was destroyed is not written back. */
    private readonly keyExists: (keyId: string) => Promise<boolean>,
  ) {}

  /** When this node began recording uses (the first start of a Keyhold with tracking), kept across restarts. */
  async start(): Promise<void> {
    const now = this.clock();
    try {
      await this.kv.commit([{ type: 'put', namespace: NS_META, key: TRACKING_START, value: Buffer.from(String(now)), expectVersion: 0 }]);
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
    }
    this.#trackingStart = Number((await this.kv.get(NS_META, TRACKING_START))?.value.toString() ?? now);
  }

  /** Records a successful cryptographic use of the key with this ARN (or id). */
  note(keyArnOrId: string, use: KeyUse): void {
    const keyId = keyArnOrId.slice(keyArnOrId.lastIndexOf('/') + 1);
    const prev = this.#pending.get(keyId);
    if (prev && prev.at > use.at) return;
    this.#pending.set(keyId, use);
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** The latest recorded use of a key, written or not. */
  async lastUse(keyId: string): Promise<KeyUse | undefined> {
    const stored = await this.kv.get(NS_USAGE, keyId);
    const written = stored ? (JSON.parse(stored.value.toString()) as KeyUse) : undefined;
    const pending = this.#pending.get(keyId);
    return pending && (!written || pending.at >= written.at) ? pending : written;
  }

  /** The date from which uses of a key created at `createdAt` are recorded (the later of the two). */
  trackingStartFor(createdAt: number): number {
    return Math.max(createdAt, this.#trackingStart ?? createdAt);
  }

  /** Writes the pending uses; one flush at a time, each use kept only if it is later than the stored one. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = (this.#flushing ?? Promise.resolve())
      .then(() => this.#write())
      .catch((err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'key usage could not be recorded; kept for the next flush');
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
        for (const [keyId, use] of batch) {
          const stored = await this.kv.get(NS_USAGE, keyId);
          if (stored && (JSON.parse(stored.value.toString()) as KeyUse).at >= use.at) continue;
          if (!(await this.keyExists(keyId))) continue;
          ops.push({ type: 'put', namespace: NS_USAGE, key: keyId, value: Buffer.from(JSON.stringify(use)), expectVersion: stored?.version ?? 0 });
        }
        try {
          if (ops.length > 0) await this.kv.commit(ops);
          return;
        } catch (err) {
          // Another process of the cluster wrote one of these keys' usage meanwhile: compare again.
          if (!(err instanceof KvConflictError) || attempt >= 3) throw err;
        }
      }
    } catch (err) {
      // Not written: merge back, unless a later use of the same key arrived meanwhile.
      for (const [keyId, use] of batch) if (!this.#pending.has(keyId)) this.#pending.set(keyId, use);
      this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
