// The checksum a write declares, read and validated before any byte is stored, and the checksum headers of
// responses. S3's rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html;
// messages as S3 words them, quoted by versity/versitygw's tests against AWS): one x-amz-checksum-<alg> header
// or one trailer named by x-amz-trailer; a value that is not base64 of the digest's length is InvalidRequest,
// as is an x-amz-sdk-checksum-algorithm naming another algorithm than the value's.
import { createHash } from 'node:crypto';
import {
  type ChecksumAlgorithm,
  checksumOf,
  checksumHeaderAlgorithm,
  isChecksumAlgorithm,
  isValidChecksumValue,
  UNIMPLEMENTED_ALGORITHMS,
} from '../../../protocol/checksums.js';
import { S3 } from '../errors.js';
import type { StoredChecksum, VersionRecord } from '../model.js';
import { header, type S3Request } from '../request.js';

/** What to compute over a body and, when the request states it, the value to check it against. */
export interface ChecksumPlan {
  algorithm: ChecksumAlgorithm;
  /** The value of an x-amz-checksum-* header. */
  claimed?: string;
  /** The trailer (x-amz-trailer) that will carry the value, once the body is read. */
  trailer?: string;
}

export const MULTIPLE_CHECKSUMS = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';

export function unimplementedAlgorithm(alg: string): Error {
  return S3.NotImplemented(
    `Keyhold does not implement the ${alg.toUpperCase()} checksum algorithm; use CRC32, CRC32C, CRC64NVME, SHA1, SHA256, SHA512 or MD5.`,
  );
}

/** The checksum a write request declares (header, trailer, or an SDK algorithm alone), or undefined. */
export function declaredChecksum(req: S3Request): ChecksumPlan | undefined {
  const values: Array<{ alg: string; name: string; value: string }> = [];
  for (const [name, v] of Object.entries(req.headers)) {
    const alg = checksumHeaderAlgorithm(name);
    if (alg !== undefined) values.push({ alg, name, value: Array.isArray(v) ? v.join(',') : String(v ?? '') });
  }
  const trailer = header(req, 'x-amz-trailer')?.trim().toLowerCase();
  const trailerAlg = trailer ? checksumHeaderAlgorithm(trailer) : undefined;
  if (values.length + (trailerAlg ? 1 : 0) > 1) throw S3.InvalidRequest(MULTIPLE_CHECKSUMS);
  const alg = values[0]?.alg ?? trailerAlg;
  const sdkAlg = header(req, 'x-amz-sdk-checksum-algorithm')?.trim().toLowerCase();
  if (alg === undefined) {
    if (sdkAlg === undefined) return undefined;
    if (UNIMPLEMENTED_ALGORITHMS.includes(sdkAlg)) throw unimplementedAlgorithm(sdkAlg);
    if (!isChecksumAlgorithm(sdkAlg)) throw S3.InvalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
    // An algorithm without a value: computed and returned (AWS refuses it; being lenient loses nothing).
    return { algorithm: sdkAlg };
  }
  if (!isChecksumAlgorithm(alg)) throw unimplementedAlgorithm(alg);
  if (sdkAlg !== undefined && sdkAlg !== alg) throw S3.InvalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
  const given = values[0];
  if (!given) return { algorithm: alg, trailer: trailer! };
  if (!isValidChecksumValue(alg, given.value)) throw S3.InvalidRequest(`Value for ${given.name} header is invalid.`);
  return { algorithm: alg, claimed: given.value };
}

/** Checks a computed value against the plan's claim (header or trailer); BadDigest when they differ. */
export function checkClaim(plan: ChecksumPlan, value: string, req: S3Request): void {
  let claimed = plan.claimed;
  if (claimed === undefined && plan.trailer !== undefined) {
    claimed = req.trailers.get(plan.trailer);
    if (claimed === undefined) throw S3.MalformedTrailerError();
    if (!isValidChecksumValue(plan.algorithm, claimed)) throw S3.InvalidRequest(`Value for ${plan.trailer} trailing header is invalid.`);
  }
  if (claimed !== undefined && claimed !== value)
    throw S3.BadDigest(`The ${plan.algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
}

/** x-amz-checksum-<alg> and x-amz-checksum-type for a stored checksum. */
export function checksumHeaders(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value, 'x-amz-checksum-type': checksum.type ?? 'FULL_OBJECT' };
}

/** The checksum GET/HEAD return: only when asked (x-amz-checksum-mode: ENABLED) and never for a range. */
export function servedChecksum(req: S3Request, v: VersionRecord, ranged: boolean): Record<string, string> {
  if (!v.checksum || ranged || header(req, 'x-amz-checksum-mode')?.toUpperCase() !== 'ENABLED') return {};
  return checksumHeaders(v.checksum);
}

/**
 * The integrity headers of a buffered body (the XML and JSON documents of bucket and object settings,
 * DeleteObjects, CompleteMultipartUpload): Content-MD5, and a declared x-amz-checksum-* unless `checksums` is
 * false (CompleteMultipartUpload, whose x-amz-checksum-* headers describe the object, not the body).
 */
export function checkBufferedBody(req: S3Request, body: Buffer, checksums: boolean): void {
  const md5 = header(req, 'content-md5');
  if (md5 !== undefined) {
    if (Buffer.from(md5, 'base64').length !== 16) throw S3.InvalidDigest(undefined, { 'Content-MD5': md5 });
    if (createHash('md5').update(body).digest('base64') !== md5) throw S3.BadDigest();
  }
  if (!checksums) return;
  const plan = declaredChecksum(req);
  if (plan) checkClaim(plan, checksumOf(plan.algorithm, body).toString('base64'), req);
}
