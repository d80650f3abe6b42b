// What `GET /metrics` reports (docs/decisions.md 117): every call the audit trail records, by service, operation
// and outcome; how long requests take, by API protocol; and the state of the process (audit trail healthy,
// memory, event-loop delay). The counts come from the audit records themselves, so they count what the trail
// counts, KMS calls that S3 and ACM make included.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerResponse } from 'node:http';
import type { AuditEvent } from '../../audit/event.js';
import type { AuditSink } from '../../audit/sink.js';
import { type Labels, type MetricHelp, MetricsRegistry, type MetricsSnapshot } from './registry.js';

export const METRIC_HELP: Readonly<Record<string, MetricHelp>> = {
  keyhold_requests_total: { type: 'counter', help: 'Calls recorded in the audit trail, by service, operation and outcome (OK or the error code).' },
  keyhold_request_duration_seconds: {
    type: 'histogram',
    help: 'Time from a request arriving to its answer ending, by API protocol (json: KMS and ACM; query: IAM and STS; s3).',
  },
  keyhold_audit_healthy: { type: 'gauge', help: '1 while the audit trail takes records; 0 after a failed write, while requests are refused.' },
  process_resident_memory_bytes: { type: 'gauge', help: 'Resident memory of the process.' },
  nodejs_heap_used_bytes: { type: 'gauge', help: 'V8 heap in use.' },
  nodejs_eventloop_delay_p99_seconds: { type: 'gauge', help: '99th percentile of event-loop delay since the last scrape.' },
};

export type Api = 'json' | 'query' | 's3';

const DURATION_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class RequestMetrics {
  readonly #registry = new MetricsRegistry();
  readonly #loopDelay = monitorEventLoopDelay({ resolution: 10 });
  #auditHealthy: () => boolean = () => true;

  constructor() {
    this.#loopDelay.enable();
  }

  /** An audit sink that counts each record, then writes it to `inner`. */
  observing(inner: AuditSink): AuditSink {
    this.#auditHealthy = () => inner.healthy;
    return {
      write: (event: AuditEvent) => {
        this.#registry.inc('keyhold_requests_total', {
          service: event.eventSource.replace(/\.amazonaws\.com$/, ''),
          operation: event.eventName,
          outcome: event.errorCode ?? 'OK',
        });
        return inner.write(event);
      },
      get healthy() {
        return inner.healthy;
      },
      close: () => inner.close(),
    };
  }

  /** Times a request from `startedAt` (performance.now()) to the end of its answer. */
  timeAnswer(api: Api, startedAt: number, res: ServerResponse): void {
    res.once('close', () => this.#registry.observe('keyhold_request_duration_seconds', DURATION_BOUNDS, { api }, (performance.now() - startedAt) / 1000));
  }

  /** This process's figures; `worker` labels its gauges in a cluster. */
  snapshot(worker?: string): MetricsSnapshot {
    const labels: Labels = worker === undefined ? {} : { worker };
    const memory = process.memoryUsage();
    const p99 = this.#loopDelay.percentile(99) / 1e9;
    this.#loopDelay.reset();
    return this.#registry.snapshot({
      keyhold_audit_healthy: [{ labels, value: this.#auditHealthy() ? 1 : 0 }],
      process_resident_memory_bytes: [{ labels, value: memory.rss }],
      nodejs_heap_used_bytes: [{ labels, value: memory.heapUsed }],
      nodejs_eventloop_delay_p99_seconds: [{ labels, value: Number.isFinite(p99) ? p99 : 0 }],
    });
  }

  close(): void {
    this.#loopDelay.disable();
  }
}
