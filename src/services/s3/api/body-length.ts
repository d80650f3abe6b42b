// The length a PutObject or UploadPart body declares, judged before anything is read: S3 takes no body of unknown
// length and no more than 5 GiB in one request (EntityTooLarge; larger objects are uploaded in parts). API
// reference: PutObject, UploadPart; user guide, "Uploading objects". A body of unknown length is refused as S3 does:
// plain HTTP chunking is 501 NotImplemented naming Transfer-Encoding (S3's long-standing answer to clients that
// stream without a length), and aws-chunked framing without x-amz-decoded-content-length is 411
// MissingContentLength (the answer the Go SDK v2's integration tests expect for an unseekable body).
import { header, type S3Request } from '../request.js';
import { S3 } from '../errors.js';

export const MAX_SINGLE_UPLOAD_BYTES = 5 * 1024 ** 3;

export function checkDeclaredBodyLength(req: S3Request): void {
  const declared = header(req, 'x-amz-decoded-content-length') ?? header(req, 'content-length');
  if (declared === undefined) {
    if (!header(req, 'content-encoding')?.includes('aws-chunked')) throw S3.NotImplemented(undefined, { Header: 'Transfer-Encoding' });
    throw S3.MissingContentLength();
  }
  if (/^\d+$/.test(declared) && Number(declared) > MAX_SINGLE_UPLOAD_BYTES)
    throw S3.EntityTooLarge(undefined, { ProposedSize: declared, MaxSizeAllowed: String(MAX_SINGLE_UPLOAD_BYTES) });
}
