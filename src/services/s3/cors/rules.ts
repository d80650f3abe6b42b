// A bucket's CORS configuration (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): parsing and
// validating the PutBucketCors document, rendering it for GetBucketCors, and choosing the rule that allows a
// cross-origin request, as S3 does: the first rule whose origin, method and every requested header match.
import { S3 } from '../errors.js';
import { type XmlNode, xmlList as list } from '../xml.js';

export interface CorsRule {
  id?: string;
  allowedMethods: string[];
  allowedOrigins: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);
const MAX_RULES = 100;

/** XML text values (an empty element parses as ""). */
function strings(v: unknown): string[] {
  return list(v).map((x) => {
    if (typeof x !== 'string') throw S3.MalformedXML();
    return x;
  });
}

function oneWildcard(what: 'AllowedOrigin' | 'AllowedHeader', values: string[]): void {
  for (const v of values) if (v.indexOf('*') !== v.lastIndexOf('*')) throw S3.InvalidRequest(`${what} "${v}" can not have more than one wildcard.`);
}

/** The rules of a parsed <CORSConfiguration> document (MalformedXML / InvalidRequest with S3's wording). */
export function parseCorsConfiguration(doc: Record<string, unknown>): CorsRule[] {
  const root = doc.CORSConfiguration;
  if (root === null || typeof root !== 'object') throw S3.MalformedXML();
  const rules = list((root as Record<string, unknown>).CORSRule);
  if (rules.length === 0 || rules.length > MAX_RULES) throw S3.MalformedXML();
  return rules.map((r) => {
    if (r === null || typeof r !== 'object') throw S3.MalformedXML();
    const x = r as Record<string, unknown>;
    const allowedMethods = strings(x.AllowedMethod);
    const allowedOrigins = strings(x.AllowedOrigin);
    if (allowedMethods.length === 0 || allowedOrigins.length === 0) throw S3.MalformedXML();
    for (const m of allowedMethods) if (!METHODS.has(m)) throw S3.InvalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    const allowedHeaders = strings(x.AllowedHeader);
    oneWildcard('AllowedOrigin', allowedOrigins);
    oneWildcard('AllowedHeader', allowedHeaders);
    const id = x.ID === undefined ? undefined : strings(x.ID)[0];
    if (id !== undefined && id.length > 255) throw S3.InvalidArgument('The ID of a CORS rule must be at most 255 characters long.');
    const maxAge = x.MaxAgeSeconds === undefined ? undefined : strings(x.MaxAgeSeconds)[0];
    if (maxAge !== undefined && !/^\d{1,10}$/.test(maxAge.trim())) throw S3.MalformedXML();
    return {
      ...(id !== undefined ? { id } : {}),
      allowedMethods,
      allowedOrigins,
      allowedHeaders,
      exposeHeaders: strings(x.ExposeHeader),
      ...(maxAge !== undefined ? { maxAgeSeconds: Number(maxAge.trim()) } : {}),
    };
  });
}

/** The rules as GetBucketCors returns them (elements in S3's order). */
export function corsDocumentBody(rules: ReadonlyArray<CorsRule>): { [k: string]: XmlNode } {
  return {
    CORSRule: rules.map((r) => ({
      ID: r.id,
      AllowedHeader: r.allowedHeaders,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  };
}

/** A pattern with at most one "*", which stands for any run of characters. */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

export interface CorsRequest {
  origin: string;
  method: string;
  /** Header names a preflight announces (Access-Control-Request-Headers), lower-cased. */
  headers: string[];
}

/** The first rule that allows the request, or undefined. Header names compare case-insensitively. */
export function matchCorsRule(rules: ReadonlyArray<CorsRule>, r: CorsRequest): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatch(o, r.origin)) &&
      rule.allowedMethods.includes(r.method) &&
      r.headers.every((h) => rule.allowedHeaders.some((a) => wildcardMatch(a.toLowerCase(), h))),
  );
}

/** The header names of an Access-Control-Request-Headers value, lower-cased. */
export function requestedHeaders(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

/** The response headers granting a matched request (preflight: with the headers it asked for). */
export function corsResponseHeaders(rule: CorsRule, r: CorsRequest, preflight: boolean): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*') && !rule.allowedOrigins.some((o) => o !== '*' && wildcardMatch(o, r.origin));
  const h: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : r.origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  // Credentials can be allowed only for a named origin (the Fetch standard refuses "*" with credentials).
  if (!anyOrigin) h['access-control-allow-credentials'] = 'true';
  if (preflight && r.headers.length > 0) h['access-control-allow-headers'] = r.headers.join(', ');
  if (rule.exposeHeaders.length > 0) h['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) h['access-control-max-age'] = String(rule.maxAgeSeconds);
  return h;
}
