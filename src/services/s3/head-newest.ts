// The key and newest version of a head record (object-pages.ts), read without parsing its other versions. A
// listing of current objects needs only the newest version of each key, but a versioned key's head holds up to 96
// (tens of KiB of JSON): parsing whole heads made a ListObjectsV2 page over a versioned bucket cost 0.5 ms a key on
// the 2-core VM (docs/decisions.md 114). Head records are written by JSON.stringify of {key, versions, pages?}, in
// that order and without whitespace, so the newest version is the first value after `"versions":[`: found by
// walking the text, strings skipped with their escapes, and parsed alone. Anything laid out otherwise is parsed
// whole, so the fast path can only be faster, never different.
import type { VersionRecord } from './model.js';

/** A key as a listing of current objects sees it: a read-only view, never written back. */
export interface ListedKey {
  key: string;
  /** The newest version (maybe a delete marker); undefined when the key has none. */
  newest: VersionRecord | undefined;
}

const KEY_START = '{"key":';
const VERSIONS_START = ',"versions":[';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export function newestOfHead(value: Buffer): ListedKey {
  const text = value.toString();
  return scanned(text) ?? whole(text);
}

function whole(text: string): ListedKey {
  const head = JSON.parse(text) as { key: string; versions: VersionRecord[] };
  return { key: head.key, newest: head.versions[0] };
}

function scanned(text: string): ListedKey | undefined {
  if (!text.startsWith(KEY_START) || text.charCodeAt(KEY_START.length) !== QUOTE) return undefined;
  const keyEnd = stringEnd(text, KEY_START.length);
  if (keyEnd < 0 || !text.startsWith(VERSIONS_START, keyEnd)) return undefined;
  const key = JSON.parse(text.slice(KEY_START.length, keyEnd)) as string;
  const first = keyEnd + VERSIONS_START.length;
  if (text[first] === ']') return { key, newest: undefined };
  if (text[first] !== '{') return undefined;
  const end = valueEnd(text, first);
  return end < 0 ? undefined : { key, newest: JSON.parse(text.slice(first, end)) as VersionRecord };
}

/** The index just past the JSON string that opens at `at`, or -1. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

/** The index just past the object or array that opens at `at`, or -1. */
function valueEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i) - 1;
      if (i < 0) return -1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
