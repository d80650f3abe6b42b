// The S3 request and response shapes handlers work with, and what handlers depend on.
import type { IncomingHttpHeaders } from 'node:http';
import type { Authorizer } from '../../iam/authorizer.js';
import type { RequestContext } from '../../server/context.js';
import type { LeasedBlobStore } from './blob-leases.js';
import type { ObjectKeys } from './sse/object-keys.js';
import type { KmsBridge } from './sse/kms-bridge.js';
import type { S3Store } from './store.js';
import type { AuditProjection } from '../../server/service.js';

export interface S3Request {
  ctx: RequestContext;
  method: string;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Every value of each header, in arrival order (Node joins repeated unknown headers with ", " in `headers`). */
  headersDistinct: NodeJS.Dict<string[]>;
  secure: boolean;
  /** The bucket was named in the Host (virtual-hosted style), not in the path. */
  virtualHosted: boolean;
  /**
   * How the request was authenticated (s3:authType: signed headers, a presigned URL or a POST form) and carried
   * (s3:TlsVersion); `sigV2` for Signature Version 2 (URL or header; every other signed request is SigV4).
   */
  auth: { type: 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST' | 'ANONYMOUS'; tlsVersion?: string; sigV2?: boolean };
  /** The payload exactly as the client meant it (aws-chunked framing removed, signatures verified). */
  body: AsyncIterable<Buffer>;
  /** Ends once every integrity check of the body (payload hash, chunk trailer) has passed. */
  bodyVerified(): Promise<void>;
  /**
   * Buffers a small body (XML documents); EntityTooLarge beyond `limit`; Content-MD5 and, unless `checksums` is
   * false, x-amz-checksum-* checked against it (BadDigest).
   */
  readBody(limit?: number, opts?: { checksums?: boolean }): Promise<Buffer>;
  /** Trailer headers of an aws-chunked body, once it has been read. */
  trailers: Map<string, string>;
  /** Filled by handlers: what CloudTrail records. */
  audit: AuditProjection;
  /**
   * A browser-based upload (POST Object): its header values came from form fields, which are UTF-8 text, and S3
   * stores its metadata as given, without the RFC 2047 decoding a header value gets (AWS's recorded answer).
   */
  fromForm?: boolean;
}

export interface S3Response {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | AsyncIterable<Buffer>;
}

export interface S3Deps {
  store: S3Store;
  blobs: LeasedBlobStore;
  keys: ObjectKeys;
  kms: KmsBridge;
  authorizer: Authorizer;
  clock: () => number;
  /** The defaults a new bucket gets (bucket-common.ts defaultEncryption; docs/decisions.md 87). */
  legacyDefaults?: boolean;
  /** The host name under which `<bucket>.<name>` addresses a bucket (the first --s3-base-domain). */
  virtualHostDomain?: string;
}

export type S3Handler = (deps: S3Deps, req: S3Request) => Promise<S3Response>;

export const header = (req: S3Request, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * What CloudTrail records of a request before its handler adds to it: the bucket and key, as resources — as
 * CloudTrail lists them, the object (no account) and then its bucket (with the owner's account, filled in by
 * requireBucket).
 */
export function auditProjection(bucket: string | undefined, key: string | undefined, host: string | undefined): AuditProjection {
  // requestParameters as CloudTrail spells them for S3: bucketName, Host (the Host header the client sent), key.
  const requestParameters = { bucketName: bucket, Host: host, key };
  if (!bucket) return { requestParameters };
  const bucketEntry = { accountId: '', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` };
  return {
    requestParameters,
    resources: key !== undefined ? [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` }, bucketEntry] : [bucketEntry],
  };
}

/**
 * The outcome of a body's integrity checks, settled by whoever reads the body (S3Request.bodyVerified). A failure
 * nobody awaits (the handler stopped reading first) is not an unhandled rejection.
 */
export function bodyCheck(): { done: Promise<void>; passed: () => void; failed: (err: unknown) => void } {
  let passed: () => void = () => undefined;
  let failed: (err: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    passed = resolve;
    failed = reject;
  });
  done.catch(() => undefined);
  return { done, passed, failed };
}
