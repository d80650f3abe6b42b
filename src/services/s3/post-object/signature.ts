// Who signed a browser-based upload: SigV4 for POST, where the string to sign is the base64 policy itself and
// the credential, date and signature travel as form fields
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html), or Signature Version 2
// (AWSAccessKeyId, and `signature` = Base64(HMAC-SHA1(secret, policy))), which botocore's generate_presigned_post
// uses by default in us-east-1 and AWS still accepts (as it accepts SigV2 presigned URLs: docs/decisions.md 84).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../../iam/principal.js';
import { bytesShown, SigV4Error } from '../../../protocol/sigv4/errors.js';
import { cachedSigningKey, sign } from '../../../protocol/sigv4/signing-key.js';
import { ALGORITHM, parseAmzDate, parseScope, type VerifiableCredential } from '../../../protocol/sigv4/verifier.js';
import { S3, S3Error, s3AuthError } from '../errors.js';
import type { FormFields } from './form-fields.js';

/** A form's SignatureDoesNotMatch, with what S3 says it signed: the policy (recorded from AWS, both versions). */
const mismatch = (accessKeyId: string, policy: string, provided: string) =>
  S3.SignatureDoesNotMatch(undefined, {
    AWSAccessKeyId: accessKeyId,
    StringToSign: policy,
    SignatureProvided: provided,
    StringToSignBytes: bytesShown(policy),
  });
export interface PostSigner {
  principal: Principal;
  accessKeyId: string;
  /** The Region of the credential scope; none for a SigV2 form (the bucket's is used). */
  region?: string;
  sigV2?: boolean;
  /** The policy as signed (base64 text). */
  policy: string;
}

const SIGNATURE_FIELDS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-signature', 'x-amz-date', 'awsaccesskeyid', 'signature'];

const missing = (name: string) =>
  S3.InvalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: '',
  });

/** Each named field present and not empty, else S3's InvalidArgument naming the first missing (names as S3 shows them). */
function requireFields(fields: FormFields, shown: ReadonlyArray<string>): void {
  for (const name of shown) if (!fields.get(name.toLowerCase())?.value) throw missing(name);
}

/** Whether the form is unsigned: an anonymous upload, which only a public-write bucket accepts. */
export const unsignedForm = (fields: FormFields) => !SIGNATURE_FIELDS.some((f) => fields.has(f));

export function verifyPostSignature(fields: FormFields, lookup: (accessKeyId: string) => VerifiableCredential<Principal> | undefined): PostSigner {
  const get = (name: string) => fields.get(name)?.value;
  if (unsignedForm(fields)) throw S3.AccessDenied();
  if (!fields.has('x-amz-algorithm') && (fields.has('awsaccesskeyid') || fields.has('signature'))) return verifySigV2Form(fields, lookup);
  requireFields(fields, ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'Policy']);
  const algorithm = get('x-amz-algorithm')!;
  if (algorithm !== ALGORITHM) {
    throw S3.InvalidArgument('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', { ArgumentName: 'X-Amz-Algorithm', ArgumentValue: algorithm });
  }
  const credential = get('x-amz-credential')!;
  let scoped: ReturnType<typeof parseScope>;
  try {
    scoped = parseScope(credential);
  } catch (err) {
    if (!(err instanceof SigV4Error)) throw err;
    throw S3.InvalidArgument(
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      { ArgumentName: 'X-Amz-Credential', ArgumentValue: credential },
    );
  }
  const { accessKeyId, scope } = scoped;
  if (scope.service !== 's3') {
    throw S3.InvalidArgument("Error parsing the X-Amz-Credential parameter; incorrect service. This endpoint belongs to 's3'.", {
      ArgumentName: 'X-Amz-Credential',
      ArgumentValue: credential,
    });
  }
  const amzDate = get('x-amz-date')!;
  if (parseAmzDate(amzDate) === undefined || amzDate.slice(0, 8) !== scope.date) {
    throw S3.InvalidArgument(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'" and on the day of the credential scope.`, {
      ArgumentName: 'X-Amz-Date',
      ArgumentValue: amzDate,
    });
  }
  const cred = findCredential(lookup, accessKeyId);
  const policy = get('policy')!;
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const computed = sign(cachedSigningKey(cred, scope.date, scope.region, scope.service, scopeText), policy);
  const provided = get('x-amz-signature')!;
  if (!/^[0-9a-f]{64}$/.test(provided) || !timingSafeEqual(computed, Buffer.from(provided, 'hex'))) throw mismatch(accessKeyId, policy, provided);
  afterSignature(fields, cred, accessKeyId);
  return { principal: cred.principal, accessKeyId, region: scope.region, policy };
}

const unknownKey = (accessKeyId: string) =>
  new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });

function findCredential(lookup: (accessKeyId: string) => VerifiableCredential<Principal> | undefined, accessKeyId: string): VerifiableCredential<Principal> {
  const cred = lookup(accessKeyId);
  if (!cred) throw unknownKey(accessKeyId);
  return cred;
}

/** What is told only once the signature holds: an inactive key, and a session token (none is valid here). */
function afterSignature(fields: FormFields, cred: VerifiableCredential<Principal>, accessKeyId: string): void {
  if (!cred.active) throw unknownKey(accessKeyId);
  // No session token is valid (Keyhold's keys are all long-term; see verifySigV4): S3's answer, as for a header.
  if (fields.has('x-amz-security-token')) {
    throw s3AuthError(new SigV4Error('InvalidSessionToken', ''));
  }
}

/** A SigV2 form: AWSAccessKeyId, policy and signature, the signature a base64 HMAC-SHA1 of the policy text. */
function verifySigV2Form(fields: FormFields, lookup: (accessKeyId: string) => VerifiableCredential<Principal> | undefined): PostSigner {
  const get = (name: string) => fields.get(name)?.value;
  requireFields(fields, ['AWSAccessKeyId', 'Signature', 'Policy']);
  const accessKeyId = get('awsaccesskeyid')!;
  const cred = findCredential(lookup, accessKeyId);
  const policy = get('policy')!;
  const computed = createHmac('sha1', cred.secretAccessKey).update(policy, 'utf8').digest();
  const provided = Buffer.from(get('signature')!, 'base64');
  if (provided.length !== computed.length || !timingSafeEqual(computed, provided)) throw mismatch(accessKeyId, policy, get('signature')!);
  afterSignature(fields, cred, accessKeyId);
  return { principal: cred.principal, accessKeyId, policy, sigV2: true };
}
