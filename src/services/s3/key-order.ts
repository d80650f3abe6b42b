// S3 orders keys by their UTF-8 bytes (ListObjects: "returned in UTF-8 binary order"); JavaScript's `<`
// compares UTF-16 code units, which disagrees for keys mixing characters above U+FFFF (surrogate pairs) with
// U+E000–U+FFFF (e.g. "😀" sorts before "\uFFFD" in UTF-16, after it in UTF-8). The store lists keys in byte
// order already (SQLite's BINARY collation on UTF-8 text); comparisons made in JavaScript use this.
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
