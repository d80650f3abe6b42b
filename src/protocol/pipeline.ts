// The part of a request every protocol edge shares: SigV4 authentication of a buffered body, the request
// context, and the audited execution of an operation (audit health, input parsing, quota, handler,
// CloudTrail event, fail-closed write). The edges only parse their wire format and render results.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AuditEvent, cloudTrailTime, redactSecrets, userIdentityOf } from '../audit/event.js';
import type { AuditSink } from '../audit/sink.js';
import type { Principal } from '../iam/principal.js';
import type { RequestContext } from '../server/context.js';
import { rawHeaderPairs, tlsDetails } from '../server/http-io.js';
import type { Logger } from '../server/logger.js';
import type { ApiOperation, ApiService, AuditProjection } from '../server/service.js';
import { InternalFailure, ServiceError, ServiceUnavailableException } from './errors.js';
import { EXHAUSTION_MESSAGE, exhaustion } from '../server/exhausted.js';
import type { Input } from './fields.js';
import { sha256Hex } from './sigv4/canonical.js';
import { SigV4Error } from './sigv4/errors.js';
import { type VerifiableCredential, verifySigV4 } from './sigv4/verifier.js';

const HEX64 = /^[0-9a-f]{64}$/;
export const AUDIT_REFUSAL = 'The audit trail cannot record requests; the request was refused.';

export interface PipelineDeps {
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

/** Verifies SigV4 over a buffered body (the signed payload hash must match the body). Throws SigV4Error. */
export function authenticateBuffered(
  req: IncomingMessage,
  edge: EdgeRequest,
  body: Buffer,
  signingName: string,
  deps: PipelineDeps,
  now: number,
  mustSign: ReadonlyArray<string> = [],
): { principal: Principal; region: string } {
  const declared = req.headers['x-amz-content-sha256'];
  const actual = sha256Hex(body);
  if (typeof declared === 'string' && HEX64.test(declared) && declared !== actual) {
    throw new SigV4Error('ContentSha256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const verified = verifySigV4(
    { method: req.method ?? 'POST', path: edge.path, query: edge.query, headers: rawHeaderPairs(req) },
    // Keyhold issues no temporary credentials: a session token is refused as AWS refuses one sent with a long-term
    // key (UnrecognizedClientException for JSON, InvalidClientTokenId for Query), not ignored.
    { now, pathRule: 'normalized', service: signingName, payloadHash: actual, lookup: deps.lookup, mustSign, refuseSessionTokens: true },
  );
  return { principal: verified.principal, region: verified.scope.region };
}

export function requestContext(
  req: IncomingMessage,
  edge: EdgeRequest,
  now: number,
  who: { principal: Principal; region: string },
  operation: string,
): RequestContext {
  // The connection's TLS details are read now, while it is open: the audit record that names them is built
  // after the operation, when a client that went away has taken its socket with it (http-io.ts).
  tlsDetails(req);
  return {
    requestId: edge.requestId,
    now,
    region: who.region,
    principal: who.principal,
    sourceIp: req.socket?.remoteAddress ?? '',
    userAgent: String(req.headers['user-agent'] ?? ''),
    secureTransport: edge.secure,
    operation,
  };
}

export type Outcome = { ok: true; output: Record<string, unknown> } | { ok: false; error: ServiceError };

/**
 * Runs one authenticated operation and records it: the response may be released only when this resolves,
 * because the audit record is durable by then (or the request was refused with a 5xx).
 */
export async function runAudited(
  deps: PipelineDeps,
  req: IncomingMessage,
  ctx: RequestContext,
  service: ApiService,
  operation: ApiOperation | undefined,
  parseInput: () => Input,
  unknownOperation: () => ServiceError,
): Promise<Outcome> {
  let input: Input = {};
  let output: Record<string, unknown> | undefined;
  let failure: ServiceError | undefined;
  try {
    if (!operation) throw unknownOperation();
    // A sink known to be failing refuses the request before it can change anything.
    if (!deps.audit.healthy) throw new ServiceUnavailableException(AUDIT_REFUSAL);
    input = parseInput();
    service.checkQuota?.(ctx, ctx.operation);
    output = await operation.handler(ctx, input);
  } catch (err) {
    failure = toServiceError(err, deps.log, ctx.requestId);
  }
  let projection: AuditProjection = {};
  try {
    projection = operation ? operation.audit(ctx, input, output) : {};
  } catch {
    projection = {};
  }
  const event = buildEvent(ctx, service.eventSource, operation?.readOnly ?? true, projection, failure, tlsDetails(req));
  try {
    await deps.audit.write(event);
  } catch (err) {
    deps.log.error({ requestId: ctx.requestId, err: (err as Error).message }, 'audit write failed; request refused');
    return { ok: false, error: new ServiceUnavailableException(AUDIT_REFUSAL) };
  }
  if (failure) return { ok: false, error: failure };
  service.recorded?.(ctx, output ?? {}, event);
  return { ok: true, output: output ?? {} };
}

export function toServiceError(err: unknown, log: Logger, requestId: string): ServiceError {
  if (err instanceof ServiceError) return err;
  const exhausted = exhaustion(err);
  if (exhausted) {
    log.error(
      { requestId, err: (err as Error).message },
      exhausted === 'space' ? 'data directory out of space; request refused' : 'out of open files; request refused',
    );
    return new ServiceUnavailableException(EXHAUSTION_MESSAGE[exhausted]);
  }
  log.error({ requestId, err: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) }, 'unhandled error');
  return new InternalFailure(`An internal error occurred (request ${requestId}). Retry your request.`);
}

export function buildEvent(
  ctx: RequestContext,
  eventSource: string,
  readOnly: boolean,
  projection: AuditProjection,
  failure: ServiceError | undefined,
  tls: AuditEvent['tlsDetails'],
  category: 'Management' | 'Data' = 'Management',
): AuditEvent {
  return {
    eventVersion: '1.09',
    userIdentity: userIdentityOf(ctx.principal),
    eventTime: cloudTrailTime(ctx.now),
    eventSource,
    eventName: ctx.operation,
    awsRegion: ctx.region,
    sourceIPAddress: ctx.sourceIp,
    userAgent: ctx.userAgent,
    requestParameters: (redactSecrets(projection.requestParameters ?? null) as Record<string, unknown> | null) ?? null,
    responseElements: failure ? null : ((redactSecrets(projection.responseElements ?? null) as Record<string, unknown> | null) ?? null),
    ...(projection.additionalEventData ? { additionalEventData: projection.additionalEventData } : {}),
    ...(failure ? { errorCode: failure.code, errorMessage: failure.message } : {}),
    requestID: ctx.requestId,
    eventID: randomUUID(),
    readOnly,
    ...(projection.resources ? { resources: projection.resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: category === 'Management',
    // An anonymous call is delivered to the account that owns what it reached (the bucket), as CloudTrail does.
    recipientAccountId:
      ctx.principal.type === 'Anonymous' ? projection.resources?.find((r) => r.accountId)?.accountId || ctx.principal.accountId : ctx.principal.accountId,
    eventCategory: category,
    ...(tls ? { tlsDetails: tls } : {}),
  };
}
