// GET /metrics, for Prometheus (docs/decisions.md 117): off unless --metrics-token-file names a file with a bearer
// token. The token is read once at start; a scrape must bear it (Authorization: Bearer, as Prometheus sends it
// from `authorization: credentials_file`), compared in constant time. Only a bearer request is a scrape: a signed
// or anonymous GET /metrics stays what S3 makes of it (a bucket may be named "metrics").
import cluster from 'node:cluster';
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { AuditSink } from '../../audit/sink.js';
import { workerMetrics } from './cluster-metrics.js';
import { renderSnapshot } from './registry.js';
import { type Api, METRIC_HELP, RequestMetrics } from './request-metrics.js';

const MIN_TOKEN_CHARS = 16;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

export interface MetricsEndpoint {
  /** Whether a request is a scrape at all: a bearer Authorization header. */
  isScrape(authorization: string | undefined): boolean;
  /** Whether a scrape bears the token. */
  accepts(authorization: string | undefined): boolean;
  render(): Promise<string>;
  timeAnswer(api: Api, startedAt: number, res: ServerResponse): void;
  observing(sink: AuditSink): AuditSink;
  close(): void;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsEndpoint(tokenFile: string): MetricsEndpoint {
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    throw new Error(`--metrics-token-file: cannot read ${tokenFile}: ${(err as Error).message}`);
  }
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token))
    throw new Error(`--metrics-token-file: the token in ${tokenFile} must be at least ${MIN_TOKEN_CHARS} characters, without spaces`);
  const expected = digest(token);
  const metrics = new RequestMetrics();
  const worker = cluster.isWorker ? String(cluster.worker?.id ?? process.pid) : undefined;
  const node = worker === undefined ? undefined : workerMetrics(() => metrics.snapshot(worker));
  return {
    isScrape: (authorization) => authorization !== undefined && /^Bearer\s/i.test(authorization),
    accepts(authorization) {
      const given = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
      return given !== undefined && timingSafeEqual(digest(given), expected);
    },
    render: async () => renderSnapshot(node ? await node.gather() : metrics.snapshot(), METRIC_HELP),
    timeAnswer: (api, startedAt, res) => metrics.timeAnswer(api, startedAt, res),
    observing: (sink) => metrics.observing(sink),
    close() {
      node?.close();
      metrics.close();
    },
  };
}
