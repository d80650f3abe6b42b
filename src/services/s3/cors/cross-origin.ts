// CORS at the S3 edge: the answer to a preflight (OPTIONS, unauthenticated, as browsers send it) and the
// headers that let a browser read the answer to a cross-origin request, both from the bucket's rules
// (rules.ts), with S3's answers when nothing allows it
// (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html).
import type { IncomingMessage } from 'node:http';
import { S3, S3Error } from '../errors.js';
import type { BucketRecord } from '../model.js';
import { type CorsRequest, corsResponseHeaders, matchCorsRule, requestedHeaders } from './rules.js';

const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The answer to a preflight for `bucket` (undefined: no such bucket): the grant's headers, or the S3 error.
 * `key` says whether an object was addressed (ResourceType in a refusal).
 */
export function preflight(req: IncomingMessage, bucket: BucketRecord | undefined, key: string | undefined): Record<string, string> {
  const origin = header(req, 'origin');
  if (origin === undefined) throw S3.BadRequest('Insufficient information. Origin request header needed.');
  const method = header(req, 'access-control-request-method');
  const forbidden = (message: string, resourceType: 'BUCKET' | 'OBJECT') =>
    new S3Error('AccessForbidden', 403, message, { Method: method ?? 'OPTIONS', ResourceType: resourceType });
  if (!bucket) throw forbidden('CORSResponse: Bucket not found', 'BUCKET');
  if (!bucket.cors?.length) throw forbidden('CORSResponse: CORS is not enabled for this bucket.', 'BUCKET');
  const r: CorsRequest = { origin, method: method ?? '', headers: requestedHeaders(header(req, 'access-control-request-headers')) };
  const rule = method === undefined ? undefined : matchCorsRule(bucket.cors, r);
  if (!rule) throw forbidden(NOT_ALLOWED, key === undefined ? 'BUCKET' : 'OBJECT');
  return corsResponseHeaders(rule, r, true);
}

/**
 * The CORS headers for the answer to a request that carries an Origin, when a rule allows it; S3 evaluates a
 * request that also carries preflight headers as the preflight would (its method and headers must match).
 */
export function crossOriginHeaders(req: IncomingMessage, bucket: BucketRecord | undefined): Record<string, string> | undefined {
  const origin = header(req, 'origin');
  if (origin === undefined || !bucket?.cors?.length) return undefined;
  const r: CorsRequest = {
    origin,
    method: header(req, 'access-control-request-method') ?? req.method ?? 'GET',
    headers: requestedHeaders(header(req, 'access-control-request-headers')),
  };
  const rule = matchCorsRule(bucket.cors, r);
  return rule ? corsResponseHeaders(rule, r, false) : undefined;
}
