// The AWS Query edge (IAM, STS): form-encoded `Action=<Operation>&Version=...` in a POST body (or the
// query string of a GET), SigV4 with the service taken from the credential scope, XML responses
// <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>
// and errors as <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../iam/principal.js';
import { BodyTooLargeError, readBody, send } from '../server/http-io.js';
import { httpDate } from '../server/per-second.js';
import type { QueryService } from '../server/service.js';
import { defineError, type ServiceError } from './errors.js';
import type { Input } from './fields.js';
import { authenticateBuffered, type EdgeRequest, type PipelineDeps, requestContext, runAudited } from './pipeline.js';
import { type AuthFailure, SigV4Error } from './sigv4/errors.js';
import { escapeXml, toXml } from './xml-writer.js';

export const MAX_QUERY_BODY = 1024 * 1024;
const MissingAction = defineError('MissingAction', 400, 'Missing Action');
const InvalidAction = defineError('InvalidAction', 400);
const RequestEntityTooLarge = defineError('RequestEntityTooLarge', 413, 'Request body too large');

const AUTH_ERRORS: Record<AuthFailure, [string, number]> = {
  MissingAuthentication: ['MissingAuthenticationToken', 403],
  IncompleteSignature: ['IncompleteSignature', 400],
  MalformedAuthorization: ['IncompleteSignature', 400],
  UnknownAccessKey: ['InvalidClientTokenId', 403],
  InactiveAccessKey: ['InvalidClientTokenId', 403],
  SignatureMismatch: ['SignatureDoesNotMatch', 403],
  RequestTimeTooSkewed: ['SignatureDoesNotMatch', 403],
  PresignExpired: ['ExpiredToken', 403],
  PresignNotYetValid: ['SignatureDoesNotMatch', 403],
  InvalidPresignExpiry: ['AuthorizationQueryParametersError', 400],
  WrongService: ['SignatureDoesNotMatch', 403],
  ContentSha256Mismatch: ['SignatureDoesNotMatch', 403],
  MalformedPresign: ['AuthorizationQueryParametersError', 400],
  HeadersNotSigned: ['SignatureDoesNotMatch', 403],
  InvalidSessionToken: ['InvalidClientTokenId', 403],
  // SigV2 query authentication is S3's only; a Query request never fails this way.
  IncompleteQueryAuth: ['MissingAuthenticationToken', 403],
  InvalidSigV2Date: ['MissingAuthenticationToken', 403],
};

export function authErrorToQuery(err: SigV4Error): ServiceError {
  const [code, status] = AUTH_ERRORS[err.reason];
  const E = defineError(code, status);
  return new E(
    err.reason === 'UnknownAccessKey' || err.reason === 'InactiveAccessKey' || err.reason === 'InvalidSessionToken'
      ? 'The security token included in the request is invalid.'
      : err.message,
  );
}

/** The signing name in the credential scope, read before verification to pick the service. */
function scopeService(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const auth = req.headers.authorization ?? '';
  const cred = /Credential=([^,\s]+)/.exec(auth)?.[1] ?? query.get('X-Amz-Credential') ?? '';
  return cred.split('/')[3];
}

export interface QueryEdgeDeps extends PipelineDeps {
  services: ReadonlyMap<string, QueryService>;
}

export class QueryEdge {
  constructor(private readonly deps: QueryEdgeDeps) {}

  /** Whether the router should send this request here. */
  /** Query-protocol clients post to the endpoint's root; a form posted to a bucket's path is S3's (a POST upload). */
  static accepts(req: IncomingMessage, path: string, query: string): boolean {
    const type = String(req.headers['content-type'] ?? '');
    return (
      (req.method === 'POST' && path === '/' && type.startsWith('application/x-www-form-urlencoded')) || (req.method === 'GET' && /(^|&)Action=/.test(query))
    );
  }

  async handle(req: IncomingMessage, res: ServerResponse, edge: EdgeRequest): Promise<void> {
    const { deps } = this;
    const now = deps.clock();
    const queryParams = new URLSearchParams(edge.query);
    let body: Buffer;
    try {
      body = await readBody(req, MAX_QUERY_BODY);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return this.#error(res, edge, undefined, new RequestEntityTooLarge(), true);
      throw err;
    }
    const params = req.method === 'POST' ? new URLSearchParams(body.toString('utf8')) : queryParams;
    const action = params.get('Action');
    const service = deps.services.get(scopeService(req, queryParams) ?? '') ?? [...deps.services.values()].find((s) => action && s.operations.has(action));
    if (!service) return this.#error(res, edge, undefined, new InvalidAction(`Could not find operation ${action ?? ''}`));
    let who: { principal: Principal; region: string };
    try {
      who = authenticateBuffered(req, edge, body, service.signingName, deps, now);
    } catch (err) {
      if (!(err instanceof SigV4Error)) throw err;
      return this.#error(res, edge, service, authErrorToQuery(err));
    }
    if (!action) return this.#error(res, edge, service, new MissingAction());
    const ctx = requestContext(req, edge, now, who, action);
    const input: Input = {};
    for (const [k, v] of params) if (k !== 'Action' && k !== 'Version') input[k] = v;
    const outcome = await runAudited(
      deps,
      req,
      ctx,
      service,
      service.operations.get(action),
      () => input,
      () => new InvalidAction(`Could not find operation ${action} for version ${params.get('Version') ?? ''}`),
    );
    if (!outcome.ok) return this.#error(res, edge, service, outcome.error);
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${service.xmlNamespace}">` +
      `<${action}Result>${toXml(outcome.output)}</${action}Result>` +
      `<ResponseMetadata><RequestId>${edge.requestId}</RequestId></ResponseMetadata></${action}Response>`;
    send(res, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': edge.requestId, date: httpDate(now) }, xml);
  }

  #error(res: ServerResponse, edge: EdgeRequest, service: QueryService | undefined, err: ServiceError, close = false): void {
    const ns = service?.xmlNamespace ?? 'https://iam.amazonaws.com/doc/2010-05-08/';
    const type = err.status >= 500 ? 'Receiver' : 'Sender';
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${edge.requestId}</RequestId></ErrorResponse>`;
    send(res, err.status, { 'content-type': 'text/xml', 'x-amzn-requestid': edge.requestId, date: httpDate(this.deps.clock()) }, xml, close);
  }
}
