// POST Object, the browser-based upload (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html):
// the form is read up to its file, its signature and policy verified, and the upload then runs as a PutObject
// (same authorization as s3:PutObject with s3:authType "POST", same encryption and bucket-policy rules) whose
// answer is shaped as the form asked (success_action_redirect / success_action_status).
import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, type Principal } from '../../../iam/principal.js';
import { type EdgeRequest, requestContext } from '../../../protocol/pipeline.js';
import type { VerifiableCredential } from '../../../protocol/sigv4/verifier.js';
import { tlsDetails } from '../../../server/http-io.js';
import { writeObject } from '../api/put-object.js';
import { S3 } from '../errors.js';
import { auditProjection, bodyCheck, type S3Handler, type S3Request, type S3Response } from '../request.js';
import { xmlDocument } from '../xml.js';
import { type FormFields, readPostForm } from './form-fields.js';
import { checkPolicy, parsePolicy } from './policy.js';
import { type PostSigner, unsignedForm, verifyPostSignature } from './signature.js';
import { fileBody, headersOf, objectKeyOf } from './upload.js';
import { objectUrl } from '../object-url.js';
import { refuseSigV2Region } from '../sigv2-regions.js';

export interface PostTarget {
  bucket: string;
  /** Whether the bucket was addressed by host name (bucket.endpoint) rather than by path. */
  virtualHosted: boolean;
  now: number;
  lookup: (accessKeyId: string) => VerifiableCredential<Principal> | undefined;
  /** Admits an unsigned form as the edge admits any unsigned request; the bucket's Region. */
  admitAnonymous: () => Promise<string>;
  /** The bucket's Region (us-east-1 when it does not exist): where a SigV2 form, which names none, acts. */
  bucketRegion: () => Promise<string>;
}

/** An absolute http(s) URL to redirect to; S3 ignores a value it cannot interpret as one. */
function redirectTarget(fields: FormFields): URL | undefined {
  const value = fields.get('success_action_redirect')?.value ?? fields.get('redirect')?.value;
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The answer the form asked for: a 303 to its redirect, or 200 / 201 (with a PostResponse document) / 204. */
function shapeAnswer(put: S3Response, fields: FormFields, bucket: string, key: string, location: string): S3Response {
  const etag = put.headers?.etag ?? '';
  const headers: Record<string, string> = { ...put.headers, location };
  const redirect = redirectTarget(fields);
  if (redirect) {
    redirect.searchParams.append('bucket', bucket);
    redirect.searchParams.append('key', key);
    redirect.searchParams.append('etag', etag);
    return { status: 303, headers: { ...headers, location: redirect.toString() } };
  }
  switch (fields.get('success_action_status')?.value) {
    case '200':
      return { status: 200, headers };
    case '201':
      return {
        status: 201,
        headers: { ...headers, 'content-type': 'application/xml' },
        body: xmlDocument('PostResponse', { Location: location, Bucket: bucket, Key: key, ETag: etag }),
      };
    default:
      return { status: 204, headers };
  }
}

export async function preparePostObject(req: IncomingMessage, edge: EdgeRequest, t: PostTarget): Promise<{ request: S3Request; handler: S3Handler }> {
  const form = await readPostForm(req);
  const key = objectKeyOf(form.fields, form.file.filename);
  // An unsigned form is an anonymous upload: only where the owner allowed it, and only what the bucket policy
  // grants "*"; a policy it carries is still held to (it can only narrow what the form may do).
  const anonymous = unsignedForm(form.fields);
  const who = anonymous ? { principal: ANONYMOUS, region: await t.admitAnonymous() } : verifyPostSignature(form.fields, t.lookup);
  const policy = anonymous ? form.fields.get('policy')?.value : (who as PostSigner).policy;
  const range = policy === undefined ? undefined : checkPolicy(parsePolicy(policy), form.fields, t.bucket, t.now);
  const region = who.region ?? (await t.bucketRegion());
  // A SigV2 form, like any SigV2 request, only where S3 still takes SigV2 (../sigv2-regions.ts).
  if ((who as PostSigner).sigV2) refuseSigV2Region(region);
  const ctx = requestContext(req, edge, t.now, { principal: who.principal, region }, 'PostObject');
  const headers = headersOf(form);
  const check = bodyCheck();
  async function* body(): AsyncGenerator<Buffer> {
    try {
      yield* fileBody(form.reader, range);
      check.passed();
    } catch (err) {
      check.failed(err);
      throw err;
    }
  }
  const request: S3Request = {
    ctx,
    method: 'POST',
    bucket: t.bucket,
    key,
    query: new URLSearchParams(),
    headers,
    headersDistinct: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v : [String(v)]])),
    secure: edge.secure,
    virtualHosted: t.virtualHosted,
    auth: {
      type: anonymous ? 'ANONYMOUS' : 'POST',
      tlsVersion: tlsDetails(req)?.tlsVersion.replace(/^TLSv/, ''),
      ...((who as PostSigner).sigV2 ? { sigV2: true } : {}),
    },
    body: body(),
    bodyVerified: () => check.done,
    // PutObject streams the body; nothing of a form upload is read as a document.
    readBody: () => Promise.reject(S3.InvalidRequest('A POST upload has no request document.')),
    trailers: new Map(),
    audit: auditProjection(t.bucket, key, req.headers.host),
    fromForm: true,
  };
  const location = objectUrl({ secure: edge.secure, host: req.headers.host, virtualHosted: t.virtualHosted }, t.bucket, key);
  const handler: S3Handler = async (deps, r) => shapeAnswer(await writeObject(deps, r), form.fields, t.bucket, key, location);
  return { request, handler };
}
