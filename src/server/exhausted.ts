// Two ways the machine, not the request, makes a request fail, each answered 503 (the AWS SDKs retry it) with
// what to do instead of an InternalError that says nothing:
// - a data directory out of space (or over its quota): the blob store's writes fail with ENOSPC or EDQUOT,
//   SQLite's commits with SQLITE_FULL (docs/decisions.md 103);
// - a process out of open files (its `ulimit -n`, or the system's): EMFILE, ENFILE, SQLite's SQLITE_CANTOPEN
//   is left out, as it also means a missing or unreadable file (docs/decisions.md 105).
// Nothing the request wanted is kept: a blob is written to a temporary file and renamed only when whole, a
// commit that fails is rolled back, and a version whose commit failed has its blobs deleted (object-common.ts).

export type Exhaustion = 'space' | 'files';

export const EXHAUSTION_MESSAGE: Record<Exhaustion, string> = {
  space: "Keyhold's data directory is out of space; the request changed nothing. Free space on the server and retry.",
  files: 'Keyhold has as many files open as it may (ulimit -n); the request changed nothing. Retry, or raise the limit.',
};

const CODES: Record<string, Exhaustion> = { ENOSPC: 'space', EDQUOT: 'space', SQLITE_FULL: 'space', EMFILE: 'files', ENFILE: 'files' };

/** What `err` (or an error it wraps: a cause, or one of an AggregateError's) ran out of, if anything. */
export function exhaustion(err: unknown, depth = 0): Exhaustion | undefined {
  if (err === null || typeof err !== 'object' || depth > 3) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && Object.hasOwn(CODES, e.code)) return CODES[e.code];
  if (e.cause !== undefined) {
    const inner = exhaustion(e.cause, depth + 1);
    if (inner) return inner;
  }
  if (!Array.isArray(e.errors)) return undefined;
  for (const x of e.errors) {
    const inner = exhaustion(x, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}
