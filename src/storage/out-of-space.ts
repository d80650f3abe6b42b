// A data directory that is out of space (or over its quota) fails every write: the blob store's file writes
// with ENOSPC or EDQUOT, SQLite's commits with SQLITE_FULL. Nothing the request wanted is kept (a blob is
// written to a temporary file and renamed only when whole; a commit that fails is rolled back), so the request
// is refused as the server's condition, not the client's: 503, which the AWS SDKs retry, with a message that
// says what to do, instead of an InternalError that says nothing (docs/decisions.md 103).

export const OUT_OF_SPACE_MESSAGE = "Keyhold's data directory is out of space; the request changed nothing. Free space on the server and retry.";

const CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** Whether `err` (or the error it wraps, as a stream pipeline's or an AggregateError's) is a full disk. */
export function isOutOfSpace(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 3) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && CODES.has(e.code)) return true;
  if (e.cause !== undefined && isOutOfSpace(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isOutOfSpace(x, depth + 1));
}
