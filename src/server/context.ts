// The per-request context handed to every operation: who, where, when, and how the request arrived.
import type { Principal } from '../iam/principal.js';

export interface RequestContext {
  requestId: string;
  /** Milliseconds since the epoch, read once per request. */
  now: number;
  /** The region from the SigV4 credential scope: every region is served, each isolated by it. */
  region: string;
  principal: Principal;
  sourceIp: string;
  userAgent: string;
  secureTransport: boolean;
  /** The operation name from the service's registration table (e.g. "Decrypt"). */
  operation: string;
  /** Set when another Keyhold service calls on the principal's behalf (kms:ViaService). */
  viaService?: string;
  /** Service-specific condition keys of this request (lower-cased names), filled by the service. */
  conditionKeys?: Map<string, ReadonlyArray<string>>;
  /** The resource the request was found to name (a KMS key), for the audit record even of a refused request. */
  resolvedArn?: string;
}
