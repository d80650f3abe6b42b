// The S3 service: REST-XML, signing name "s3", path-style and virtual-hosted-style addressing
// (<bucket>.<base domain>). Objects are always encrypted at rest (SSE-S3 by default, SSE-KMS through the
// KMS service as the requester, or SSE-C); bucket policies go through the shared authorization engine.
import type { ServiceDeps } from '../../server/registry.js';
import type { RestService } from '../../server/service.js';
import type { KmsService } from '../kms/index.js';
import { serviceKmsCallRecorder } from '../kms/service-calls.js';
import { S3Edge } from './edge.js';
import { type LifecycleReport, runLifecycle } from './lifecycle/sweeper.js';
import type { S3Deps } from './request.js';
import { KmsBridge } from './sse/kms-bridge.js';
import { MasterKeys } from './sse/master-keys.js';
import { ObjectKeys } from './sse/object-keys.js';
import { S3Store } from './store.js';
import { LeasedBlobStore } from './blob-leases.js';
import { SharedReadLeases } from './shared-read-leases.js';

export interface S3Service extends RestService {
  s3: S3Deps;
  /** Carries out every bucket's lifecycle rules now (the background timer calls it; tests too, with a clock). */
  runLifecycle(): Promise<LifecycleReport>;
}

/**
 * How long a cluster worker waits before it unlinks the blobs of a replaced or deleted version: a read that began
 * before the change, in another worker, has opened its first blob by then, and a read of several blobs has
 * recorded them in the shared leases, which hold them as long as the read goes on.
 */
const CLUSTER_DELETE_GRACE_MS = 60_000;

export async function createS3Service(deps: ServiceDeps): Promise<S3Service> {
  const kmsService = deps.getService('kms') as KmsService | undefined;
  if (!kmsService) throw new Error('the S3 service needs the KMS service (register KMS first)');
  const kms = new KmsBridge(kmsService, deps.clock, serviceKmsCallRecorder(deps.audit, kmsService, 's3', true));
  const s3: S3Deps = {
    store: new S3Store(deps.kv, deps.versionPaging),
    // Cluster workers cannot see each other's leases: there deletes also wait out a grace period, and reads of
    // several blobs are recorded where every worker can see them (blob-leases.ts, shared-read-leases.ts).
    blobs: new LeasedBlobStore(deps.blobs, deps.cluster.workers > 1 ? { deleteDelayMs: CLUSTER_DELETE_GRACE_MS, shared: new SharedReadLeases(deps.kv) } : {}),
    keys: new ObjectKeys(new MasterKeys(deps.kv, deps.barrier, deps.clock), kms),
    kms,
    authorizer: deps.authorizer,
    clock: deps.clock,
    legacyDefaults: deps.config.s3LegacyDefaults === true,
    virtualHostDomain: (deps.config.s3BaseDomain ?? ['s3.localhost'])[0],
  };
  const edge = new S3Edge({
    s3,
    lookup: deps.identity.lookup,
    audit: deps.audit,
    log: deps.log,
    clock: deps.clock,
    baseDomains: deps.config.s3BaseDomain ?? ['s3.localhost'],
    stallMs: deps.stallMs,
  });
  // Lifecycle rules run in one process of a cluster, one sweep at a time; a failed sweep is logged and retried
  // at the next tick (every change it makes is a compare-and-swap, so a partial sweep is safe).
  let sweeping: Promise<LifecycleReport> | undefined;
  const runLifecycleNow = () => {
    sweeping ??= (async () => {
      await deps.kv.changes?.sync();
      return runLifecycle(s3, deps.clock());
    })().finally(() => {
      sweeping = undefined;
    });
    return sweeping;
  };
  const timer = deps.cluster.runsBackgroundWork
    ? setInterval(
        () =>
          void runLifecycleNow().then(
            (r) => (r.expired || r.versionsRemoved || r.uploadsAborted || r.transitioned ? deps.log.info({ ...r }, 's3 lifecycle sweep') : undefined),
            (err: Error) => deps.log.error({ err: err.message }, 's3 lifecycle sweep failed'),
          ),
        deps.config.s3LifecycleInterval ?? 3_600_000,
      )
    : undefined;
  timer?.unref();
  return {
    protocol: 'rest-xml',
    signingName: 's3',
    s3,
    handle: (req, res, e) => edge.handle(req, res, e),
    runLifecycle: runLifecycleNow,
    async close() {
      clearInterval(timer);
      await sweeping?.catch(() => undefined);
      await s3.blobs.flushDelayedDeletes();
    },
  };
}
