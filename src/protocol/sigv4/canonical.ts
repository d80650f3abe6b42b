// SigV4 canonical request (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
// Two path rules exist: S3 signs the path as sent, single-encoded and unnormalized; every other service
// normalizes dot segments and duplicate slashes and URI-encodes the already-encoded path once more.
import { hash } from 'node:crypto';

export interface SignableRequest {
  method: string;
  /** Path exactly as received on the wire, without the query string. */
  path: string;
  /** Query string exactly as received, without the leading '?'. */
  query: string;
  /** Raw header name/value pairs in arrival order (duplicates allowed). */
  headers: ReadonlyArray<readonly [string, string]>;
}

export type PathRule = 's3' | 'normalized';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 percent-encoding of every byte except unreserved characters (and '/' when keepSlash). */
export function uriEncode(input: string, keepSlash: boolean): string {
  let out = '';
  for (const ch of input) {
    if (UNRESERVED.test(ch) || (keepSlash && ch === '/')) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Percent-decodes, leaving malformed escapes as they are (they then re-encode as '%25'). */
export function uriDecode(input: string): string {
  if (!input.includes('%')) return input;
  try {
    return decodeURIComponent(input);
  } catch {
    return input.replace(/%([0-9A-Fa-f]{2})/g, (m, h: string) => {
      const code = Number.parseInt(h, 16);
      return code < 0x80 ? String.fromCharCode(code) : m;
    });
  }
}

function normalizePath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const trailing = path.length > 1 && path.endsWith('/') && out.length > 0;
  return `/${out.join('/')}${trailing ? '/' : ''}`;
}

export function canonicalUri(path: string, rule: PathRule): string {
  const p = path === '' ? '/' : path;
  if (rule === 's3') return uriEncode(uriDecode(p), true);
  return uriEncode(normalizePath(p), true);
}

export interface QueryParam {
  name: string;
  value: string;
}

/** Splits a raw query string into decoded name/value pairs ('+' is a literal plus, as AWS treats it). */
export function parseQuery(query: string): QueryParam[] {
  if (query === '') return [];
  return query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? { name: uriDecode(p), value: '' } : { name: uriDecode(p.slice(0, eq)), value: uriDecode(p.slice(eq + 1)) };
    });
}

export function canonicalQuery(params: ReadonlyArray<QueryParam>, exclude?: string): string {
  const encoded = params.filter((p) => p.name !== exclude).map((p) => [uriEncode(p.name, false), uriEncode(p.value, false)] as const);
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Lower-cased header name -> canonical value (trimmed, inner whitespace runs collapsed, repeats joined by ','). */
export function headerMap(headers: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of headers) {
    const k = name.toLowerCase();
    const t = value.trim();
    const v = needsCollapse(t) ? t.replace(/\s+/g, ' ') : t;
    const prev = map.get(k);
    map.set(k, prev === undefined ? v : `${prev},${v}`);
  }
  return map;
}

// True when collapsing /\s+/ to one space could change the (trimmed) value: two spaces in a row, or any
// character that may be whitespace other than a plain space (controls, and the non-ASCII ones that /\s/
// matches, which are all >= U+00A0). SDKs send canonical values, so this is a loop over printable ASCII
// that answers false; anything doubtful goes to the exact regular expression.
const EXACT_COLLAPSE = /\s\s|[^\S ]/;

function needsCollapse(t: string): boolean {
  let prevSpace = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x20) {
      if (prevSpace) return true;
      prevSpace = true;
    } else if (c < 0x20 || c >= 0x7f) {
      return EXACT_COLLAPSE.test(t);
    } else {
      prevSpace = false;
    }
  }
  return false;
}

export function canonicalRequest(
  method: string,
  uri: string,
  query: string,
  headers: Map<string, string>,
  signedHeaders: ReadonlyArray<string>,
  payloadHash: string,
): string {
  let canonHeaders = '';
  for (const h of signedHeaders) canonHeaders += `${h}:${headers.get(h) ?? ''}\n`;
  return `${method}\n${uri}\n${query}\n${canonHeaders}\n${signedHeaders.join(';')}\n${payloadHash}`;
}

export function sha256Hex(data: string | Buffer): string {
  // crypto.hash is the one-shot form (no Hash object): half the cost of createHash for short inputs.
  return hash('sha256', data, 'hex');
}

export function stringToSign(amzDate: string, scope: string, canonical: string | Buffer): string {
  return `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
