// The entity-tag lists of If-Match / If-None-Match (RFC 9110 §13.1.1): comma-separated, each quoted or (as
// clients often send them) bare, or "*" for any. One parser and one matcher for reads, writes and deletes.
// Each quote is dropped on its own: S3 also matches a tag with only one of its quotes (moto's AWS-verified
// test_put_object_if_match sends `abc"`).
export function parseEtagList(value: string): string[] {
  return value.split(',').map((t) => {
    const s = t.trim();
    return s.slice(s.startsWith('"') ? 1 : 0, s.length > 1 && s.endsWith('"') ? -1 : undefined);
  });
}

/** True when the list names `etag` (unquoted, as stored) or is "*". */
export function etagListMatches(list: ReadonlyArray<string>, etag: string): boolean {
  return list.some((t) => t === '*' || t === etag);
}
