// The S3 REST-XML edge: path-style and virtual-hosted-style addressing, SigV4 in every payload mode
// (signed payload hash, UNSIGNED-PAYLOAD, aws-chunked with signed chunks or trailers, presigned URLs),
// the audited execution of one operation (fail closed), and S3's XML errors (none on HEAD).
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditSink } from '../../audit/sink.js';
import { ANONYMOUS, type Principal } from '../../iam/principal.js';
import { AUDIT_REFUSAL, buildEvent, type EdgeRequest, requestContext, toServiceError } from '../../protocol/pipeline.js';
import { ServiceError } from '../../protocol/errors.js';
import { AwsChunkedDecoder, ChunkedEncodingError, STREAMING_MODES } from '../../protocol/sigv4/chunked.js';
import { SigV4Error } from '../../protocol/sigv4/errors.js';
import { isPresigned, type VerifiableCredential, verifySigV4 } from '../../protocol/sigv4/verifier.js';
import { isSigV2Header, verifySigV2Header } from '../../protocol/sigv2/header-auth.js';
import { isSigV2Presigned, verifySigV2Query } from '../../protocol/sigv2/query-auth.js';
import { refuseSigV2Region } from './sigv2-regions.js';
import { presignedQueryHeaders } from './query-headers.js';
import { escapeXml } from '../../protocol/xml-writer.js';
import { clientGoneMidBody, RequestIdleError } from '../../server/body-idle.js';
import { exhaustion } from '../../server/exhausted.js';
import { rawHeaderPairs, tlsDetails } from '../../server/http-io.js';
import { httpDate } from '../../server/per-second.js';
import type { Logger } from '../../server/logger.js';
import { wrongRegion } from './api/bucket-common.js';
import { checkBufferedBody } from './api/checksum-request.js';
import { crossOriginHeaders, preflight } from './cors/cross-origin.js';
import { S3, S3Error, s3AuthError } from './errors.js';
import type { BucketRecord } from './model.js';
import { effectiveBlock } from './public-access.js';
import { HANDLERS } from './handlers.js';
import { preparePostObject } from './post-object/post-request.js';
import { additionalEventData } from './audit-details.js';
import { auditProjection, bodyCheck, type S3Deps, type S3Handler, type S3Request, type S3Response } from './request.js';
import { route } from './routes.js';

export interface S3EdgeDeps {
  s3: S3Deps;
  lookup: (accessKeyId: string) => VerifiableCredential<Principal> | undefined;
  audit: AuditSink;
  log: Logger;
  clock: () => number;
  /** Host names under which <bucket>.<baseDomain> addresses a bucket (virtual-hosted style). */
  baseDomains: ReadonlyArray<string>;
  /** How long a download may go without its client reading before the connection is closed (body-idle.ts). */
  stallMs: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * What S3 answers and records for an error no handler turned into one of its own. A client that went away or
 * stalled mid-body: RequestTimeout when it stalled (S3's code for an idle connection), IncompleteBody when it went
 * away; the connection is gone, so only the audit record and the log carry it, and not as an InternalError, which
 * would blame the server. A full data directory: S3's ServiceUnavailable; a process out of open files: its
 * SlowDown (both 503, with what to do; toServiceError logs them). Anything else: InternalError naming the request.
 */
function s3ErrorFor(req: IncomingMessage, err: unknown, log: Logger, requestId: string): ServiceError {
  if (err instanceof ServiceError) return err;
  if (clientGoneMidBody(req, err)) return err instanceof RequestIdleError ? S3.RequestTimeout() : S3.IncompleteBody();
  const mapped = toServiceError(err, log, requestId);
  const exhausted = exhaustion(err);
  if (exhausted === 'space') return S3.ServiceUnavailable(mapped.message);
  if (exhausted === 'files') return S3.SlowDown(mapped.message);
  return S3.InternalError(`We encountered an internal error (request ${requestId}).`);
}
/** The largest unread body a refused request still has drained rather than its connection closed. */
const DRAIN_BODY_BYTES = 16 * 1024 * 1024;

function target(req: IncomingMessage, path: string, baseDomains: ReadonlyArray<string>): { bucket?: string; key?: string; virtualHosted?: boolean } {
  const host = String(req.headers.host ?? '')
    .replace(/:\d+$/, '')
    .toLowerCase();
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.");
    }
  };
  for (const base of baseDomains) {
    if (host.endsWith(`.${base}`)) {
      const bucket = host.slice(0, -(base.length + 1));
      const rest = path.replace(/^\//, '');
      return { bucket, key: rest === '' ? undefined : decode(rest), virtualHosted: true };
    }
  }
  const m = /^\/([^/]+)(?:\/(.*))?$/.exec(path);
  if (!m) return {};
  // "/bucket/" addresses the bucket, as "/bucket" does.
  return { bucket: decode(m[1]!), key: m[2] === undefined || m[2] === '' ? undefined : decode(m[2]) };
}

export class S3Edge {
  /** x-amz-id-2: one per request, the same in the answer and in its CloudTrail record. */
  readonly #hostIds = new WeakMap<EdgeRequest, string>();

  constructor(private readonly deps: S3EdgeDeps) {}

  #hostId(edge: EdgeRequest): string {
    let id = this.#hostIds.get(edge);
    if (id === undefined) {
      id = randomBytes(24).toString('base64');
      this.#hostIds.set(edge, id);
    }
    return id;
  }

  async handle(req: IncomingMessage, res: ServerResponse, edge: EdgeRequest): Promise<void> {
    const { deps } = this;
    const now = deps.clock();
    const query = new URLSearchParams(edge.query);
    const fail = (err: ServiceError) => this.#error(req, res, edge, err);
    try {
      const { bucket, key, virtualHosted } = target(req, edge.path, deps.baseDomains);
      if (key !== undefined && Buffer.byteLength(key) > 1024) throw S3.KeyTooLongError();
      // CORS: a preflight is answered from the bucket's rules alone (browsers send it without credentials);
      // a cross-origin request gets the headers that let the browser read its answer, error or not.
      if (req.method === 'OPTIONS') return this.#preflight(req, res, edge, bucket === undefined ? undefined : await deps.s3.store.getBucket(bucket), key);
      if (bucket !== undefined && req.headers.origin !== undefined) {
        const granted = crossOriginHeaders(req, await deps.s3.store.getBucket(bucket));
        for (const [name, value] of Object.entries(granted ?? {})) res.setHeader(name, value);
      }
      const r = route(req.method ?? 'GET', bucket, key, query, req.headers['x-amz-copy-source'] !== undefined);
      // A browser-based upload carries its credentials in the form, not in headers (post-object/).
      if ('name' in r && r.name === 'PostObject' && bucket !== undefined) {
        const post = await preparePostObject(req, edge, {
          bucket,
          virtualHosted: virtualHosted === true,
          now,
          lookup: deps.lookup,
          admitAnonymous: () => this.#admitAnonymous(bucket, r),
          bucketRegion: async () => (await deps.s3.store.getBucket(bucket))?.region ?? 'us-east-1',
        });
        return await this.#execute(req, res, edge, r, post.request, post.handler, fail);
      }
      const payloadHeader = req.headers['x-amz-content-sha256'];
      // botocore's default presigned URLs in us-east-1 are SigV2 (../../protocol/sigv2/query-auth.ts), and older tools
      // still sign headers with it (../../protocol/sigv2/header-auth.ts).
      const authorization = req.headers.authorization;
      const sigV2Form = isSigV2Header(authorization) ? 'header' : !authorization && isSigV2Presigned(edge.query) ? 'query' : undefined;
      const sigV2 = sigV2Form ? await this.#verifySigV2(req, edge, bucket, virtualHosted === true, now, sigV2Form) : undefined;
      const presigned = sigV2 !== undefined || isPresigned({ method: req.method ?? 'GET', path: edge.path, query: edge.query, headers: [] });
      // An unsigned request is anonymous: admitted only to a bucket whose owner allowed public access (and then
      // only to what its policy grants to "*").
      const anonymousRegion = !presigned && !req.headers.authorization ? await this.#admitAnonymous(bucket, r) : undefined;
      const payloadHash = typeof payloadHeader === 'string' ? payloadHeader : presigned || anonymousRegion ? 'UNSIGNED-PAYLOAD' : undefined;
      if (payloadHash === undefined) throw S3.InvalidRequest('Missing required header for this request: x-amz-content-sha256');
      const streaming = STREAMING_MODES[payloadHash];
      if (!streaming && payloadHash !== 'UNSIGNED-PAYLOAD' && !HEX64.test(payloadHash)) {
        throw S3.InvalidArgument(
          'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) or a SHA-256 hex digest.',
        );
      }
      // Signed aws-chunked bodies continue a SigV4 signature chain: an unsigned or SigV2 request cannot have one.
      if ((anonymousRegion || sigV2) && streaming && streaming !== 'unsigned-trailer') throw S3.AccessDenied();
      let verified: ReturnType<typeof verifySigV4<Principal>> | undefined;
      if (!anonymousRegion && !sigV2) {
        try {
          verified = verifySigV4(
            { method: req.method ?? 'GET', path: edge.path, query: edge.query, headers: rawHeaderPairs(req) },
            // Every x-amz-* header must be signed (SSE keys, copy source, tagging, metadata, ...), as S3 requires.
            // No session token is valid (Keyhold's keys are all long-term): S3's InvalidToken.
            { now, pathRule: 's3', service: 's3', payloadHash, lookup: deps.lookup, signAllAmzHeaders: true, refuseSessionTokens: true },
          );
        } catch (err) {
          if (!(err instanceof SigV4Error)) throw err;
          // An Authorization header scoped to something that is no Region name: the Region S3 expects is the
          // bucket's, or us-east-1 (the global endpoint) for a request without one.
          const given = err.details.Region;
          if (given !== undefined && !presigned) {
            throw wrongRegion(given, (bucket === undefined ? undefined : await deps.s3.store.getBucket(bucket))?.region ?? 'us-east-1');
          }
          throw s3AuthError(err);
        }
      }
      // A presigned URL may carry headers it signed in its query; the request acts on them (./query-headers.ts).
      const queryVersion = sigV2Form === 'query' ? 2 : verified?.mode === 'query' ? 4 : undefined;
      const hoisted = queryVersion ? presignedQueryHeaders(edge.query, req.headers, queryVersion) : undefined;
      const who = sigV2 ?? (verified ? { principal: verified.principal, region: verified.scope.region } : { principal: ANONYMOUS, region: anonymousRegion! });
      const ctx = requestContext(req, edge, now, who, 'name' in r ? r.name : 'Unsupported');

      // The body, as the client meant it, with its integrity checks.
      const check = bodyCheck();
      const trailers = new Map<string, string>();
      const decodedLength = req.headers['x-amz-decoded-content-length'];
      const raw = req as AsyncIterable<Buffer>;
      async function* body(): AsyncGenerator<Buffer> {
        try {
          if (streaming) {
            const trailerNames = String(req.headers['x-amz-trailer'] ?? '')
              .split(',')
              .map((s) => s.trim().toLowerCase())
              .filter(Boolean);
            const decoder = new AwsChunkedDecoder({
              mode: streaming,
              signing:
                streaming === 'unsigned-trailer'
                  ? undefined
                  : {
                      signingKey: verified!.signingKey,
                      amzDate: verified!.amzDate,
                      scope: `${verified!.scope.date}/${verified!.scope.region}/s3/aws4_request`,
                      seedSignature: verified!.signature,
                    },
              decodedLength: decodedLength === undefined ? undefined : Number(decodedLength),
              expectedTrailers: trailerNames,
            });
            yield* decoder.decode(raw);
            for (const [k, v] of decoder.trailers) trailers.set(k, v);
          } else if (HEX64.test(payloadHash!)) {
            const h = createHash('sha256');
            for await (const c of raw) {
              h.update(c);
              yield c;
            }
            if (h.digest('hex') !== payloadHash) throw S3.XAmzContentSHA256Mismatch();
          } else {
            for await (const c of raw) yield c;
          }
          check.passed();
        } catch (err) {
          const e = err instanceof ChunkedEncodingError ? new S3Error(err.code, err.code === 'SignatureDoesNotMatch' ? 403 : 400, err.message) : err;
          check.failed(e);
          throw e;
        }
      }
      const s3req: S3Request = {
        ctx,
        method: req.method ?? 'GET',
        bucket,
        key,
        query,
        headers: hoisted ? { ...req.headers, ...hoisted } : req.headers,
        headersDistinct: hoisted ? { ...req.headersDistinct, ...Object.fromEntries(Object.entries(hoisted).map(([k, v]) => [k, [v]])) } : req.headersDistinct,
        secure: edge.secure,
        virtualHosted: virtualHosted === true,
        auth: {
          type: sigV2Form === 'query' || verified?.mode === 'query' ? 'REST-QUERY-STRING' : verified || sigV2Form ? 'REST-HEADER' : 'ANONYMOUS',
          tlsVersion: tlsDetails(req)?.tlsVersion.replace(/^TLSv/, ''),
          ...(sigV2 ? { sigV2: true } : {}),
        },
        body: body(),
        bodyVerified: () => check.done,
        readBody: async (limit = 1024 * 1024, opts = {}) => {
          const parts: Buffer[] = [];
          let n = 0;
          for await (const c of s3req.body) {
            n += c.length;
            if (n > limit) throw S3.EntityTooLarge(`The request body must be at most ${limit} bytes.`);
            parts.push(c);
          }
          const whole = Buffer.concat(parts);
          checkBufferedBody(s3req, whole, opts.checksums ?? true);
          return whole;
        },
        trailers,
        audit: auditProjection(bucket, key, req.headers.host),
      };
      const handler = 'name' in r ? HANDLERS[r.name] : undefined;
      await this.#execute(req, res, edge, r, s3req, handler, fail);
    } catch (err) {
      return fail(s3ErrorFor(req, err, deps.log, edge.requestId));
    }
  }

  /**
   * A SigV2-signed request (presigned URL or Authorization header): its signer and the Region it acts in, which SigV2 does not name: the bucket's (so
   * the Region check that follows never refuses it), or us-east-1, where S3's SigV2 endpoint is.
   */
  async #verifySigV2(req: IncomingMessage, edge: EdgeRequest, bucket: string | undefined, virtualHosted: boolean, now: number, form: 'query' | 'header') {
    try {
      const request = {
        method: req.method ?? 'GET',
        path: edge.path,
        query: edge.query,
        headers: rawHeaderPairs(req),
        ...(virtualHosted ? { virtualHostBucket: bucket } : {}),
      };
      const opts = { now, lookup: this.deps.lookup, refuseSessionTokens: true };
      const v = form === 'query' ? verifySigV2Query(request, opts) : verifySigV2Header(request, opts);
      const region = (bucket === undefined ? undefined : await this.deps.s3.store.getBucket(bucket))?.region ?? 'us-east-1';
      refuseSigV2Region(region);
      return { principal: v.principal, region };
    } catch (err) {
      if (!(err instanceof SigV4Error)) throw err;
      throw s3AuthError(err);
    }
  }

  /**
   * Admits an unsigned request: to an existing bucket (NoSuchBucket otherwise, as S3 answers anyone), not for
   * ListBuckets or CreateBucket, and not while the bucket's RestrictPublicBuckets is on (every bucket's default).
   * What it may then do is decided by the bucket policy alone. Returns the bucket's Region for the request.
   */
  async #admitAnonymous(bucket: string | undefined, r: ReturnType<typeof route>): Promise<string> {
    if (bucket === undefined || !('name' in r) || r.name === 'CreateBucket') throw S3.AccessDenied();
    const b = await this.deps.s3.store.getBucket(bucket);
    if (!b) throw S3.NoSuchBucket(undefined, { BucketName: bucket });
    // HeadBucket names the Region even to a caller it refuses (./api/buckets.ts, headBucket).
    if (effectiveBlock(b.publicAccessBlock).restrictPublicBuckets)
      throw S3.AccessDenied(undefined, r.name === 'HeadBucket' ? { 'x-amz-bucket-region': b.region } : {});
    return b.region;
  }

  #preflight(req: IncomingMessage, res: ServerResponse, edge: EdgeRequest, bucket: BucketRecord | undefined, key: string | undefined): void {
    const granted = preflight(req, bucket, key);
    req.resume();
    res.writeHead(200, {
      'x-amz-request-id': edge.requestId,
      'x-amz-id-2': this.#hostId(edge),
      date: httpDate(this.deps.clock()),
      ...granted,
      'content-length': '0',
    });
    res.end();
  }

  /** Runs one authenticated operation, records it (fail closed: no durable audit record, no answer), answers. */
  async #execute(
    req: IncomingMessage,
    res: ServerResponse,
    edge: EdgeRequest,
    r: ReturnType<typeof route>,
    s3req: S3Request,
    handler: S3Handler | undefined,
    fail: (err: ServiceError) => void,
  ): Promise<void> {
    const { deps } = this;
    let response: S3Response | undefined;
    let failure: ServiceError | undefined;
    try {
      if ('notAllowed' in r) throw S3.MethodNotAllowed(undefined, { Method: req.method ?? '', ResourceType: r.notAllowed });
      if (!('name' in r)) throw S3.NotImplemented(`${r.unsupported} is not supported by this Keyhold version.`);
      if (!deps.audit.healthy) throw S3.ServiceUnavailable(AUDIT_REFUSAL);
      if (!handler) throw S3.NotImplemented(`${r.name} is not supported by this Keyhold version.`);
      response = await handler(deps.s3, s3req);
    } catch (err) {
      failure = s3ErrorFor(req, err, deps.log, edge.requestId);
    }
    s3req.audit.additionalEventData = additionalEventData(req, s3req, failure ? undefined : response, this.#hostId(edge));
    const event = buildEvent(
      s3req.ctx,
      's3.amazonaws.com',
      'name' in r ? r.readOnly : true,
      s3req.audit,
      failure,
      tlsDetails(req),
      'name' in r && r.data ? 'Data' : 'Management',
    );
    try {
      await deps.audit.write(event);
    } catch {
      // An object body already begun (GetObject reads its first bytes in the handler) holds a file and a lease.
      if (response?.body && typeof response.body === 'object' && Symbol.asyncIterator in response.body) {
        await response.body[Symbol.asyncIterator]().return?.(undefined);
      }
      return fail(S3.ServiceUnavailable(AUDIT_REFUSAL));
    }
    if (failure || !response) return fail(failure ?? S3.InternalError());
    await this.#respond(req, res, edge, response);
  }

  async #respond(req: IncomingMessage, res: ServerResponse, edge: EdgeRequest, r: S3Response): Promise<void> {
    const headers: Record<string, string> = {
      'x-amz-request-id': edge.requestId,
      'x-amz-id-2': this.#hostId(edge),
      date: httpDate(this.deps.clock()),
      ...r.headers,
    };
    const isHead = req.method === 'HEAD';
    if (r.body === undefined || typeof r.body === 'string' || Buffer.isBuffer(r.body)) {
      const payload = r.body === undefined ? Buffer.alloc(0) : typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
      // A 204 carries no Content-Length (RFC 9110 §8.6; S3 sends none either).
      if (headers['content-length'] === undefined && r.status !== 204) headers['content-length'] = String(payload.length);
      res.writeHead(r.status, headers);
      res.end(isHead ? undefined : payload);
      return;
    }
    // Streams: the first two pieces are produced before the status line, so a failure there is still a clean
    // error; and an object that fits in one piece (most small objects: one segment) is written with one end(),
    // without the stream pipeline's per-response machinery.
    const it = r.body[Symbol.asyncIterator]();
    let first: IteratorResult<Buffer>;
    let second: IteratorResult<Buffer>;
    try {
      first = await it.next();
      second = first.done ? first : await it.next();
    } catch (err) {
      this.deps.log.error({ requestId: edge.requestId, err: (err as Error).message }, 'object read failed before the response');
      return this.#error(req, res, edge, err instanceof S3Error ? err : S3.InternalError('The stored object failed an integrity check.'));
    }
    res.writeHead(r.status, headers);
    if (isHead || second.done) {
      if (!second.done) void it.return?.(undefined); // a HEAD reads no further: release the blob now
      res.end(isHead || first.done ? undefined : first.value);
      return;
    }
    // A client that stops reading without closing the connection would hold the blob's file (and its read lease)
    // for as long as TCP keeps the connection: the stream asks for a piece only as the client drains the ones
    // before it (Readable.from reads a few ahead), so no request for a piece in stallMs is a client that stopped.
    let stalled = false;
    const idle = setTimeout(() => {
      stalled = true;
      res.destroy();
    }, this.deps.stallMs);
    idle.unref();
    async function* rest(): AsyncGenerator<Buffer> {
      try {
        if (!first.done) {
          yield first.value;
          idle.refresh();
        }
        yield second.value;
        for (let next = await it.next(); !next.done; next = await it.next()) {
          idle.refresh();
          yield next.value;
        }
      } finally {
        clearTimeout(idle);
        // A client gone mid-body ends this generator early: end the decryptor too, which closes the blob's file
        // (without this, every aborted GET kept a file descriptor until garbage collection). A no-op once it ended.
        await it.return?.(undefined);
      }
    }
    try {
      await pipeline(Readable.from(rest()), res);
    } catch (err) {
      // Headers are gone: cut the connection so the client sees a truncated response, never wrong bytes. A client
      // that closed the connection mid-download (a cancelled transfer) or stopped reading is no server failure.
      const gone = (err as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE' && res.destroyed;
      if (stalled) this.deps.log.info({ requestId: edge.requestId, stallMs: this.deps.stallMs }, 'download stalled: connection closed');
      else if (gone) this.deps.log.debug({ requestId: edge.requestId }, 'client closed the connection mid-download');
      else this.deps.log.error({ requestId: edge.requestId, err: (err as Error).message }, 'object stream failed');
      res.destroy();
    }
  }

  // The body AWS sends: Code, Message, the error's own fields, RequestId and HostId (reference/s3.md, "Error
  // body"). No Resource: the API reference's example shows one, but S3 does not send it (localstack's recordings).
  #error(req: IncomingMessage, res: ServerResponse, edge: EdgeRequest, err: ServiceError): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const extra = err instanceof S3Error ? err.extra : {};
    const hostId = this.#hostId(edge);
    const headers: Record<string, string> = {
      'x-amz-request-id': edge.requestId,
      'x-amz-id-2': hostId,
      date: httpDate(this.deps.clock()),
      'content-type': 'application/xml',
    };
    // x-amz-* extras are headers, and Allow (a 405's); so is everything of a 304, which has no body (its validators).
    const asHeader = (k: string) => k.startsWith('x-amz-') || k === 'allow' || err.status === 304;
    for (const [k, v] of Object.entries(extra)) if (asHeader(k)) headers[k] = v;
    const fields = Object.entries(extra)
      .filter(([k]) => !asHeader(k))
      .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
      .join('');
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>${fields}<RequestId>${edge.requestId}</RequestId><HostId>${escapeXml(hostId)}</HostId></Error>`;
    const body = req.method === 'HEAD' || err.status === 304 ? Buffer.alloc(0) : Buffer.from(xml);
    // A refused request whose body is still coming, whether or not its reading had begun (an aws-chunked body
    // refused at a bad chunk has its rest unread): a body of declared, moderate size is read and discarded so
    // the client (which may be mid-upload after 100-continue) gets to read the error and the connection stays
    // usable; anything else ends the connection after the answer rather than reading an unbounded body for
    // nothing. Answering "keep-alive" with body bytes left unread would make the connection's next request
    // wait behind them, or be read as their continuation.
    const unread = !req.complete;
    // A body being read through an async iterator has a 'readable' listener, which would keep resume() from flowing.
    if (unread) req.removeAllListeners('readable');
    const declared = Number(req.headers['content-length']);
    const drain = unread && !req.destroyed && Number.isSafeInteger(declared) && declared <= DRAIN_BODY_BYTES;
    if (unread && !drain) headers.connection = 'close';
    res.writeHead(err.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    if (drain) req.resume();
  }
}
