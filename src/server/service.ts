// What a service registers: its wire identity and one entry per operation. Authorization, audit,
// quotas and metrics all key on the operation name in this table (DESIGN.md habit 2).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Input } from '../protocol/fields.js';
import type { AuditEvent } from '../audit/event.js';
import type { RequestContext } from './context.js';

export interface AuditProjection {
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  /** CloudTrail's object resources carry no accountId; their bucket's entry does. */
  resources?: Array<{ accountId?: string; type: string; ARN: string }>;
  /** Service-specific facts CloudTrail records beside the request (S3: bytes transferred, SSEApplied, ...). */
  additionalEventData?: Record<string, unknown>;
}

export interface ApiOperation {
  readOnly: boolean;
  handler(ctx: RequestContext, input: Input): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** What CloudTrail records for this call, with secrets and plaintexts removed. */
  audit(ctx: RequestContext, input: Input, output: Record<string, unknown> | undefined): AuditProjection;
}

interface ServiceBase {
  /** SigV4 signing name, e.g. "kms". */
  signingName: string;
  /** CloudTrail eventSource, e.g. "kms.amazonaws.com". */
  eventSource: string;
  operations: ReadonlyMap<string, ApiOperation>;
  /** Request quotas, checked after authentication and before the handler. */
  checkQuota?(ctx: RequestContext, operation: string): void;
  /** Called for a successful call once its audit record is durable (KMS: the key's last use). */
  recorded?(ctx: RequestContext, output: Record<string, unknown>, event: AuditEvent): void;
  close?(): Promise<void>;
}

/** AWS JSON 1.1: POST / with X-Amz-Target "<targetPrefix>.<Operation>". */
export interface JsonService extends ServiceBase {
  protocol: 'json';
  targetPrefix: string;
}

/** AWS Query: form-encoded Action=<Operation>, XML responses in `xmlNamespace`. */
export interface QueryService extends ServiceBase {
  protocol: 'query';
  xmlNamespace: string;
}

/** REST protocols with their own edge (S3): the service handles the raw request. */
export interface RestService {
  protocol: 'rest-xml';
  signingName: string;
  handle(req: IncomingMessage, res: ServerResponse, edge: { requestId: string; path: string; query: string; secure: boolean }): Promise<void>;
  close?(): Promise<void>;
}

export type ApiService = JsonService | QueryService;
export type AnyService = ApiService | RestService;
/** @deprecated name kept for the KMS service files; use ApiOperation. */
export type JsonOperation = ApiOperation;
