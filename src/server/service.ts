// What a service registers: its wire identity and one entry per operation. Authorization, audit,
// quotas and metrics all key on the operation name in this table (DESIGN.md habit 2).
import type { Input } from '../protocol/fields.js';
import type { RequestContext } from './context.js';

export interface AuditProjection {
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: Array<{ accountId: string; type: string; ARN: string }>;
}

export interface JsonOperation {
  readOnly: boolean;
  handler(ctx: RequestContext, input: Input): Promise<Record<string, unknown>> | Record<string, unknown>;
  /** What CloudTrail records for this call, with secrets and plaintexts removed. */
  audit(ctx: RequestContext, input: Input, output: Record<string, unknown> | undefined): AuditProjection;
}

export interface JsonService {
  /** SigV4 signing name, e.g. "kms". */
  signingName: string;
  /** X-Amz-Target prefix, e.g. "TrentService". */
  targetPrefix: string;
  /** CloudTrail eventSource, e.g. "kms.amazonaws.com". */
  eventSource: string;
  operations: ReadonlyMap<string, JsonOperation>;
  /** Request quotas, checked after authentication and before the handler. */
  checkQuota?(ctx: RequestContext, operation: string): void;
  close?(): Promise<void>;
}
