// The AWS JSON 1.1 edge: POST / with X-Amz-Target "<Prefix>.<Operation>", SigV4, a JSON object body,
// errors as {"__type": code, "message": text} with AWS's status codes (400 for client errors,
// shared/reference/kms.md §2). Unknown operations, malformed JSON and oversized bodies each get their
// AWS error; nothing reaches a handler unauthenticated; every authenticated call is audited once and
// is refused (503) if the audit trail cannot record it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../iam/principal.js';
import { BodyTooLargeError, readBody, send } from '../server/http-io.js';
import { httpDate } from '../server/per-second.js';
import type { JsonService } from '../server/service.js';
import {
  IncompleteSignatureException,
  InvalidSignatureException,
  MissingAuthenticationTokenException,
  RequestEntityTooLargeException,
  SerializationException,
  type ServiceError,
  UnknownOperationException,
  UnrecognizedClientException,
} from './errors.js';
import type { Input } from './fields.js';
import { authenticateBuffered, type EdgeRequest, type PipelineDeps, requestContext, runAudited } from './pipeline.js';
import { SigV4Error } from './sigv4/errors.js';
import { parseStrictJson, StrictJsonError } from './strict-json.js';

export const MAX_JSON_BODY = 1024 * 1024;

export interface JsonEdgeDeps extends PipelineDeps {
  services: ReadonlyMap<string, JsonService>;
}

export type { EdgeRequest };

export function authErrorToJson(err: SigV4Error): ServiceError {
  switch (err.reason) {
    case 'MissingAuthentication':
      return new MissingAuthenticationTokenException();
    case 'IncompleteSignature':
    case 'MalformedAuthorization':
      return new IncompleteSignatureException(err.message);
    case 'UnknownAccessKey':
    case 'InactiveAccessKey':
    case 'InvalidSessionToken':
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
    let who: { principal: Principal; region: string };
    try {
      who = authenticateBuffered(req, edge, body, service.signingName, deps, now, ['x-amz-target']);
    } catch (err) {
      if (!(err instanceof SigV4Error)) throw err;
      deps.log.debug({ requestId: edge.requestId, reason: err.reason }, 'authentication failed');
      return this.#error(res, edge, authErrorToJson(err));
    }
    const ctx = requestContext(req, edge, now, who, operationName);
    const outcome = await runAudited(
      deps,
      req,
      ctx,
      service,
      service.operations.get(operationName),
      () => parseInput(body),
      () => new UnknownOperationException(),
    );
    if (!outcome.ok) return this.#error(res, edge, outcome.error);
    send(res, 200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': edge.requestId, date: this.#date() }, JSON.stringify(outcome.output));
  }

  #date(): string {
    return httpDate(this.deps.clock());
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
