// User metadata and RFC 2047 (S3 user guide, "User-defined object metadata"): "Values of such headers are
// character decoded as per RFC 2047 before storing and encoded as per RFC 2047 to make them mail-safe before
// returning." Values are kept as Node reads header bytes: one character per byte (latin1).
//
// Which encoding S3 returns was read from AWS's answers as localstack recorded them (test_s3.py,
// test_user_metadata_rfc2047_encoded and the POST and presigned-URL cases): the Q encoding for printable text,
// the B encoding when the text holds a control, format, private-use or unassigned character or U+FFFD.
import { isUtf8 } from 'node:buffer';

/** Bytes the Q encoding leaves as they are: printable ASCII except space, "=", "?" and "_", and tab. */
const Q_SAFE = new Set(Buffer.from('!"#$%&\'()*+,-./0123456789:;<>@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^`abcdefghijklmnopqrstuvwxyz{|}~\t', 'latin1'));
/** Bytes a value may hold and still be returned as it is. */
const AS_IS = new Set([...Q_SAFE, ...Buffer.from(' _=?', 'latin1')]);
const NEEDS_BASE64 = /[\p{C}\uFFFD]/u;

/** The text a stored value stands for: its bytes as UTF-8 when they are UTF-8 (botocore, the AWS CLI), else latin1 (Node's clients). */
function text(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes.toString('latin1');
}

/** A stored value as S3 returns it in an x-amz-meta-* header. */
export function mailSafe(value: string): string {
  const raw = Buffer.from(value, 'latin1');
  if (raw.every((b) => AS_IS.has(b))) return value;
  const utf8 = Buffer.from(text(raw), 'utf8');
  if (NEEDS_BASE64.test(utf8.toString('utf8'))) return `=?UTF-8?B?${utf8.toString('base64')}?=`;
  let q = '';
  for (const b of utf8) q += Q_SAFE.has(b) ? String.fromCharCode(b) : b === 0x20 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return `=?UTF-8?Q?${q}?=`;
}

// An encoded word (RFC 2047 §2): =?charset?encoding?encoded-text?=
const ENCODED_WORD = /=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g;

function decodeWord(charset: string, encoding: string, encoded: string): Buffer | undefined {
  const cs = charset.toLowerCase().replace(/\*.*$/, '');
  if (cs !== 'utf-8' && cs !== 'us-ascii' && cs !== 'iso-8859-1' && cs !== 'latin1') return undefined;
  let bytes: Buffer;
  if (encoding === 'B' || encoding === 'b') bytes = Buffer.from(encoded, 'base64');
  else
    bytes = Buffer.from(
      encoded.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    );
  return cs === 'iso-8859-1' || cs === 'latin1' ? Buffer.from(bytes.toString('latin1'), 'utf8') : bytes;
}

/**
 * A header value as S3 stores it: encoded words in UTF-8, US-ASCII or ISO-8859-1 decoded (to UTF-8 bytes;
 * whitespace between two adjacent words dropped, RFC 2047 §6.2), anything else kept as sent.
 */
export function decodeMetadataValue(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let previousWordEnd = -1;
  for (const m of value.matchAll(ENCODED_WORD)) {
    const decoded = decodeWord(m[1]!, m[2]!, m[3]!);
    if (!decoded) continue;
    const between = value.slice(last, m.index);
    if (!(previousWordEnd === last && /^\s*$/.test(between))) out += between;
    out += decoded.toString('latin1');
    last = m.index + m[0].length;
    previousWordEnd = last;
  }
  return out + value.slice(last);
}
