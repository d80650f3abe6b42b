// The AWS JSON 1.1 edge: POST / with X-Amz-Target "<Prefix>.<Operation>", SigV4, a JSON object body,
// errors as {"__type": code, "message": text} with AWS's status codes (400 for client errors,
// shared/reference/kms.md §2). Unknown operations, malformed JSON and oversized bodies each get their
// AWS error; nothing reaches a handler unauthenticated; every authenticated call is audited once and
// is refused (503) if the audit trail cannot record it.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AuditEvent, cloudTrailTime, redactSecrets, userIdentityOf } from '../audit/event.js';
import type { AuditSink } from '../audit/sink.js';
import type { Principal } from '../iam/principal.js';
import type { RequestContext } from '../server/context.js';
import { BodyTooLargeError, rawHeaderPairs, readBody, send, tlsDetails } from '../server/http-io.js';
import type { Logger } from '../server/logger.js';
import type { AuditProjection, JsonService } from '../server/service.js';
import {
  IncompleteSignatureException,
  InternalFailure,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  SerializationException,
  ServiceError,
  ServiceUnavailableException,
  UnknownOperationException,
  UnrecognizedClientException,
} from './errors.js';
import type { Input } from './fields.js';
import { SigV4Error } from './sigv4/errors.js';
import { type VerifiableCredential, verifySigV4 } from './sigv4/verifier.js';
import { parseStrictJson, StrictJsonError } from './strict-json.js';

export const MAX_JSON_BODY = 1024 * 1024;
const HEX64 = /^[0-9a-f]{64}$/;

export interface JsonEdgeDeps {
  services: ReadonlyMap<string, JsonService>;
  lookup: (accessKeyId: string) => VerifiableCredential<Principal> | undefined;
  audit: AuditSink;
  clock: () => number;
  log: Logger;
}

export interface EdgeRequest {
  requestId: string;
  path: string;
  query: string;
  secure: boolean;
}

export function authErrorToJson(err: SigV4Error): ServiceError {
  switch (err.reason) {
    case 'MissingAuthentication':
      return new MissingAuthenticationTokenException();
    case 'IncompleteSignature':
    case 'MalformedAuthorization':
      return new IncompleteSignatureException(err.message);
    case 'UnknownAccessKey':
    case 'InactiveAccessKey':
      return new UnrecognizedClientException();
    default:
      return new InvalidSignatureException(err.message);
  }
}

export class JsonEdge {
  constructor(private readonly deps: JsonEdgeDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, edge: EdgeRequest, target: string): Promise<void> {
    const { deps } = this;
    const now = deps.clock();
    const dot = target.indexOf('.');
    const service = deps.services.get(dot < 0 ? target : target.slice(0, dot));
    const operationName = dot < 0 ? '' : target.slice(dot + 1);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_JSON_BODY);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        return this.#error(res, edge, new RequestEntityTooLargeException(`Request body must be at most ${MAX_JSON_BODY} bytes.`), true);
      }
      throw err;
    }
    if (!service || req.method !== 'POST') return this.#error(res, edge, new UnknownOperationException());

    let principal: Principal;
    let region: string;
    try {
      const declared = req.headers['x-amz-content-sha256'];
      const actual = createHash('sha256').update(body).digest('hex');
      if (typeof declared === 'string' && HEX64.test(declared) && declared !== actual) {
        throw new SigV4Error('ContentSha256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
      }
      const verified = verifySigV4(
        { method: req.method ?? 'POST', path: edge.path, query: edge.query, headers: rawHeaderPairs(req) },
        { now, pathRule: 'normalized', service: service.signingName, payloadHash: actual, lookup: deps.lookup, mustSign: ['x-amz-target'] },
      );
      principal = verified.principal;
      region = verified.scope.region;
    } catch (err) {
      if (!(err instanceof SigV4Error)) throw err;
      deps.log.debug({ requestId: edge.requestId, reason: err.reason }, 'authentication failed');
      return this.#error(res, edge, authErrorToJson(err));
    }

    const ctx: RequestContext = {
      requestId: edge.requestId,
      now,
      region,
      principal,
      sourceIp: req.socket.remoteAddress ?? '',
      userAgent: String(req.headers['user-agent'] ?? ''),
      secureTransport: edge.secure,
      operation: operationName,
    };
    const operation = service.operations.get(operationName);
    let input: Input = {};
    let output: Record<string, unknown> | undefined;
    let failure: ServiceError | undefined;
    let projection: AuditProjection = {};
    try {
      if (!operation) throw new UnknownOperationException();
      // A sink known to be failing refuses the request before it can change anything.
      if (!deps.audit.healthy) throw new ServiceUnavailableException('The audit trail cannot record requests; the request was refused.');
      input = parseInput(body);
      service.checkQuota?.(ctx, operationName);
      output = await operation.handler(ctx, input);
    } catch (err) {
      failure = toServiceError(err, deps.log, edge.requestId);
    }
    try {
      projection = operation ? operation.audit(ctx, input, output) : {};
    } catch {
      projection = {};
    }
    const event = buildEvent(ctx, service, operationName, operation?.readOnly ?? true, projection, failure, tlsDetails(req));
    try {
      await deps.audit.write(event);
    } catch (err) {
      deps.log.error({ requestId: edge.requestId, err: (err as Error).message }, 'audit write failed; request refused');
      return this.#error(res, edge, new ServiceUnavailableException('The audit trail cannot record requests; the request was refused.'));
    }
    if (failure) return this.#error(res, edge, failure);
    send(res, 200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': edge.requestId, date: this.#date() }, JSON.stringify(output ?? {}));
  }

  #date(): string {
    return new Date(this.deps.clock()).toUTCString();
  }

  #error(res: ServerResponse, edge: EdgeRequest, err: ServiceError, close = false): void {
    const body = err.message ? { __type: err.code, message: err.message } : { __type: err.code };
    send(
      res,
      err.status,
      // The Date header carries the server's clock: SDKs correct their clock skew from it.
      { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': edge.requestId, 'x-amzn-errortype': err.code, date: this.#date() },
      JSON.stringify(body),
      close,
    );
  }
}

function parseInput(body: Buffer): Input {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = parseStrictJson(body.toString('utf8'));
  } catch (err) {
    throw new SerializationException(
      err instanceof StrictJsonError ? `Malformed request body: ${err.message}` : 'Start of structure or map found where not expected.',
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SerializationException('Start of structure or map found where not expected.');
  }
  return parsed as Input;
}

function toServiceError(err: unknown, log: Logger, requestId: string): ServiceError {
  if (err instanceof ServiceError) return err;
  log.error({ requestId, err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'unhandled error');
  return new InternalFailure(`An internal error occurred (request ${requestId}). Retry your request.`);
}

function buildEvent(
  ctx: RequestContext,
  service: JsonService,
  eventName: string,
  readOnly: boolean,
  projection: AuditProjection,
  failure: ServiceError | undefined,
  tls: AuditEvent['tlsDetails'],
): AuditEvent {
  return {
    eventVersion: '1.09',
    userIdentity: userIdentityOf(ctx.principal),
    eventTime: cloudTrailTime(ctx.now),
    eventSource: service.eventSource,
    eventName,
    awsRegion: ctx.region,
    sourceIPAddress: ctx.sourceIp,
    userAgent: ctx.userAgent,
    requestParameters: (redactSecrets(projection.requestParameters ?? null) as Record<string, unknown> | null) ?? null,
    responseElements: failure ? null : ((redactSecrets(projection.responseElements ?? null) as Record<string, unknown> | null) ?? null),
    ...(failure ? { errorCode: failure.code, errorMessage: failure.message } : {}),
    requestID: ctx.requestId,
    eventID: randomUUID(),
    readOnly,
    ...(projection.resources ? { resources: projection.resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ctx.principal.accountId,
    eventCategory: 'Management',
    ...(tls ? { tlsDetails: tls } : {}),
  };
}
