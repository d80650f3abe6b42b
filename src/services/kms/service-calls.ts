// KMS calls another Keyhold service makes — S3 for SSE-KMS objects, ACM for the private keys it keeps — are
// CloudTrail events of their own with `invokedBy` naming that service, as AWS records them
// (https://docs.aws.amazon.com/kms/latest/developerguide/ct-decrypt.html), and a successful one is a use of
// its key (GetKeyLastUsage). The record is written before the calling service goes on (fail closed).
import { buildEvent } from '../../protocol/pipeline.js';
import type { AuditSink } from '../../audit/sink.js';
import { ServiceError } from '../../protocol/errors.js';
import type { RequestContext } from '../../server/context.js';
import type { KmsService } from './index.js';

export type ServiceKmsCallRecorder = (
  ctx: RequestContext,
  operation: string,
  params: Record<string, unknown>,
  outcome: { keyArn: string } | { error: ServiceError },
) => Promise<void>;

/**
 * `onBehalfOf`: the call is made for the requester (S3: their identity, with invokedBy); otherwise the service
 * acts on its own (ACM sealing and renewing keys: userIdentity type AWSService).
 */
export function serviceKmsCallRecorder(audit: AuditSink, kms: KmsService, service: 's3' | 'acm', onBehalfOf: boolean): ServiceKmsCallRecorder {
  const invokedBy = `${service}.amazonaws.com`;
  return async (ctx, operation, params, outcome) => {
    const error = 'error' in outcome ? outcome.error : undefined;
    const event = buildEvent({ ...ctx, operation }, 'kms.amazonaws.com', true, { requestParameters: params, responseElements: null }, error, undefined);
    event.userIdentity = onBehalfOf ? { ...event.userIdentity, invokedBy } : { type: 'AWSService', invokedBy };
    event.userAgent = invokedBy;
    if (!onBehalfOf) event.sourceIPAddress = invokedBy;
    await audit.write(event);
    if ('keyArn' in outcome) kms.usage.note(outcome.keyArn, { operation, at: ctx.now, eventId: event.eventID, requestId: event.requestID });
  };
}

/**
 * Runs one such call and records it — its refusal too — before its result may be used. A result whose record
 * could not be written is never used: a data key in it is wiped before the failure is passed on.
 */
export async function recordedCall<T extends { plaintext?: Buffer }>(
  record: ServiceKmsCallRecorder | undefined,
  ctx: RequestContext,
  operation: string,
  params: Record<string, unknown>,
  call: () => Promise<T>,
  keyArnOf: (out: T) => string,
): Promise<T> {
  let out: T;
  try {
    out = await call();
  } catch (err) {
    if (err instanceof ServiceError) await record?.(ctx, operation, params, { error: err });
    throw err;
  }
  try {
    await record?.(ctx, operation, params, { keyArn: keyArnOf(out) });
  } catch (err) {
    out.plaintext?.fill(0);
    throw err;
  }
  return out;
}
