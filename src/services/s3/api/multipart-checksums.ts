// Checksums of multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#large-object-checksums):
// an algorithm and a checksum type chosen at CreateMultipartUpload; every part then carries (COMPOSITE) or gets
// (FULL_OBJECT) a checksum of that algorithm; CompleteMultipartUpload checks the parts' checksums it lists and
// derives the object's: COMPOSITE = base64(alg(raw part checksums, concatenated))-<parts>, FULL_OBJECT = the CRC
// of the whole object, combined from the parts' CRCs without reading the data. Error codes and messages as S3's
// (quoted by versity/versitygw's tests against AWS).
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  type ChecksumType,
  CRC_SPECS,
  checksumElement,
  checksumHeaderAlgorithm,
  checksumOf,
  checksumTypesFor,
  isChecksumAlgorithm,
  isValidChecksumValue,
  UNIMPLEMENTED_ALGORITHMS,
} from '../../../protocol/checksums.js';
import { combineCrcs } from '../../../protocol/crc-combine.js';
import { S3 } from '../errors.js';
import type { PartInfo, StoredChecksum, UploadRecord } from '../model.js';
import { header, type S3Request } from '../request.js';
import { type ChecksumPlan, declaredChecksum, MULTIPLE_CHECKSUMS, unimplementedAlgorithm } from './checksum-request.js';

const UNSUPPORTED_ALGORITHM =
  'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512, XXHASH128, XXHASH3, XXHASH64]';

function checksumTypeHeader(req: S3Request): ChecksumType | undefined {
  const t = header(req, 'x-amz-checksum-type');
  if (t === undefined) return undefined;
  if (t !== 'COMPOSITE' && t !== 'FULL_OBJECT') throw S3.InvalidRequest('Value for x-amz-checksum-type header is invalid.');
  return t;
}

/**
 * The upload's algorithm (lower-case) and type. Records written before multipart checksums were enforced have an
 * algorithm but no type, and parts without stored checksums: they complete as uploads without an algorithm.
 */
export function uploadChecksum(u: UploadRecord): { algorithm: ChecksumAlgorithm; type: ChecksumType } | undefined {
  const alg = u.checksumAlgorithm?.toLowerCase();
  if (!alg || !isChecksumAlgorithm(alg) || u.checksumType === undefined) return undefined;
  return { algorithm: alg, type: u.checksumType };
}

/** x-amz-checksum-algorithm (CreateMultipartUpload, CopyObject), validated. */
export function algorithmHeader(req: S3Request): ChecksumAlgorithm | undefined {
  const named = header(req, 'x-amz-checksum-algorithm');
  if (named === undefined) return undefined;
  const alg = named.trim().toLowerCase();
  if (UNIMPLEMENTED_ALGORITHMS.includes(alg)) throw unimplementedAlgorithm(alg);
  if (!isChecksumAlgorithm(alg)) throw S3.InvalidRequest(UNSUPPORTED_ALGORITHM);
  return alg;
}

/** CreateMultipartUpload: x-amz-checksum-algorithm and x-amz-checksum-type, validated; the type defaulted. */
export function chosenChecksum(req: S3Request): Pick<UploadRecord, 'checksumAlgorithm' | 'checksumType'> {
  const alg = algorithmHeader(req);
  const type = checksumTypeHeader(req);
  if (alg === undefined) {
    if (type !== undefined) throw S3.InvalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return {};
  }
  const allowed = checksumTypesFor(alg);
  if (type !== undefined && !allowed.includes(type)) throw S3.InvalidRequest(`The ${type} checksum type cannot be used with the ${alg} checksum algorithm.`);
  return { checksumAlgorithm: alg.toUpperCase(), checksumType: type ?? allowed[0]! };
}

/** ChecksumAlgorithm and ChecksumType of an upload, as ListParts and ListMultipartUploads give them. */
export function uploadChecksumElements(u: UploadRecord): Record<string, string> {
  const c = uploadChecksum(u);
  return c ? { ChecksumAlgorithm: c.algorithm.toUpperCase(), ChecksumType: c.type } : {};
}

export function uploadChecksumHeaders(u: UploadRecord): Record<string, string> {
  const c = uploadChecksum(u);
  return c ? { 'x-amz-checksum-algorithm': c.algorithm.toUpperCase(), 'x-amz-checksum-type': c.type } : {};
}

const typeMismatch = (expected: string, actual: string) =>
  S3.InvalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${expected}, actual checksum Type: ${actual}`);

/**
 * What UploadPart (from its body) or UploadPartCopy (from the copied range) computes and checks. An upload with
 * an algorithm takes parts of that algorithm only; a COMPOSITE one needs each part's checksum from the client,
 * a FULL_OBJECT one computes it when the client sent none (a copied part always gets it computed).
 */
export function partChecksumPlan(req: S3Request, u: UploadRecord, fromRequest: boolean): ChecksumPlan | undefined {
  const declared = fromRequest ? declaredChecksum(req) : undefined;
  const c = uploadChecksum(u);
  if (!c) return declared;
  if (declared) {
    if (declared.algorithm !== c.algorithm) throw typeMismatch(c.algorithm, declared.algorithm);
    return declared;
  }
  if (fromRequest && c.type === 'COMPOSITE') throw typeMismatch(c.algorithm, 'null');
  return { algorithm: c.algorithm };
}

/** A <Part> of the CompleteMultipartUpload body: its checksum elements, by algorithm. */
function listedChecksums(part: Record<string, unknown>): Array<{ algorithm: string; value: string }> {
  const out: Array<{ algorithm: string; value: string }> = [];
  for (const alg of [...CHECKSUM_ALGORITHMS, ...UNIMPLEMENTED_ALGORITHMS]) {
    const v = part[`Checksum${alg.toUpperCase()}`];
    if (v !== undefined) out.push({ algorithm: alg, value: String(v) });
  }
  return out;
}

/**
 * Checks the checksums a CompleteMultipartUpload lists for its parts against the stored ones (before anything
 * is committed). An upload without an algorithm checks only what matches a stored part checksum.
 */
export function checkListedPartChecksums(
  u: UploadRecord,
  listed: ReadonlyArray<{ n: number; etag: string; node: Record<string, unknown> }>,
  parts: ReadonlyArray<PartInfo>,
): void {
  const c = uploadChecksum(u);
  // Uploads begun before checksum types were recorded: part checksums were not enforced then, nor are they now.
  if (!c && u.checksumAlgorithm) return;
  listed.forEach((l, i) => {
    const given = listedChecksums(l.node);
    if (given.length > 1 || given.some((g) => isChecksumAlgorithm(g.algorithm) && !isValidChecksumValue(g.algorithm, g.value))) {
      const value = given.length > 1 ? given.map((g) => `${g.algorithm.toUpperCase()}:${g.value};`).join('') : given[0]!.value;
      throw S3.InvalidArgument('Invalid Base64 or multiple checksums present in request', { ArgumentName: 'Checksum', ArgumentValue: value });
    }
    const g = given[0];
    const stored = parts[i]!.checksum;
    if (c) {
      if (!g) {
        if (c.type === 'COMPOSITE')
          throw S3.InvalidRequest(
            `The upload was created using a ${c.algorithm} checksum. The complete request must include the checksum for each part. It was missing for part ${l.n} in the request.`,
          );
        return;
      }
      if (g.algorithm !== c.algorithm) throw S3.BadDigest(`The ${g.algorithm} you specified for part ${l.n} did not match what we received.`);
    }
    // An upload without an algorithm has no part checksums to complete with: listing one is InvalidPart, as S3 answers.
    if (g && (!c || (stored && g.value !== stored.value))) throw S3.InvalidPart(undefined, { ETag: l.etag, PartNumber: String(l.n), UploadId: u.uploadId });
  });
}

/**
 * A CompleteMultipartUpload's x-amz-checksum-type must be the upload's mode. S3 judges it before the listed parts
 * and their checksums (AWS's recorded answer to FULL_OBJECT on a COMPOSITE upload whose parts list no checksums).
 */
export function checkCompleteChecksumMode(req: S3Request, u: UploadRecord): void {
  const requestedType = checksumTypeHeader(req);
  const mode = uploadChecksum(u)?.type ?? (u.checksumAlgorithm ? undefined : 'null');
  if (requestedType !== undefined && mode !== undefined && requestedType !== mode)
    throw S3.InvalidRequest(`The upload was created using the ${mode} checksum mode. The complete request must use the same checksum mode.`);
}

/**
 * The object's checksum for an upload with an algorithm, checked against a final x-amz-checksum-<alg> header when
 * the request carries one (BadDigest naming the upload's algorithm in lower case, as S3 words it, also for a header
 * of another algorithm). An upload without one ignores final checksum headers and refuses a checksum type.
 */
export function completedChecksum(req: S3Request, u: UploadRecord, parts: ReadonlyArray<PartInfo>): StoredChecksum | undefined {
  const finals = Object.keys(req.headers).filter((h) => checksumHeaderAlgorithm(h) !== undefined);
  if (finals.length > 1) throw S3.InvalidRequest(MULTIPLE_CHECKSUMS);
  const c = uploadChecksum(u);
  // Without an algorithm a final checksum header is ignored; with one, a header of another algorithm is a mismatch.
  if (!c) return undefined;
  const mismatch = () => S3.BadDigest(`The ${c.algorithm} you specified did not match the calculated checksum.`);
  const finalHeader = finals[0];
  if (finalHeader && checksumHeaderAlgorithm(finalHeader) !== c.algorithm) throw mismatch();
  const claimed = finalHeader ? header(req, finalHeader) : undefined;
  if (claimed !== undefined && !wellFormedFinal(c.algorithm, c.type, claimed)) {
    // A composite takes either shape, so only a full-object upload gets here with a well-formed value: one of
    // composite shape ("<checksum>-<parts>"), which is a mismatch, not malformed.
    if (!wellFormedFinal(c.algorithm, 'COMPOSITE', claimed)) throw S3.InvalidRequest(`Value for ${finalHeader} header is invalid.`);
    throw mismatch();
  }
  const raws = parts.map((p) => {
    if (p.checksum?.algorithm !== c.algorithm)
      throw S3.InvalidRequest(
        `The upload was created using a ${c.algorithm} checksum. The complete request must include the checksum for each part. It was missing for part ${p.partNumber} in the request.`,
      );
    return Buffer.from(p.checksum.value, 'base64');
  });
  const spec = CRC_SPECS[c.algorithm];
  const value =
    c.type === 'FULL_OBJECT' && spec
      ? combineCrcs(
          spec,
          raws.map((crc, i) => ({ crc, length: parts[i]!.size })),
        ).toString('base64')
      : `${checksumOf(c.algorithm, Buffer.concat(raws)).toString('base64')}-${parts.length}`;
  // A composite may be claimed with or without its "-<parts>" suffix: S3 takes both (minio issue 19670), and
  // minio-go sends the bare checksum of checksums on every automatic multipart upload.
  if (claimed !== undefined && claimed !== value && !(c.type === 'COMPOSITE' && `${claimed}-${parts.length}` === value)) throw mismatch();
  return { algorithm: c.algorithm, value, type: c.type };
}

function wellFormedFinal(alg: ChecksumAlgorithm, type: ChecksumType, value: string): boolean {
  if (isValidChecksumValue(alg, value)) return true;
  if (type === 'FULL_OBJECT') return false;
  const m = /^([^-]+)-([1-9][0-9]{0,4})$/.exec(value);
  return m !== null && isValidChecksumValue(alg, m[1]!);
}

/** The checksum elements of a part in ListParts, GetObjectAttributes and CopyPartResult. */
export function partChecksumElements(p: { checksum?: { algorithm: string; value: string } }): Record<string, string> {
  const alg = p.checksum?.algorithm;
  return alg && isChecksumAlgorithm(alg) ? { [checksumElement(alg)]: p.checksum!.value } : {};
}
