// XML for S3: a builder for responses (S3 repeats list elements, unlike the Query protocol's <member>)
// and a hardened parser for request bodies: DOCTYPE refused (XXE, entity expansion; security.md §5),
// size and depth limited, only predefined entities, parsed keys kept off Object.prototype.
import { XMLParser } from 'fast-xml-parser';
import { escapeXml } from '../../protocol/xml-writer.js';
import { S3 } from './errors.js';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export type XmlNode = string | number | boolean | Date | undefined | null | XmlNode[] | XmlElements | { [k: string]: XmlNode };

/**
 * Elements of different names in a given order, rendered in place of the member that holds them (whose own name
 * is not used). ListObjectVersions needs it: S3 interleaves <Version> and <DeleteMarker> in key order, newest
 * first, and clients that keep the order (minio-go, the Java SDK v1) read a key's history from it.
 */
export class XmlElements {
  constructor(readonly items: ReadonlyArray<readonly [string, XmlNode]>) {}
}

function render(name: string, v: XmlNode): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map((x) => render(name, x)).join('');
  if (v instanceof XmlElements) return v.items.map(([n, x]) => render(n, x)).join('');
  // S3's timestamps have whole seconds ("2026-11-29T23:34:20.000Z", as AWS answers in localstack's recordings,
  // test_s3_list_objects_timestamp_precision): the same instant as the Last-Modified header of a HEAD.
  if (v instanceof Date) return `<${name}>${new Date(Math.floor(v.getTime() / 1000) * 1000).toISOString()}</${name}>`;
  if (typeof v === 'object')
    return `<${name}>${Object.entries(v)
      .map(([k, x]) => render(k, x))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

export function xmlDocument(root: string, body: { [k: string]: XmlNode }, ns = true): string {
  const inner = Object.entries(body)
    .map(([k, v]) => render(k, v))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns ? ` xmlns="${S3_NS}"` : ''}>${inner}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Only the five predefined entities can appear: any DOCTYPE (and so any entity definition) is refused above.
  processEntities: true,
  // Numeric character references (Go's encoder writes &#34; for quotes) are decoded too.
  htmlEntities: true,
  parseTagValue: false,
  // Values are kept verbatim: an object key " " or "a " is a different key from "" or "a" (trimming made
  // DeleteObjects delete "a" when asked for "a "). Whitespace between elements is dropped below.
  trimValues: false,
  isArray: (_name, jpath) => /(^|\.)(Rule|Object|Part|Tag|Grant|Statement|Member|member)$/.test(String(jpath)),
});

export function parseXmlBody(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw S3.MalformedXML();
  let depth = 0;
  let maxDepth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '<') {
      const next = text[i + 1];
      if (next === '/') depth--;
      else if (next !== '?' && next !== '!') {
        const close = text.indexOf('>', i);
        if (close > 0 && text[close - 1] !== '/') depth++;
        maxDepth = Math.max(maxDepth, depth);
      }
    }
  }
  if (maxDepth > 32) throw S3.MalformedXML();
  try {
    const doc = parser.parse(text) as Record<string, unknown>;
    // The replacer drops prototype-polluting names and the indentation between elements, which the parser
    // keeps as a "#text" member of elements that have children.
    return JSON.parse(
      JSON.stringify(doc, (k, v) =>
        k === '__proto__' || k === 'constructor' || k === 'prototype' || (k === '#text' && typeof v === 'string' && v.trim() === '') ? undefined : v,
      ),
    ) as Record<string, unknown>;
  } catch {
    throw S3.MalformedXML();
  }
}

/**
 * The text of an element S3's schema types as a single simple value: undefined when absent, MalformedXML when
 * the element has child elements or is repeated (the body does not validate against S3's published schema).
 */
export function xmlText(node: unknown): string | undefined {
  if (node === undefined || typeof node === 'string') return node;
  throw S3.MalformedXML();
}

/** The occurrences of an element that may repeat: none, one, or the list the parser made of several. */
export const xmlList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** An element with child elements (an empty one reads as none); text or a repeated element is MalformedXML. */
export function xmlObject(v: unknown): Record<string, unknown> {
  if (v === '' || v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw S3.MalformedXML();
  return v as Record<string, unknown>;
}
