// S3's query-string authentication with Signature Version 2: presigned URLs carrying AWSAccessKeyId, Expires and
// Signature (S3 user guide, "Authenticating Requests (AWS Signature Version 2)", "Query string request
// authentication alternative"). Why Keyhold verifies it although SigV4 is the signing it speaks: botocore (boto3,
// and so most Python code) presigns S3 URLs with it by default in the Regions that have had S3 from the start,
// us-east-1 among them, and AWS still accepts those URLs (localstack's recordings, February 2026). Only this form
// is accepted; SigV2 Authorization headers stay refused.
//
//   StringToSign = VERB "\n" Content-MD5 "\n" Content-Type "\n" Expires "\n" CanonicalizedAmzHeaders CanonicalizedResource
//   Signature    = Base64(HMAC-SHA1(secret access key, UTF-8(StringToSign)))
//
// A signer may move the Content-MD5, Content-Type and x-amz-* headers it signed into the query (botocore does);
// their values are read from there, else from the headers.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { headerMap, parseQuery } from '../sigv4/canonical.js';
import { SigV4Error } from '../sigv4/errors.js';
import type { VerifiableCredential } from '../sigv4/verifier.js';

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

export interface SigV2QueryRequest {
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

/** Whether a request carries SigV2 query-string authentication (and no SigV4 one). */
export function isSigV2Presigned(query: string): boolean {
  return /(^|&)AWSAccessKeyId=/.test(query) && !/(^|&)X-Amz-(Algorithm|Signature)=/.test(query);
}

export function verifySigV2Query<P>(
  req: SigV2QueryRequest,
  opts: { now: number; lookup: (accessKeyId: string) => VerifiableCredential<P> | undefined; refuseSessionTokens?: boolean },
): VerifiedSigV2<P> {
  const params = parseQuery(req.query);
  const get = (name: string) => params.find((p) => p.name === name)?.value;
  const accessKeyId = get('AWSAccessKeyId');
  const signature = get('Signature');
  const expires = get('Expires');
  if (!accessKeyId || !signature || !expires)
    throw new SigV4Error('IncompleteQueryAuth', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 < opts.now) throw new SigV4Error('PresignExpired', 'Request has expired');
  const cred = opts.lookup(accessKeyId);
  if (!cred) throw new SigV4Error('UnknownAccessKey', 'The AWS Access Key Id you provided does not exist in our records.');

  const headers = headerMap(req.headers);
  const fromQuery = new Map(params.filter((p) => p.name.toLowerCase() === p.name).map((p) => [p.name, p.value]));
  // Content-MD5 and Content-Type are signed as the request sends them, not as the query names them (botocore copies
  // them there too): a URL signed for text/plain refuses a PUT of text/xml or of no type at all (AWS's recording,
  // localstack test_s3_put_presigned_url_with_different_headers, signature_version "s3"). Reading them from the
  // query let a holder of the URL store a type the signer never approved.
  const standard = (name: string) => headers.get(name) ?? '';
  const amz = new Map<string, string>();
  for (const [name, value] of fromQuery) if (name.startsWith('x-amz-')) amz.set(name, value.trim());
  for (const [name, value] of headers) if (name.startsWith('x-amz-')) amz.set(name, amz.has(name) ? `${amz.get(name)},${value}` : value);
  const amzLines = [...amz.keys()]
    .sort()
    .map((name) => `${name}:${amz.get(name)}\n`)
    .join('');
  const subresources = params
    .filter((p) => SUBRESOURCES.has(p.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (rawHasValue(req.query, p.name) ? `${p.name}=${p.value}` : p.name));
  const resource = `${req.virtualHostBucket !== undefined ? `/${req.virtualHostBucket}` : ''}${req.path}${subresources.length ? `?${subresources.join('&')}` : ''}`;
  const toSign = `${req.method}\n${standard('content-md5')}\n${standard('content-type')}\n${expires}\n${amzLines}${resource}`;

  // parseQuery has already percent-decoded it once, as S3 does; a second decode would accept a double-encoded one.
  const provided = Buffer.from(signature, 'base64');
  const matches = (bytes: Buffer) => {
    const computed = createHmac('sha1', cred.secretAccessKey).update(bytes).digest();
    return provided.length === computed.length && timingSafeEqual(provided, computed);
  };
  // Header values arrive as bytes held as latin1 strings; a signer may have signed them as UTF-8 text or as bytes.
  if (!matches(Buffer.from(toSign, 'utf8')) && !matches(Buffer.from(toSign, 'latin1'))) throw new SigV4Error('SignatureMismatch', MISMATCH);
  // As for SigV4: reported only to someone who holds the secret.
  if (!cred.active) throw new SigV4Error('InactiveAccessKey', 'The AWS Access Key Id you provided does not exist in our records.');
  if (opts.refuseSessionTokens && (fromQuery.has('x-amz-security-token') || headers.has('x-amz-security-token')))
    throw new SigV4Error('InvalidSessionToken', 'The provided token is malformed or otherwise invalid.');
  return { accessKeyId, principal: cred.principal };
}

/** Whether `name` appears in the raw query with an "=" (a sub-resource is signed as "name=value" then, else "name"). */
function rawHasValue(query: string, name: string): boolean {
  return query.split('&').some((p) => p.startsWith(`${name}=`) || p.startsWith(`${encodeURIComponent(name)}=`));
}

/**
 * The x-amz-* headers a SigV2 presigned URL carries in its query (botocore moves them there), for the request to
 * act on as S3 does (metadata, SSE settings, ...). A header sent as one wins. Content-Type and Content-MD5 are not
 * taken from the query: the request must send them, as they were signed (verifySigV2Query).
 */
export function headersFromQuery(query: string, present: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of parseQuery(query)) {
    if (p.name.startsWith('x-amz-') && present[p.name] === undefined) out[p.name] = p.value;
  }
  return out;
}
