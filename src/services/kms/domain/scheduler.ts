// Background work of the KMS: destroys keys whose deletion window has ended and performs automatic
// rotations that are due. Runs at start and then every `intervalMs`; both jobs are idempotent, and a
// crash between them loses nothing because each change is one atomic commit.
import type { Logger } from '../../../server/logger.js';
import type { KeyAccess } from './key-access.js';
import { deleteImportedMaterial, expiredNonCurrentMaterial, importedMaterialExpired } from './imported-material.js';
import { isRotationDue, rotate } from './rotation.js';

export class KmsScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly access: KeyAccess,
    private readonly log: Logger,
    /** Picks up changes made by other processes sharing the store before a sweep reads cached keys. */
    private readonly syncState: () => Promise<void> | undefined = () => undefined,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.#timer.unref();
  }

  /** One sweep; concurrent callers share the sweep in progress. */
  runOnce(): Promise<void> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(): Promise<void> {
    try {
      await this.syncState();
      const now = this.access.clock();
      for (const keyId of await this.access.store.allKeyIds()) {
        const rec = await this.access.store.get(keyId);
        if (!rec) continue;
        const expiredOther = expiredNonCurrentMaterial(rec, now);
        if (await this.access.purgeIfDue(rec, now)) {
          this.log.info({ keyId }, 'KMS key destroyed at the end of its deletion window');
        } else if (importedMaterialExpired(rec, now)) {
          await deleteImportedMaterial(this.access, rec);
          this.log.info({ keyId }, 'KMS key: imported key material expired and was deleted');
        } else if (expiredOther) {
          await deleteImportedMaterial(this.access, rec, expiredOther);
          this.log.info({ keyId }, 'KMS key: imported key material (not current) expired and was deleted');
        } else if (isRotationDue(rec, now)) {
          await rotate(this.access, rec, 'AUTOMATIC');
          this.log.info({ keyId }, 'KMS key rotated automatically');
        }
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'KMS scheduler sweep failed');
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }
}
