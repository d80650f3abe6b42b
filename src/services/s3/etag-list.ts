// The entity-tag lists of If-Match / If-None-Match (RFC 9110 §13.1.1): comma-separated, each quoted or (as
// clients often send them) bare, or "*" for any. One parser and one matcher for reads, writes and deletes.
export function parseEtagList(value: string): string[] {
  return value.split(',').map((t) => {
    const s = t.trim();
    return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
  });
}

/** True when the list names `etag` (unquoted, as stored) or is "*". */
export function etagListMatches(list: ReadonlyArray<string>, etag: string): boolean {
  return list.some((t) => t === '*' || t === etag);
}
