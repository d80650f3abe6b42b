// How long a request may take to arrive, and an answer to be read. S3 sets no limit on a whole request, only on a
// stalled one: "Your
// socket connection to the server was not read from or written to within the timeout period. Idle connections
// will be closed." (RequestTimeout, S3 API reference "Error responses"). Node's own requestTimeout caps the whole
// request instead (300 s by default), which cut off any upload slower than that: a 1 GiB part at 3 MB/s. So the
// listeners turn requestTimeout off (headers still have headersTimeout) and a request whose body is still coming
// is closed after STALL_MS without a byte moving either way (docs/decisions.md 104). An object being downloaded
// whose client stops reading without closing the connection is closed after STALL_MS too (S3's edge), which
// releases its file (decision 108).
import type { IncomingMessage } from 'node:http';

export const STALL_MS = 60_000;

/** What a request that stalled mid-body fails with (its connection is closed: no answer can reach the client). */
export class RequestIdleError extends Error {
  readonly code = 'RequestTimeout';
  constructor(ms: number) {
    super(`The request body stalled: nothing was received for ${ms / 1000} s, and the connection was closed.`);
    this.name = 'RequestIdleError';
  }
}

/** Closes `req`'s connection if its body, while it is still coming, stalls for `ms`; no-op for a request without one. */
export function limitBodyIdle(req: IncomingMessage, ms = STALL_MS): void {
  const length = req.headers['content-length'];
  if (req.complete || ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined)) return;
  req.setTimeout(ms, () => {
    if (!req.complete) req.destroy(new RequestIdleError(ms));
  });
  req.once('end', () => req.setTimeout(0));
}

/**
 * Whether a request failed because its client went away or stalled mid-body (RequestIdleError, or the body's
 * stream reporting the connection aborted or reset): the client's doing, recorded as such, never as the server's
 * InternalError. Judged by the error alone: a server-side failure that ends the body's reading (a full disk, say)
 * destroys the request too, and is not the client's.
 */
export function clientGoneMidBody(req: IncomingMessage, err: unknown): boolean {
  if (err instanceof RequestIdleError) return true;
  if (req.complete) return false;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ECONNABORTED' || (code === undefined && (err as Error | null)?.message === 'aborted');
}
