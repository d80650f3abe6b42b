// S3's query-string authentication with Signature Version 2: presigned URLs carrying AWSAccessKeyId, Expires and
// Signature (S3 user guide, "Authenticating Requests (AWS Signature Version 2)", "Query string request
// authentication alternative"). Why Keyhold verifies it although SigV4 is the signing it speaks: botocore (boto3,
// and so most Python code) presigns S3 URLs with it by default in the Regions that have had S3 from the start,
// us-east-1 among them, and AWS still accepts those URLs (localstack's recordings, February 2026). The
// StringToSign is ./string-to-sign.ts's, with Expires on the date line; the Authorization-header form is
// ./header-auth.ts.
//
// A signer may move the x-amz-* headers it signed into the query (botocore does); they are signed from there.
import { parseQuery } from '../sigv4/canonical.js';
import { isoSeconds, SigV4Error } from '../sigv4/errors.js';
import type { VerifiableCredential } from '../sigv4/verifier.js';
import { checkSignature, headerOf, type SigV2Request, stringsToSign, type VerifiedSigV2 } from './string-to-sign.js';

export type { SigV2Request, VerifiedSigV2 } from './string-to-sign.js';

/** Whether a request carries SigV2 query-string authentication (and no SigV4 one). */
export function isSigV2Presigned(query: string): boolean {
  return /(^|&)AWSAccessKeyId=/.test(query) && !/(^|&)X-Amz-(Algorithm|Signature)=/.test(query);
}

export function verifySigV2Query<P>(
  req: SigV2Request,
  opts: { now: number; lookup: (accessKeyId: string) => VerifiableCredential<P> | undefined; refuseSessionTokens?: boolean },
): VerifiedSigV2<P> {
  const params = parseQuery(req.query);
  const get = (name: string) => params.find((p) => p.name === name)?.value;
  const accessKeyId = get('AWSAccessKeyId');
  const signature = get('Signature');
  const expires = get('Expires');
  if (!accessKeyId || !signature || !expires)
    throw new SigV4Error('IncompleteQueryAuth', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  if (!/^\d{1,12}$/.test(expires)) throw new SigV4Error('PresignExpired', 'Request has expired');
  if (Number(expires) * 1000 < opts.now)
    throw new SigV4Error('PresignExpired', 'Request has expired', [], { Expires: isoSeconds(Number(expires) * 1000), ServerTime: isoSeconds(opts.now) });
  const cred = opts.lookup(accessKeyId);
  if (!cred) throw new SigV4Error('UnknownAccessKey', 'The AWS Access Key Id you provided does not exist in our records.');

  const amzFromQuery = new Map(params.filter((p) => p.name.startsWith('x-amz-') && p.name.toLowerCase() === p.name).map((p) => [p.name, p.value]));
  // parseQuery has already percent-decoded the signature once, as S3 does; a second decode would accept a
  // double-encoded one.
  checkSignature(cred.secretAccessKey, stringsToSign(req, expires, amzFromQuery), signature, accessKeyId);
  // As for SigV4: reported only to someone who holds the secret.
  if (!cred.active) throw new SigV4Error('InactiveAccessKey', 'The AWS Access Key Id you provided does not exist in our records.');
  if (opts.refuseSessionTokens && (amzFromQuery.has('x-amz-security-token') || headerOf(req, 'x-amz-security-token') !== undefined))
    throw new SigV4Error('InvalidSessionToken', 'The provided token is malformed or otherwise invalid.');
  return { accessKeyId, principal: cred.principal };
}
