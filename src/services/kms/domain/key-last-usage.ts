// Last usage of each KMS key, for GetKeyLastUsage (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html):
// the last successful cryptographic operation with the key, when, and the CloudTrail event and KMS request
// that recorded it. What a key owner looks at before disabling or deleting a key that may still be in use.
// Kept as src/storage/last-uses.ts keeps any last use: noted on the request path, written behind it.
import type { Logger } from '../../../server/logger.js';
import { type KvStore, KvConflictError } from '../../../storage/kv/interface.js';
import { LastUses } from '../../../storage/last-uses.js';

export const NS_USAGE = 'kms/key-usage';
const NS_META = 'kms/meta';
const TRACKING_START = 'usage-tracking-start';

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
  readonly #uses: LastUses<KeyUse>;
  #trackingStart: number | undefined;

  constructor(
    private readonly kv: KvStore,
    private readonly clock: () => number,
    log: Logger,
    /** Whether the key still exists: a use noted just before the key was destroyed is not written back. */
    keyExists: (keyId: string) => Promise<boolean>,
  ) {
    this.#uses = new LastUses<KeyUse>(kv, NS_USAGE, log, keyExists);
  }

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
    this.#uses.note(keyArnOrId.slice(keyArnOrId.lastIndexOf('/') + 1), use);
  }

  /** The latest recorded use of a key, written or not. */
  lastUse(keyId: string): Promise<KeyUse | undefined> {
    return this.#uses.lastUse(keyId);
  }

  /** The date from which uses of a key created at `createdAt` are recorded (the later of the two). */
  trackingStartFor(createdAt: number): number {
    return Math.max(createdAt, this.#trackingStart ?? createdAt);
  }

  flush(): Promise<void> {
    return this.#uses.flush();
  }

  close(): Promise<void> {
    return this.#uses.close();
  }
}
