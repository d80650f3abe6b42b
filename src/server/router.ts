// Routes each request to its protocol edge: /health, AWS JSON (X-Amz-Target), and a NotImplemented
// answer for everything else when no REST (S3) edge is registered.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonEdge } from '../protocol/aws-json.js';
import type { MetricsEndpoint } from './metrics/metrics-endpoint.js';
import { QueryEdge } from '../protocol/aws-query.js';
import { clientGoneMidBody, limitBodyIdle } from './body-idle.js';
import { send, splitUrl } from './http-io.js';
import type { Logger } from './logger.js';
import type { RestService } from './service.js';
import { currentTurn, nextTurnBatch } from './turn-batch.js';

export interface RouterDeps {
  json: JsonEdge;
  query: QueryEdge;
  /** The S3 edge, when registered: every request no other edge claims. */
  rest?: RestService;
  /** Unauthenticated GET routes of services (e.g. the CRLs of the certificate manager). */
  publicGet?: (path: string) => Promise<{ status: number; headers: Record<string, string>; body: Buffer } | undefined>;
  log: Logger;
  /** STALL_MS unless given (body-idle.ts). */
  stallMs?: number;
  isReady: () => boolean;
  /** GET /metrics with a bearer token, and request timing (docs/decisions.md 117); absent when not enabled. */
  metrics?: MetricsEndpoint;
  /**
   * Brings caches up to date with commits of other processes sharing the store (cluster mode) before the
   * request reads them; undefined when nothing changed (one SQLite pragma, once per turn's batch).
   */
  syncState?: () => Promise<void> | undefined;
}

export function createRouter(deps: RouterDeps) {
  // The coherence check runs once per turn's batch, not per request: every request of a batch was read
  // before the batch is released, so a change another worker acknowledged before a request arrived was
  // committed before the check (read-your-writes across workers, docs/architecture.md).
  let syncedTurn = -1;
  let turnSync: Promise<void> | undefined;
  const syncForTurn = (): Promise<void> | undefined => {
    if (!deps.syncState) return undefined;
    const turn = currentTurn();
    if (turn !== syncedTurn) {
      syncedTurn = turn;
      turnSync = deps.syncState();
    }
    return turnSync;
  };

  return async function route(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<void> {
    const startedAt = performance.now();
    limitBodyIdle(req, deps.stallMs);
    await nextTurnBatch();
    const requestId = randomUUID();
    try {
      const { path, query } = splitUrl(req.url);
      if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        const ready = deps.isReady();
        send(
          res,
          ready ? 200 : 503,
          { 'content-type': 'application/json' },
          req.method === 'HEAD' ? '' : JSON.stringify({ status: ready ? 'ok' : 'starting' }),
        );
        return;
      }
      if (deps.metrics && path === '/metrics' && req.method === 'GET' && deps.metrics.isScrape(req.headers.authorization)) {
        req.resume();
        if (!deps.metrics.accepts(req.headers.authorization)) {
          send(res, 401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }, 'the metrics token is not right\n');
          return;
        }
        send(res, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }, await deps.metrics.render());
        return;
      }
      const syncing = syncForTurn();
      if (syncing) await syncing;
      if (req.method === 'GET' && deps.publicGet && path.startsWith('/acm/')) {
        const r = await deps.publicGet(path);
        if (r) {
          req.resume();
          send(res, r.status, { ...r.headers }, r.body);
          return;
        }
      }
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string') {
        deps.metrics?.timeAnswer('json', startedAt, res);
        await deps.json.handle(req, res, { requestId, path, query, secure }, target);
        return;
      }
      if (QueryEdge.accepts(req, path, query)) {
        deps.metrics?.timeAnswer('query', startedAt, res);
        await deps.query.handle(req, res, { requestId, path, query, secure });
        return;
      }
      if (deps.rest) {
        deps.metrics?.timeAnswer('s3', startedAt, res);
        await deps.rest.handle(req, res, { requestId, path, query, secure });
        return;
      }
      req.resume();
      send(
        res,
        501,
        { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message><RequestId>${requestId}</RequestId></Error>`,
      );
    } catch (err) {
      // A client that went away or stalled mid-body has no connection left to answer on.
      if (clientGoneMidBody(req, err)) {
        deps.log.debug({ requestId, err: err instanceof Error ? err.message : String(err) }, 'client gone before its request body arrived');
        res.destroy();
        return;
      }
      deps.log.error({ requestId, err: err instanceof Error ? err.message : String(err) }, 'request failed');
      send(
        res,
        500,
        { 'content-type': 'application/x-amz-json-1.1' },
        JSON.stringify({ __type: 'InternalFailure', message: `An internal error occurred (request ${requestId}).` }),
        true,
      );
    }
  };
}
