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
  /** Set when another Keyhold service calls on the principal's behalf (kms:ViaService). */
  viaService?: string;
}
