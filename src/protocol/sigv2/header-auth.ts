// S3's Authorization-header authentication with Signature Version 2 (S3 user guide, "Authenticating Requests (AWS
// Signature Version 2)"): `Authorization: AWS <AccessKeyId>:<Signature>`, over ./string-to-sign.ts's StringToSign
// with the request's Date on the date line. Why Keyhold verifies it: AWS still accepts it (localstack's recordings
// of February 2026 make S3 calls with botocore's signature_version "s3" and get answers), and older tools and
// configurations (s3cmd's signature_v2, rclone's v2_auth, boto 2) send it.
//
// The date: an x-amz-date header wins, and the date line is then empty (x-amz-date is signed among the x-amz-*
// headers); else the Date header. Either must be within 15 minutes of the server's clock, as for SigV4.
import { SigV4Error } from '../sigv4/errors.js';
import { MAX_SKEW_MS, type VerifiableCredential } from '../sigv4/verifier.js';
import { checkSignature, headerOf, type SigV2Request, stringsToSign, type VerifiedSigV2 } from './string-to-sign.js';

const HEADER = /^AWS ([^:\s]+):(\S+)$/;

/** Whether an Authorization header is SigV2's ("AWS <key>:<signature>", not "AWS4-HMAC-SHA256 ..."). */
export function isSigV2Header(authorization: string | undefined): boolean {
  return authorization?.startsWith('AWS ') === true;
}

export function verifySigV2Header<P>(
  req: SigV2Request,
  opts: { now: number; lookup: (accessKeyId: string) => VerifiableCredential<P> | undefined; refuseSessionTokens?: boolean },
): VerifiedSigV2<P> {
  const header = (name: string) => headerOf(req, name);
  const m = HEADER.exec((header('authorization') ?? '').trim());
  if (!m) throw new SigV4Error('MalformedAuthorization', 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature');
  const [, accessKeyId, signature] = m as unknown as [string, string, string];
  const amzDate = header('x-amz-date');
  const date = amzDate ?? header('date');
  const when = date === undefined ? Number.NaN : Date.parse(date);
  // A date before 1970 is not a valid one (s3-tests test_object_create_bad_date_before_epoch_aws2: AccessDenied).
  if (Number.isNaN(when) || when < 0) throw new SigV4Error('InvalidSigV2Date', 'AWS authentication requires a valid Date or x-amz-date header');
  if (Math.abs(opts.now - when) > MAX_SKEW_MS)
    throw new SigV4Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  const cred = opts.lookup(accessKeyId);
  if (!cred) throw new SigV4Error('UnknownAccessKey', 'The AWS Access Key Id you provided does not exist in our records.');
  checkSignature(cred.secretAccessKey, stringsToSign(req, amzDate === undefined ? (date ?? '') : ''), signature, accessKeyId);
  // As for SigV4: reported only to someone who holds the secret.
  if (!cred.active) throw new SigV4Error('InactiveAccessKey', 'The AWS Access Key Id you provided does not exist in our records.');
  if (opts.refuseSessionTokens && header('x-amz-security-token') !== undefined)
    throw new SigV4Error('InvalidSessionToken', 'The provided token is malformed or otherwise invalid.');
  return { accessKeyId, principal: cred.principal };
}
