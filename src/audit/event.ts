// CloudTrail-shaped audit records (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
// Secrets never enter a record: services supply a projection of their request and response, and
// redactSecrets() strips any member whose name marks it as secret as a second line of defence.
import type { Principal } from '../iam/principal.js';
import { perSecond } from '../server/per-second.js';

export interface AuditEvent {
  eventVersion: '1.09';
  userIdentity: Record<string, unknown>;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: Array<{ accountId?: string; type: string; ARN: string }>;
  eventType: 'AwsApiCall';
  managementEvent: boolean;
  recipientAccountId?: string;
  eventCategory: 'Management' | 'Data';
  tlsDetails?: { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };
}

const SECRET_MEMBER = /^(plaintext|ciphertextblob|secretaccesskey|privatekey|passphrase|sse-?customer-?key|password|keymaterial|rootkey)$/i;

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_MEMBER.test(k)) continue;
      out[k] = redactSecrets(v);
    }
    return out;
  }
  if (Buffer.isBuffer(value)) return undefined;
  return value;
}

export function userIdentityOf(p: Principal | undefined, accessKeyId?: string): Record<string, unknown> {
  if (!p) return { type: 'Unknown', ...(accessKeyId ? { accessKeyId } : {}) };
  // CloudTrail's record of an unsigned S3 request.
  if (p.type === 'Anonymous') return { type: 'AWSAccount', principalId: '', accountId: 'anonymous' };
  return {
    type: p.type,
    principalId: p.principalId,
    arn: p.arn,
    accountId: p.accountId,
    accessKeyId: p.accessKeyId,
    ...(p.userName ? { userName: p.userName } : {}),
  };
}

/** CloudTrail's eventTime: ISO 8601 with second precision. */
export const cloudTrailTime = perSecond((ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
