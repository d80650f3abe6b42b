// When each access key was last used, for IAM's GetAccessKeyLastUsed
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html): the time, service and
// Region of the latest request the key signed. What an administrator looks at before deactivating a key that
// may be forgotten, or one that leaked.
//
// Uses are read from the audit records as they are written, so every authenticated request counts once, whatever
// its service and whether it was allowed, and nothing is added to a service's request path but one Map.set. Calls a
// service makes on a requester's behalf (invokedBy, such as S3's calls to KMS) are not uses of the key, and neither
// are requests whose signature failed. Written behind the requests (src/storage/last-uses.ts).
import type { AuditEvent } from '../audit/event.js';
import type { AuditSink } from '../audit/sink.js';
import type { Logger } from '../server/logger.js';
import type { KvStore } from '../storage/kv/interface.js';
import { LastUses } from '../storage/last-uses.js';

export const NS_ACCESS_KEY_USE = 'iam/access-key-use';

export interface AccessKeyUse {
  /** Epoch milliseconds. */
  at: number;
  /** The service's name as IAM reports it: the endpoint prefix (kms, s3, iam, sts, acm). */
  service: string;
  region: string;
}

export class AccessKeyUses {
  readonly #uses: LastUses<AccessKeyUse>;

  constructor(kv: KvStore, log: Logger, keyExists: (accessKeyId: string) => Promise<boolean>) {
    this.#uses = new LastUses<AccessKeyUse>(kv, NS_ACCESS_KEY_USE, log, keyExists);
  }

  /** Notes the use of the access key that signed the request an audit record describes. */
  noteEvent(event: AuditEvent): void {
    const who = event.userIdentity;
    const id = who.accessKeyId;
    if (typeof id !== 'string' || who.invokedBy !== undefined || who.type === 'Unknown') return;
    const dot = event.eventSource.indexOf('.');
    this.#uses.note(id, { at: Date.parse(event.eventTime), service: dot > 0 ? event.eventSource.slice(0, dot) : event.eventSource, region: event.awsRegion });
  }

  lastUse(accessKeyId: string): Promise<AccessKeyUse | undefined> {
    return this.#uses.lastUse(accessKeyId);
  }

  close(): Promise<void> {
    return this.#uses.close();
  }

  /** An audit sink that notes each record's access key use, then writes the record to `inner`. */
  observing(inner: AuditSink): AuditSink {
    return {
      write: (event) => {
        this.noteEvent(event);
        return inner.write(event);
      },
      get healthy() {
        return inner.healthy;
      },
      close: () => inner.close(),
    };
  }
}
