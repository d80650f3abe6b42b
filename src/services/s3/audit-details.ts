// What CloudTrail records beside an S3 request in additionalEventData
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html): how it
// was signed and carried, the bytes it moved, its x-amz-id-2, and for writes SSEApplied — which encryption the new
// object got and whether the bucket's default chose it (Default_SSE_S3 / Default_SSE_KMS) or the request
// (SSE_S3 / SSE_KMS / SSE_C), the field AWS points to for auditing default encryption
// (https://repost.aws/knowledge-center/s3-aws-kms-default-encryption).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { tlsDetails } from '../../server/http-io.js';
import type { S3Request, S3Response } from './request.js';
import type { WriteEncryption } from './sse/object-keys.js';

export function sseApplied(headers: IncomingHttpHeaders, enc: WriteEncryption): string {
  if (enc.mode === 'SSE-C') return 'SSE_C';
  const kind = enc.mode === 'aws:kms' ? (enc.dualLayer ? 'DSSE_KMS' : 'SSE_KMS') : 'SSE_S3';
  return headers['x-amz-server-side-encryption'] === undefined ? `Default_${kind}` : kind;
}

/** Records the encryption a write applied (PutObject, POST, CopyObject, CreateMultipartUpload). */
export function recordSseApplied(req: S3Request, enc: WriteEncryption): void {
  req.audit.additionalEventData = { ...req.audit.additionalEventData, SSEApplied: sseApplied(req.headers, enc) };
}

function bodyBytes(r: S3Response): number {
  const declared = Number(r.headers?.['content-length']);
  if (Number.isSafeInteger(declared)) return declared;
  if (typeof r.body === 'string') return Buffer.byteLength(r.body);
  return Buffer.isBuffer(r.body) ? r.body.length : 0;
}

/**
 * The whole additionalEventData of a request, the handler's own facts (SSEApplied) included. Bytes in are the
 * request body as declared (Content-Length: what the HTTP parser admits), bytes out the answer's body (none for
 * HEAD or a refusal).
 */
export function additionalEventData(req: IncomingMessage, s3req: S3Request, response: S3Response | undefined, hostId: string): Record<string, unknown> {
  const signed = s3req.auth.type === 'REST-HEADER' || s3req.auth.type === 'REST-QUERY-STRING' || s3req.auth.type === 'POST';
  const cipherSuite = tlsDetails(req)?.cipherSuite;
  const declaredIn = Number(req.headers['content-length']);
  return {
    ...(signed ? { SignatureVersion: s3req.auth.sigV2 ? 'SigV2' : 'SigV4' } : {}),
    ...(cipherSuite ? { CipherSuite: cipherSuite } : {}),
    bytesTransferredIn: Number.isSafeInteger(declaredIn) ? declaredIn : 0,
    // The handler's facts (SSEApplied) describe what a completed write did: none for a refused one.
    ...(response ? s3req.audit.additionalEventData : {}),
    ...(s3req.auth.type === 'REST-HEADER' ? { AuthenticationMethod: 'AuthHeader' } : {}),
    ...(s3req.auth.type === 'REST-QUERY-STRING' ? { AuthenticationMethod: 'QueryString' } : {}),
    'x-amz-id-2': hostId,
    bytesTransferredOut: response && req.method !== 'HEAD' ? bodyBytes(response) : 0,
  };
}
