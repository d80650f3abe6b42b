// Server-side-encryption headers of S3 requests (shared/reference/s3.md §1-§5): what a write asks for
// (falling back to the bucket's default encryption), and the SSE-C key a read or copy supplies.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3 } from '../errors.js';
import type { BucketRecord } from '../model.js';
import type { WriteEncryption } from './object-keys.js';

const h = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

// S3 names x-amz-server-side-encryption as the argument of every SSE-C header error, whichever header is at fault,
// for an object's headers and a copy source's alike (AWS's recorded answers, localstack test_s3.py
// TestS3SSECEncryption); an unknown algorithm is also given as the ArgumentValue.
const SSE_ARGUMENT = { ArgumentName: 'x-amz-server-side-encryption' };

/** "x-amz-" for the object's SSE-C headers, "x-amz-copy-source-" for a copy source's. */
type SseCPrefix = 'x-amz-' | 'x-amz-copy-source-';

/** The three SSE-C header names for each prefix, built once (every PutObject and GetObject reads them). */
const SSE_C_HEADERS = new Map<SseCPrefix, [string, string, string]>(
  (['x-amz-', 'x-amz-copy-source-'] as const).map((prefix) => [
    prefix,
    ['algorithm', 'key', 'key-md5'].map((p) => `${prefix}server-side-encryption-customer-${p}`) as [string, string, string],
  ]),
);
const sseCHeaderNames = (prefix: SseCPrefix) => SSE_C_HEADERS.get(prefix)!;

/** Whether a request carries any SSE-C header for the object. */
function hasCustomerKeyHeaders(headers: IncomingHttpHeaders): boolean {
  return sseCHeaderNames('x-amz-').some((n) => headers[n] !== undefined);
}

/** The SSE-C key of a request (prefix "x-amz-" for the object, "x-amz-copy-source-" for a copy source). */
export function customerKey(headers: IncomingHttpHeaders, secure: boolean, prefix: SseCPrefix = 'x-amz-'): Buffer | undefined {
  const [algName, keyName, md5Name] = sseCHeaderNames(prefix);
  const alg = h(headers, algName);
  const key = h(headers, keyName);
  const md5 = h(headers, md5Name);
  if (alg === undefined && key === undefined && md5 === undefined) return undefined;
  if (!secure) throw S3.InvalidRequest('Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.');
  if (alg !== 'AES256') {
    throw alg === undefined
      ? S3.InvalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.', SSE_ARGUMENT)
      : S3.InvalidEncryptionAlgorithmError(undefined, { ...SSE_ARGUMENT, ArgumentValue: alg });
  }
  if (key === undefined)
    throw S3.InvalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.', SSE_ARGUMENT);
  const raw = Buffer.from(key, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== key.replace(/\s/g, ''))
    throw S3.InvalidArgument('The secret key was invalid for the specified algorithm.', SSE_ARGUMENT);
  if (md5 === undefined)
    throw S3.InvalidArgument(
      'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.',
      SSE_ARGUMENT,
    );
  if (createHash('md5').update(raw).digest('base64') !== md5)
    throw S3.InvalidArgument('The calculated MD5 hash of the key did not match the hash that was provided.', SSE_ARGUMENT);
  return raw;
}

export function customerKeyMd5(key: Buffer): string {
  return createHash('md5').update(key).digest('base64');
}

/** Rejects SSE headers on GET/HEAD of SSE-S3/KMS objects, as S3 does (400). */
export function refuseSseOnRead(headers: IncomingHttpHeaders): void {
  if (h(headers, 'x-amz-server-side-encryption') !== undefined)
    throw S3.InvalidArgument('x-amz-server-side-encryption header is not supported for this operation.');
}

/** What a write (PUT, copy destination, CreateMultipartUpload) asks for, with the bucket default applied. */
export function writeEncryption(headers: IncomingHttpHeaders, secure: boolean, bucket: BucketRecord): WriteEncryption {
  const sse = h(headers, 'x-amz-server-side-encryption');
  const kmsKeyId = h(headers, 'x-amz-server-side-encryption-aws-kms-key-id');
  const contextHeader = h(headers, 'x-amz-server-side-encryption-context');
  const bucketKeyHeader = h(headers, 'x-amz-server-side-encryption-bucket-key-enabled');
  // SSE-C beside another encryption is refused before the SSE-C headers themselves are judged (AWS's recorded
  // answer to an invalid customer algorithm together with x-amz-server-side-encryption is this conflict).
  if ((sse !== undefined || kmsKeyId !== undefined) && hasCustomerKeyHeaders(headers))
    throw S3.InvalidArgument('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', {
      ...SSE_ARGUMENT,
      ...(sse !== undefined ? { ArgumentValue: sse } : {}),
    });
  const ck = customerKey(headers, secure);
  if (ck) {
    if (bucket.encryption.BlockedEncryptionTypes.includes('SSE-C')) {
      throw S3.AccessDenied('Requests specifying Server Side Encryption with Customer provided keys are blocked for this bucket (BlockedEncryptionTypes).');
    }
    return { mode: 'SSE-C', customerKey: ck };
  }
  if (sse !== undefined && sse !== 'AES256' && sse !== 'aws:kms' && sse !== 'aws:kms:dsse')
    throw S3.InvalidArgument(`Server Side Encryption with ${sse} is not valid. Valid values are AES256, aws:kms and aws:kms:dsse.`);
  const kmsRequested = sse === 'aws:kms' || sse === 'aws:kms:dsse';
  if (kmsKeyId !== undefined && !kmsRequested) {
    throw S3.InvalidArgument('x-amz-server-side-encryption-aws-kms-key-id header is not valid without x-amz-server-side-encryption: aws:kms');
  }
  let context: Record<string, string> = {};
  if (contextHeader !== undefined) {
    try {
      const parsed = JSON.parse(Buffer.from(contextHeader, 'base64').toString('utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error();
      context = parsed as Record<string, string>;
    } catch {
      throw S3.InvalidArgument('The header x-amz-server-side-encryption-context must be base64-encoded UTF-8 JSON of string pairs.');
    }
    if (!kmsRequested) throw S3.InvalidArgument('x-amz-server-side-encryption-context is only valid with aws:kms');
  }
  const effective = sse ?? bucket.encryption.SSEAlgorithm;
  if (effective === 'aws:kms' || effective === 'aws:kms:dsse') {
    if (!secure) {
      throw S3.InvalidArgument('Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.');
    }
    const keyId = kmsKeyId ?? (sse === undefined ? bucket.encryption.KMSMasterKeyID : undefined) ?? 'alias/aws/s3';
    // DSSE-KMS has no bucket keys (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingDSSEncryption.html):
    // every object gets its own KMS data key.
    if (effective === 'aws:kms:dsse') return { mode: 'aws:kms', keyId, context, bucketKey: false, dualLayer: true };
    const bucketKey = bucketKeyHeader !== undefined ? bucketKeyHeader.toLowerCase() === 'true' : bucket.encryption.BucketKeyEnabled;
    return { mode: 'aws:kms', keyId, context, bucketKey };
  }
  return { mode: 'AES256' };
}
