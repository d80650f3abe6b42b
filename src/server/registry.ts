// The service registry: adding a service is adding a folder under src/services/ and one line here.
import type { Barrier } from '../barrier/barrier.js';
import type { RootKey } from '../barrier/root-key.js';
import type { Authorizer } from '../iam/authorizer.js';
import type { AccessKeyUses } from '../iam/access-key-uses.js';
import type { IdentityStore } from '../iam/identity-store.js';
import { createAcmService } from '../services/acm/index.js';
import { createIamService } from '../services/iam/index.js';
import { createKmsService } from '../services/kms/index.js';
import { createS3Service } from '../services/s3/index.js';
import { createStsService } from '../services/sts/index.js';
import type { BlobStore } from '../storage/blob/interface.js';
import type { KvStore } from '../storage/kv/interface.js';
import type { Logger } from './logger.js';
import type { ServeConfig } from './serve-options.js';
import type { AnyService } from './service.js';
import type { AuditSink } from '../audit/sink.js';
import type { VersionPaging } from '../services/s3/object-pages.js';

export interface ServiceDeps {
  kv: KvStore;
  blobs: BlobStore;
  barrier: Barrier;
  root: RootKey;
  identity: IdentityStore;
  /** When each access key last signed a request (IAM GetAccessKeyLastUsed). */
  accessKeyUses: AccessKeyUses;
  authorizer: Authorizer;
  log: Logger;
  clock: () => number;
  config: ServeConfig;
  audit: AuditSink;
  /**
   * This process's place in a cluster (--workers): background work (schedulers, renewals) runs in one
   * process only, and per-process quotas are the account's quota divided by the number of processes.
   */
  cluster: { runsBackgroundWork: boolean; workers: number };
  /** How long a request or response body may stall before its connection is closed (body-idle.ts). */
  stallMs: number;
  /** S3's paging of a key's versions, when not the default (tests; object-pages.ts). */
  versionPaging?: VersionPaging;
  /** A service registered earlier in SERVICE_FACTORIES, by signing name. */
  getService(signingName: string): AnyService | undefined;
}

export type ServiceFactory = (deps: ServiceDeps) => Promise<AnyService>;

export const SERVICE_FACTORIES: ReadonlyArray<ServiceFactory> = [createKmsService, createIamService, createStsService, createAcmService, createS3Service];
