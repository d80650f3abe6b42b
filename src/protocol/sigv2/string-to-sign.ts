// Signature Version 2's StringToSign for S3, shared by query-string (presigned URL) and Authorization-header
// authentication (S3 user guide, "Authenticating Requests (AWS Signature Version 2)"):
//
//   StringToSign = VERB "\n" Content-MD5 "\n" Content-Type "\n" Date-or-Expires "\n" CanonicalizedAmzHeaders CanonicalizedResource
//   Signature    = Base64(HMAC-SHA1(secret access key, UTF-8(StringToSign)))
//
// HMAC-SHA1 is SigV2's definition; HMAC (unlike plain SHA-1) is not weakened by SHA-1's collisions.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { headerMap, parseQuery } from '../sigv4/canonical.js';
import { bytesShown, SigV4Error } from '../sigv4/errors.js';

/** Query parameters that name a sub-resource and so are part of the CanonicalizedResource (the S3 guide's list). */
const SUBRESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'partNumber',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'retention',
  'select',
  'select-type',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'website',
]);

const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export interface SigV2Request {
  method: string;
  /** The path as sent (still percent-encoded). */
  path: string;
  query: string;
  headers: ReadonlyArray<readonly [string, string]>;
  /** The bucket a virtual-hosted request names in its Host (the resource then starts with "/<bucket>"). */
  virtualHostBucket?: string;
}

export interface VerifiedSigV2<P> {
  accessKeyId: string;
  principal: P;
}

/**
 * The StringToSigns `req` may have been signed with. `dateOrExpires` is the Date line (header form) or Expires
 * (query form); `amzFromQuery` are the x-amz-* parameters a presigned URL carries, signed as headers. Content-MD5
 * and Content-Type are signed as the request sends them, never as a query names them (botocore copies them there
 * too): a URL signed for text/plain refuses a PUT of text/xml or of no type at all (AWS's recording, localstack
 * test_s3_put_presigned_url_with_different_headers, signature_version "s3"); reading them from the query let a
 * holder of the URL store a type the signer never approved.
 *
 * A path-style request for a bucket itself ("/bucket?prefix=...") is signed by the guide's rule as "/bucket" and
 * by botocore as "/bucket/", which S3 accepts: both name the same resource, so both are tried (at most four
 * candidates in all, with the sub-resource forms below).
 */
export function stringsToSign(req: SigV2Request, dateOrExpires: string, amzFromQuery: ReadonlyMap<string, string> = new Map()): string[] {
  const headers = headerMap(req.headers);
  const amz = new Map<string, string>();
  for (const [name, value] of amzFromQuery) amz.set(name, value.trim());
  for (const [name, value] of headers) if (name.startsWith('x-amz-')) amz.set(name, amz.has(name) ? `${amz.get(name)},${value}` : value);
  const amzLines = [...amz.keys()]
    .sort()
    .map((name) => `${name}:${amz.get(name)}\n`)
    .join('');
  const subresources = parseQuery(req.query)
    .filter((p) => SUBRESOURCES.has(p.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A sub-resource sent with an empty value ("?uploads=") is signed as sent by some signers and bare ("uploads") by
  // others (the Go SDK's, so rclone's): both name the same sub-resource.
  const asSent = subresources.map((p) => (rawHasValue(req.query, p.name) ? `${p.name}=${p.value}` : p.name)).join('&');
  const bare = subresources.map((p) => (p.value === '' ? p.name : `${p.name}=${p.value}`)).join('&');
  const head = `${req.method}\n${headers.get('content-md5') ?? ''}\n${headers.get('content-type') ?? ''}\n${dateOrExpires}\n${amzLines}`;
  const bucketOnly = req.virtualHostBucket === undefined && /^\/[^/]+$/.test(req.path);
  const out: string[] = [];
  for (const path of bucketOnly ? [req.path, `${req.path}/`] : [req.path]) {
    for (const sub of asSent === bare ? [asSent] : [asSent, bare]) {
      out.push(`${head}${req.virtualHostBucket !== undefined ? `/${req.virtualHostBucket}` : ''}${path}${sub ? `?${sub}` : ''}`);
    }
  }
  return out;
}

/** A header of `req` by its lower-case name (the first, if repeated). */
export function headerOf(req: SigV2Request, name: string): string | undefined {
  return req.headers.find(([n]) => n.toLowerCase() === name)?.[1];
}

/** Whether `name` appears in the raw query with an "=" (a sub-resource is signed as "name=value" then, else "name"). */
function rawHasValue(query: string, name: string): boolean {
  return query.split('&').some((p) => p.startsWith(`${name}=`) || p.startsWith(`${encodeURIComponent(name)}=`));
}

/**
 * Checks a Base64 signature over any of `candidates` in constant time. Header values arrive as bytes held as latin1
 * strings; a signer may have signed them as UTF-8 text or as bytes, so both readings are tried.
 */
export function checkSignature(secretAccessKey: string, candidates: ReadonlyArray<string>, signatureBase64: string, accessKeyId: string): void {
  const provided = Buffer.from(signatureBase64, 'base64');
  const matches = (bytes: Buffer) => {
    const computed = createHmac('sha1', secretAccessKey).update(bytes).digest();
    return provided.length === computed.length && timingSafeEqual(provided, computed);
  };
  if (candidates.some((toSign) => matches(Buffer.from(toSign, 'utf8')) || matches(Buffer.from(toSign, 'latin1')))) return;
  // What the server signed, as S3 reports it for SigV2 (recorded from AWS: AWSAccessKeyId, StringToSign,
  // SignatureProvided, StringToSignBytes).
  const toSign = candidates[candidates.length - 1]!;
  throw new SigV4Error('SignatureMismatch', MISMATCH, [], {
    AWSAccessKeyId: accessKeyId,
    StringToSign: toSign,
    SignatureProvided: signatureBase64,
    StringToSignBytes: bytesShown(toSign),
  });
}
