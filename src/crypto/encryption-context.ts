// Canonical encoding of a KMS encryption context for use as AAD (shared/reference/kms.md §8).
//   count:u32be, then per entry keyLen:u32be key valueLen:u32be value, entries sorted by the UTF-8
//   bytes of the key (Buffer.compare, not JS string order).
// Length prefixes make {"a":"bc"} and {"ab":"c"} encode differently, which a key||value
// concatenation does not.
export type EncryptionContext = Readonly<Record<string, string>>;

export class EncryptionContextError extends Error {}

function isWellFormedUtf16(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

export function encodeEncryptionContext(ctx: EncryptionContext | undefined): Buffer {
  const entries = Object.entries(ctx ?? {}).map(([k, v]) => {
    if (typeof v !== 'string') throw new EncryptionContextError('encryption context values must be strings');
    if (!isWellFormedUtf16(k) || !isWellFormedUtf16(v)) throw new EncryptionContextError('encryption context is not valid UTF-8');
    return [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const;
  });
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  let size = 4;
  for (const [k, v] of entries) size += 8 + k.length + v.length;
  const out = Buffer.allocUnsafe(size);
  let off = out.writeUInt32BE(entries.length, 0);
  for (const [k, v] of entries) {
    off = out.writeUInt32BE(k.length, off);
    off += k.copy(out, off);
    off = out.writeUInt32BE(v.length, off);
    off += v.copy(out, off);
  }
  return out;
}

/** Length-prefixed concatenation of identity parts, for AAD that binds a record to its place. */
export function encodeParts(parts: ReadonlyArray<string | Buffer>): Buffer {
  const bufs = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p));
  const out = Buffer.allocUnsafe(bufs.reduce((n, b) => n + 4 + b.length, 4));
  let off = out.writeUInt32BE(bufs.length, 0);
  for (const b of bufs) {
    off = out.writeUInt32BE(b.length, off);
    off += b.copy(out, off);
  }
  return out;
}
