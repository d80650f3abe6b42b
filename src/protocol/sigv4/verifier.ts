// SigV4 verification for the Authorization header form and the presigned query-string form.
// The verifier is protocol-neutral: the caller passes the path rule (S3 or normalized), the payload hash
// to put in the canonical request, and the service signing name it expects. It returns the derived
// signing key and seed signature so S3's streaming modes (aws-chunked signed chunks, signed trailers)
// can continue the signature chain after the headers (see ./chunked.ts once S3 lands).
import { timingSafeEqual } from 'node:crypto';
import { canonicalQuery, canonicalRequest, canonicalUri, headerMap, type PathRule, parseQuery, type SignableRequest, stringToSign } from './canonical.js';
import { bytesShown, isoSeconds, SigV4Error } from './errors.js';
import { cachedSigningKey, type SigningKeyCache, sign } from './signing-key.js';

const NON_ASCII = /[\u0080-\u00ff]/;

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const MAX_SKEW_MS = 15 * 60 * 1000;
export const MAX_PRESIGN_EXPIRES_S = 604_800;

export interface VerifiableCredential<P> extends SigningKeyCache {
  accessKeyId: string;
  active: boolean;
  principal: P;
}

export interface VerifyOptions<P> {
  now: number;
  pathRule: PathRule;
  /** The signing name the endpoint serves (e.g. "kms"); a scope naming another service is refused. */
  service: string;
  /** Value for the canonical request's last line; see payloadHashFor() in the protocol edges. */
  payloadHash: string;
  lookup: (accessKeyId: string) => VerifiableCredential<P> | undefined;
  /** Lower-cased headers that must be among the signed ones when present (e.g. x-amz-target). */
  mustSign?: ReadonlyArray<string>;
  /**
   * Every x-amz-* header present must be signed (S3: "any x-amz-* headers that you plan to include in your request
   * must also be added" to the signed headers). Presigned requests always need it: a URL holder could add to them.
   */
  signAllAmzHeaders?: boolean;
  /**
   * Refuse a session token (X-Amz-Security-Token, header or query) once the signature holds: set by a server whose
   * credentials are all long-term, where no token can be valid. Without it a token is only signed material.
   */
  refuseSessionTokens?: boolean;
}

export interface Scope {
  date: string;
  region: string;
  service: string;
}

export interface VerifiedRequest<P> {
  mode: 'header' | 'query';
  accessKeyId: string;
  principal: P;
  scope: Scope;
  amzDate: string;
  signature: string;
  signingKey: Buffer;
  /** Lower-cased header map used for the canonical request. */
  headers: Map<string, string>;
}

const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const SIG_RE = /^[0-9a-f]{64}$/;

// Requests signed in the same second carry the same X-Amz-Date: the last one parsed is remembered.
let lastAmzDate = '';
let lastAmzDateMs: number | undefined;

export function parseAmzDate(value: string): number | undefined {
  if (value === lastAmzDate) return lastAmzDateMs;
  const t = parseAmzDateUncached(value);
  lastAmzDate = value;
  lastAmzDateMs = t;
  return t;
}

function parseAmzDateUncached(value: string): number | undefined {
  const m = AMZ_DATE_RE.exec(value);
  if (!m) return undefined;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(t) ? undefined : t;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function parseScope(credential: string): { accessKeyId: string; scope: Scope } {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || parts.some((p) => p === '')) {
    throw new SigV4Error(
      'MalformedAuthorization',
      `Credential should be scoped to a valid region, not a malformed scope. Credential=${credential.split('/')[0] ?? ''}/...`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date) || !/^[a-z0-9-]{1,64}$/.test(region)) {
    // A well-formed date with a scope Region that is no Region name (s3cmd signs `--bucket-location=EU` as "EU"):
    // the Region goes with the error, so S3's edge can name the Region it expects, as S3 does.
    const wrongRegion: Record<string, string> = /^\d{8}$/.test(date) && region.length <= 64 ? { Region: region } : {};
    throw new SigV4Error('MalformedAuthorization', `Credential should be scoped to a valid region and date. Credential=${accessKeyId}/...`, [], wrongRegion);
  }
  return { accessKeyId, scope: { date, region, service } };
}

function parseAuthorizationHeader(value: string): { credential: string; signedHeaders: string; signature: string } {
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error('IncompleteSignature', `Unsupported authorization type or algorithm: ${algorithm.slice(0, 64)}`);
  }
  let credential = '';
  let signedHeaders = '';
  let signature = '';
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === 'Credential') credential = part.slice(eq + 1).trim();
    else if (name === 'SignedHeaders') signedHeaders = part.slice(eq + 1).trim();
    else if (name === 'Signature') signature = part.slice(eq + 1).trim();
  }
  if (!credential || !signedHeaders || !signature) {
    const missing = [
      ['Credential', credential],
      ['SignedHeaders', signedHeaders],
      ['Signature', signature],
    ].flatMap(([f, v]) => (v ? [] : [f]));
    throw new SigV4Error(
      'IncompleteSignature',
      `Authorization header requires ${missing.map((m) => `'${m}'`).join(', ')} parameter${missing.length > 1 ? 's' : ''}. Authorization=${ALGORITHM} ...`,
    );
  }
  return { credential, signedHeaders, signature };
}

function checkSkew(requestMs: number, amzDate: string, now: number): void {
  if (Math.abs(now - requestMs) <= MAX_SKEW_MS) return;
  const nowStr = formatAmzDate(now);
  if (requestMs < now) {
    throw new SigV4Error('RequestTimeTooSkewed', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_SKEW_MS)} (${nowStr} - 15 min.)`);
  }
  throw new SigV4Error(
    'RequestTimeTooSkewed',
    `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_SKEW_MS)} (${nowStr} + 15 min.)`,
  );
}

/** Constant-time comparison of a computed HMAC with the hex signature the client sent. */
function signatureEquals(computed: Buffer, provided: string): boolean {
  if (!SIG_RE.test(provided)) return false;
  return timingSafeEqual(computed, Buffer.from(provided, 'hex'));
}

/** The SignedHeaders list as a client wrote it: lower-case names, host among them. */
function parseSignedHeaders(raw: string): string[] {
  const list = raw.split(';');
  if (list.some((h) => h === '' || h !== h.toLowerCase())) {
    throw new SigV4Error('IncompleteSignature', 'SignedHeaders must be a semicolon-separated list of lower-case header names.');
  }
  if (!list.includes('host')) throw new SigV4Error('SignatureMismatch', "'Host' must be a signed header.");
  return list;
}

/**
 * Every header of `mustSign` that is present is signed; with `allAmz` (S3, and every presigned request) every
 * x-amz-* header present must be signed too, or whoever holds a presigned URL could add to what it authorizes.
 * Unsigned headers are reported first, as S3 does (AWS's recording: a presigned PUT signed for x-amz-meta-foo and
 * sent with x-amz-meta-wrong instead is HeadersNotSigned). A presigned request may carry x-amz-content-sha256
 * unsigned (S3 ignores it there: recorded, and the Go SDK sends it); its value only decides how the body is
 * checked, never what is authorized. Returns the signed headers the request lacks: the request is refused as a
 * signature mismatch once its signature has been computed, so the answer shows what was signed, as S3's does.
 */
function checkSignedHeaders(
  list: ReadonlyArray<string>,
  headers: Map<string, string>,
  mustSign: ReadonlyArray<string>,
  allAmz: boolean,
  presigned: boolean,
): string[] {
  const unsigned = mustSign.filter((h) => headers.has(h) && !list.includes(h));
  if (allAmz) {
    for (const h of headers.keys()) {
      if (h.startsWith('x-amz-') && !list.includes(h) && !unsigned.includes(h) && !(presigned && h === 'x-amz-content-sha256')) unsigned.push(h);
    }
  }
  if (unsigned.length > 0) throw new SigV4Error('HeadersNotSigned', 'There were headers present in the request which were not signed', unsigned);
  return list.filter((h) => !headers.has(h));
}

/**
 * The parts of an Authorization header that a client repeats on every request (credential, scope,
 * signed-header list), parsed and validated once. Only headers whose one "Signature=" is the last
 * member are cached, keyed by the text before it, so a hit means the same text as a header that passed
 * every check below; the request-dependent checks (date, skew, present headers, the signature) run on
 * every request, in the same order as without the cache.
 */
interface ParsedAuthorization {
  accessKeyId: string;
  scope: Scope;
  /** "date/region/service/aws4_request", also the signing-key cache id. */
  scopeText: string;
  signedHeaders: string[];
}

const MAX_CACHED_AUTHORIZATIONS = 1024;
const authorizationCache = new Map<string, ParsedAuthorization>();

/** Empties the Authorization parse cache (tests compare cached and uncached verification with it). */
export function clearAuthorizationCache(): void {
  authorizationCache.clear();
}

/** The cache key of an Authorization value (the text before its only, final "Signature="), or undefined. */
function authorizationCacheKey(value: string): string | undefined {
  const i = value.lastIndexOf('Signature=');
  if (i <= 0 || value.indexOf('Signature=') !== i || value.indexOf(',', i) >= 0) return undefined;
  const before = value.charCodeAt(i - 1);
  return before === 0x20 || before === 0x2c ? value.slice(0, i) : undefined;
}

/** The query parameters of SigV4 query-string authentication (all required; X-Amz-Security-Token besides, optional). */
export const PRESIGN_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'] as const;

const MISMATCH_START = 'The request signature we calculated does not match the signature you provided.';
const MISMATCH = `${MISMATCH_START} Check your AWS Secret Access Key and signing method. Consult the service documentation for details.`;

export function isPresigned(req: SignableRequest): boolean {
  return /(^|&)X-Amz-Algorithm=/.test(req.query) || /(^|&)X-Amz-Signature=/.test(req.query);
}

export function verifySigV4<P>(req: SignableRequest, opts: VerifyOptions<P>): VerifiedRequest<P> {
  const headers = headerMap(req.headers);
  const presigned = isPresigned(req);
  const authorization = headers.get('authorization');
  if (presigned && authorization) {
    throw new SigV4Error(
      'MalformedAuthorization',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
    );
  }
  if (!presigned && !authorization) throw new SigV4Error('MissingAuthentication', 'Missing Authentication Token');

  let credential: string;
  let signedHeadersRaw: string;
  let signature: string;
  let amzDate: string;
  let canonQuery: string;
  let cacheKey: string | undefined;
  let cached: ParsedAuthorization | undefined;
  const params = parseQuery(req.query);
  if (presigned) {
    const get = (n: string) => params.find((p) => p.name === n)?.value;
    const algorithm = get('X-Amz-Algorithm');
    // S3's wording (recorded from AWS by localstack): all six parameters are required, X-Amz-Expires too.
    const missing = PRESIGN_PARAMETERS.filter((n) => !get(n));
    if (missing.length > 0)
      throw new SigV4Error(
        'MalformedPresign',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    if (algorithm !== ALGORITHM) throw new SigV4Error('MalformedPresign', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    if (get('X-Amz-Credential')!.split('/').length !== 5)
      throw new SigV4Error(
        'MalformedPresign',
        'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      );
    credential = get('X-Amz-Credential')!;
    signedHeadersRaw = get('X-Amz-SignedHeaders')!;
    signature = get('X-Amz-Signature')!;
    amzDate = get('X-Amz-Date')!;
    const expiresRaw = get('X-Amz-Expires');
    const expires = expiresRaw === undefined ? MAX_PRESIGN_EXPIRES_S : Number(expiresRaw);
    if (!/^\d+$/.test(expiresRaw ?? '604800') || expires < 1 || expires > MAX_PRESIGN_EXPIRES_S) {
      throw new SigV4Error('InvalidPresignExpiry', 'X-Amz-Expires must be between 1 and 604800 seconds');
    }
    const t = parseAmzDate(amzDate);
    if (t === undefined) throw new SigV4Error('MalformedAuthorization', `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
    if (opts.now > t + expires * 1000)
      throw new SigV4Error('PresignExpired', 'Request has expired', [], {
        'X-Amz-Expires': String(expires),
        Expires: isoSeconds(t + expires * 1000),
        ServerTime: isoSeconds(opts.now),
      });
    if (t - opts.now > MAX_SKEW_MS) throw new SigV4Error('PresignNotYetValid', 'Request is not valid yet');
    canonQuery = canonicalQuery(params, 'X-Amz-Signature');
  } else {
    cacheKey = authorizationCacheKey(authorization!);
    cached = cacheKey === undefined ? undefined : authorizationCache.get(cacheKey);
    if (cached) {
      credential = '';
      signedHeadersRaw = '';
      signature = authorization!.slice(cacheKey!.length + 'Signature='.length).trim();
    } else {
      ({ credential, signedHeaders: signedHeadersRaw, signature } = parseAuthorizationHeader(authorization!));
    }
    const xAmzDate = headers.get('x-amz-date');
    let t: number | undefined;
    if (xAmzDate !== undefined) {
      amzDate = xAmzDate;
      t = parseAmzDate(xAmzDate);
    } else {
      const date = headers.get('date');
      t = date === undefined ? undefined : Date.parse(date);
      amzDate = t === undefined || Number.isNaN(t) ? '' : formatAmzDate(t);
    }
    if (t === undefined || Number.isNaN(t)) {
      throw new SigV4Error('IncompleteSignature', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
    checkSkew(t, amzDate, opts.now);
    canonQuery = canonicalQuery(params);
  }

  const { accessKeyId, scope } = cached ?? parseScope(credential);
  if (scope.date !== amzDate.slice(0, 8)) {
    throw new SigV4Error(
      'MalformedAuthorization',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  const signedHeaders = cached?.signedHeaders ?? parseSignedHeaders(signedHeadersRaw);
  const scopeText = cached?.scopeText ?? `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  if (!cached && cacheKey !== undefined) {
    // Everything cached was checked above without looking at the rest of the request.
    if (authorizationCache.size >= MAX_CACHED_AUTHORIZATIONS) authorizationCache.clear();
    authorizationCache.set(cacheKey, { accessKeyId, scope, scopeText, signedHeaders });
  }
  const absent = checkSignedHeaders(signedHeaders, headers, opts.mustSign ?? [], presigned || opts.signAllAmzHeaders === true, presigned);
  const cred = opts.lookup(accessKeyId);
  if (!cred) throw new SigV4Error('UnknownAccessKey', 'The security token included in the request is invalid.');
  if (scope.service !== opts.service) {
    throw new SigV4Error('WrongService', `Credential should be scoped to correct service: '${opts.service}'.`);
  }

  const uri = canonicalUri(req.path, opts.pathRule);
  const signingKey = cachedSigningKey(cred, scope.date, scope.region, scope.service, scopeText);
  const matches = (query: string) => {
    const canonical = canonicalRequest(req.method, uri, query, headers, signedHeaders, opts.payloadHash);
    if (signatureEquals(sign(signingKey, stringToSign(amzDate, scopeText, canonical)), signature)) return true;
    // Header values arrive as bytes and are held as latin1 strings. A signer that sent UTF-8 bytes (botocore
    // sends a header str as its UTF-8, e.g. non-ASCII x-amz-meta-*) signed those bytes, which is what S3
    // hashes: try the bytes as received too. (The first try matches signers that send latin1, like Node's.)
    return NON_ASCII.test(canonical) && signatureEquals(sign(signingKey, stringToSign(amzDate, scopeText, Buffer.from(canonical, 'latin1'))), signature);
  };
  const queryToken = params.some((p) => p.name === 'X-Amz-Security-Token');
  let ok = matches(canonQuery);
  // Some signers add X-Amz-Security-Token to a presigned URL after signing (aws-c-auth
  // "omit_session_token"): the signature is checked without it, so the answer below is the token's refusal.
  if (!ok && presigned && queryToken) {
    ok = matches(
      canonicalQuery(
        params.filter((p) => p.name !== 'X-Amz-Security-Token'),
        'X-Amz-Signature',
      ),
    );
  }
  // A signed header the request lacks is refused even if the signer signed it empty.
  if (!ok || absent.length > 0) {
    // What the server signed, as S3 reports it (recorded from AWS: AWSAccessKeyId, StringToSign, SignatureProvided,
    // StringToSignBytes, CanonicalRequest, CanonicalRequestBytes); a lacking header is signed as empty.
    const canonical = canonicalRequest(req.method, uri, canonQuery, headers, signedHeaders, opts.payloadHash);
    const toSign = stringToSign(amzDate, scopeText, canonical);
    const message = absent.length > 0 ? `${MISMATCH_START} Signed header '${absent[0]}' is missing from the request.` : MISMATCH;
    throw new SigV4Error('SignatureMismatch', message, [], {
      AWSAccessKeyId: accessKeyId,
      StringToSign: toSign,
      SignatureProvided: signature,
      StringToSignBytes: bytesShown(toSign),
      CanonicalRequest: canonical,
      CanonicalRequestBytes: bytesShown(canonical),
    });
  }
  // Checked after the signature so an inactive key is only reported to someone who holds its secret.
  if (!cred.active) throw new SigV4Error('InactiveAccessKey', 'The security token included in the request is invalid.');
  // Reported, like the inactive key, only to someone who holds the secret.
  if (opts.refuseSessionTokens && (queryToken || headers.has('x-amz-security-token'))) {
    throw new SigV4Error('InvalidSessionToken', 'The security token included in the request is invalid.');
  }
  return { mode: presigned ? 'query' : 'header', accessKeyId, principal: cred.principal, scope, amzDate, signature, signingKey, headers };
}
