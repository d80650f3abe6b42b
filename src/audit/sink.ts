// An audit sink durably records events. The request path awaits write(); a rejected write makes the
// request fail closed with a 5xx (security.md §8: Vault/OpenBao refuse requests they cannot audit).
import type { AuditEvent } from './event.js';

export interface AuditSink {
  write(event: AuditEvent): Promise<void>;
  /** False once a write failed and no later write has succeeded yet. */
  readonly healthy: boolean;
  close(): Promise<void>;
}

export class AuditUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`audit sink cannot write: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'AuditUnavailableError';
  }
}

/** Fans out to several sinks; an event counts as recorded when at least one sink recorded it. */
export class MultiSink implements AuditSink {
  constructor(private readonly sinks: ReadonlyArray<AuditSink>) {}
  get healthy(): boolean {
    return this.sinks.some((s) => s.healthy);
  }
  async write(event: AuditEvent): Promise<void> {
    const results = await Promise.allSettled(this.sinks.map((s) => s.write(event)));
    if (!results.some((r) => r.status === 'fulfilled')) {
      const first = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      throw new AuditUnavailableError(first?.reason);
    }
  }
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
