// Starts Keyhold on a data directory: lock -> unseal the root key -> stores -> identities -> PKI ->
// audit -> services -> listeners. Everything opened here is closed by the returned handle, in reverse.
import { existsSync } from 'node:fs';
import { type IdentityStore, newAccessKeyId, newSecretAccessKey } from '../iam/identity-store.js';
import { AccessKeyUses } from '../iam/access-key-uses.js';
import { join } from 'node:path';
import type { RootKey } from '../barrier/root-key.js';
import { EncryptedJsonlSink } from '../audit/encrypted-jsonl-sink.js';
import type { BlobStore } from '../storage/blob/interface.js';
import type { KvStore } from '../storage/kv/interface.js';
import type { AuditSink } from '../audit/sink.js';
import { Authorizer } from '../iam/authorizer.js';
import { ListenerCertificates } from '../pki/listener-certs.js';
import type { AcmService } from '../services/acm/index.js';
import { JsonEdge } from '../protocol/aws-json.js';
import { QueryEdge } from '../protocol/aws-query.js';
import { writeFileDurable } from '../storage/durable-file.js';
import { attachCertificates } from './attached-certificates.js';
import { adoptDefaultListenerCertificate } from './default-listener-certificate.js';
import { startListeners } from './listeners.js';
import { createLogger, type Logger } from './logger.js';
import { openState } from './open-state.js';
import { recordCleanStop, sweepAfterUncleanStop } from './clean-stop.js';
import { SERVICE_FACTORIES } from './registry.js';
import { STALL_MS } from './body-idle.js';
import { metricsEndpoint } from './metrics/metrics-endpoint.js';
import { createRouter } from './router.js';
import type { ServeConfig } from './serve-options.js';
import type { AnyService, JsonService, QueryService, RestService } from './service.js';
import type { VersionPaging } from '../services/s3/object-pages.js';

export const CREDENTIALS_FILE = 'credentials';
export const CA_FILE = 'ca.pem';
const DEFAULT_TLS_NAMES = ['localhost', '127.0.0.1', '::1'];
const CERT_CHECK_INTERVAL_MS = 12 * 3_600_000;

/** A worker process of `keyhold serve --workers N` (src/cli/serve-cluster.ts). */
export interface ClusterRole {
  /** The leader runs the first start's set-up and all background work; followers only serve. */
  role: 'leader' | 'follower';
  workers: number;
}

export interface StartOptions {
  cluster?: ClusterRole;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  clock?: () => number;
  /** Tests replace the audit sink to exercise failure paths; production always uses the encrypted file. */
  auditSink?: (root: RootKey, dataDir: string) => AuditSink;
  /** Tests wrap the blob store to exercise a full disk; production uses the local-disk store as it is. */
  blobStore?: (store: BlobStore) => BlobStore;
  /** How long a request or response body may stall before its connection is closed (STALL_MS; tests shorten it). */
  stallMs?: number;
  /** Tests wrap the services' metadata store to exercise failed commits; production uses SQLite as it is. */
  kvStore?: (store: KvStore) => KvStore;
  /** How many versions of a key its head record keeps (object-pages.ts); tests make it small to exercise paging. */
  versionPaging?: VersionPaging;
  /** Called once with the generated root secret when no credentials were supplied (the CLI prints it). */
  onGeneratedCredentials?: (c: { accessKeyId: string; secretAccessKey: string; path: string }) => void;
}

export interface Keyhold {
  dataDir: string;
  endpoint: string;
  httpEndpoint?: string;
  port: number;
  caPath: string;
  credentialsPath?: string;
  accountId: string;
  identity: IdentityStore;
  services: ReadonlyMap<string, JsonService>;
  /** Any registered service by signing name (tests and benchmarks read its counters). */
  service(signingName: string): AnyService | undefined;
  /** Re-issues the listener certificate if needed (or when forced) and swaps it in without a restart. */
  refreshListenerCertificate(opts?: { force?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function startKeyhold(config: ServeConfig, opts: StartOptions = {}): Promise<Keyhold> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? Date.now;
  const follower = opts.cluster?.role === 'follower';
  const state = await openState(config.dataDir, env, { create: true, log, lock: opts.cluster === undefined });
  const { dataDir, root, kv, blobs, barrier, identity } = state;
  const cleanups: Array<() => Promise<void> | void> = [() => state.close()];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  // The lock holder records a clean stop last, after every other cleanup has succeeded (cleanups run in
  // reverse), and only when stopped through close(): a start-up that failed half-way records nothing.
  let stopping = false;
  const holdsLock = opts.cluster === undefined;
  if (holdsLock)
    cleanups.push(() => {
      if (stopping) recordCleanStop(dataDir);
    });
  try {
    if (holdsLock) await sweepAfterUncleanStop(dataDir, kv, blobs, log);
    // Each step is idempotent, so a crash anywhere in the first start is repaired by the next start.
    const accountId = (await identity.defaultAccountId()) ?? (await identity.createAccount('default', { makeDefault: true })).accountId;
    let credentialsPath: string | undefined = existsSync(join(dataDir, CREDENTIALS_FILE)) ? join(dataDir, CREDENTIALS_FILE) : undefined;
    if (!follower && (await identity.listAccessKeys(accountId, undefined)).length === 0) {
      const givenId = env.KEYHOLD_ROOT_ACCESS_KEY_ID;
      const givenSecret = env.KEYHOLD_ROOT_SECRET_ACCESS_KEY;
      if (givenId && givenSecret) {
        await identity.createAccessKey(accountId, undefined, { accessKeyId: givenId, secretAccessKey: givenSecret });
      } else {
        const accessKeyId = newAccessKeyId();
        const secretAccessKey = newSecretAccessKey();
        credentialsPath = join(dataDir, CREDENTIALS_FILE);
        // The file is written before the key is committed: a crash in between leaves no key, and the
        // next start generates a new pair, never a key whose secret nobody has.
        writeFileDurable(
          credentialsPath,
          Buffer.from(`[keyhold]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\nregion = ${config.region}\n`),
          0o600,
        );
        await identity.createAccessKey(accountId, undefined, { accessKeyId, secretAccessKey });
        opts.onGeneratedCredentials?.({ accessKeyId, secretAccessKey, path: credentialsPath });
      }
    }

    const pki = new ListenerCertificates(kv, barrier);
    // Virtual-hosted S3 addressing needs *.<base domain> (TLS clients refuse a wildcard over a single label,
    // hence s3.localhost rather than localhost).
    const s3Names = (config.s3BaseDomain ?? ['s3.localhost']).flatMap((d) => [d, `*.${d}`]);
    const tlsNames = [...DEFAULT_TLS_NAMES, ...config.tlsName, ...s3Names];
    const material = await pki.ensure(tlsNames, new Date(clock()));
    const caPath = join(dataDir, CA_FILE);
    if (!follower) writeFileDurable(caPath, Buffer.from(material.caPem), 0o644);

    const sink = opts.auditSink ? opts.auditSink(root, dataDir) : new EncryptedJsonlSink(root.derive('audit-v1'), { dir: join(dataDir, 'audit') });
    cleanups.push(() => sink.close());
    // Every audited request notes the access key that signed it (IAM's GetAccessKeyLastUsed).
    const accessKeyUses = new AccessKeyUses(kv, log, async (id) => (await identity.getAccessKey(id)) !== undefined);
    cleanups.push(() => accessKeyUses.close());
    const metrics = config.metricsTokenFile ? metricsEndpoint(config.metricsTokenFile) : undefined;
    if (metrics) cleanups.push(() => metrics.close());
    const audit = metrics ? metrics.observing(accessKeyUses.observing(sink)) : accessKeyUses.observing(sink);

    const authorizer = new Authorizer(identity);
    const bySigningName = new Map<string, AnyService>();
    const cluster = { runsBackgroundWork: !follower, workers: opts.cluster?.workers ?? 1 };
    const deps = {
      stallMs: opts.stallMs ?? STALL_MS,
      ...(opts.versionPaging ? { versionPaging: opts.versionPaging } : {}),
      kv: opts.kvStore ? opts.kvStore(kv) : kv,
      blobs: opts.blobStore ? opts.blobStore(blobs) : blobs,
      barrier,
      root,
      identity,
      accessKeyUses,
      authorizer,
      log,
      clock,
      config,
      audit,
      cluster,
      getService: (n: string) => bySigningName.get(n),
    };
    const services = new Map<string, JsonService>();
    const queryServices = new Map<string, QueryService>();
    let rest: RestService | undefined;
    for (const factory of SERVICE_FACTORIES) {
      const svc = await factory(deps);
      bySigningName.set(svc.signingName, svc);
      if (svc.protocol === 'json') services.set(svc.targetPrefix, svc);
      else if (svc.protocol === 'query') queryServices.set(svc.signingName, svc);
      else rest = svc;
      cleanups.push(() => svc.close?.());
    }

    let ready = false;
    const json = new JsonEdge({ services, lookup: identity.lookup, audit, clock, log });
    const query = new QueryEdge({ services: queryServices, lookup: identity.lookup, audit, clock, log });
    const acm = bySigningName.get('acm') as AcmService | undefined;
    const route = createRouter({
      json,
      query,
      rest,
      log,
      ...(opts.stallMs !== undefined ? { stallMs: opts.stallMs } : {}),
      isReady: () => ready,
      ...(metrics ? { metrics } : {}),
      // Only a cluster has other writers to catch up with; the check is a SQLite read per request
      // (about 5% of a KMS Encrypt in the profile), so a lone process skips it.
      ...(opts.cluster ? { syncState: () => kv.changes.sync() } : {}),
      ...(acm ? { publicGet: (p: string) => acm.publicGet(p) } : {}),
    });
    const listeners = await startListeners(route, material, { host: config.host, port: config.port, httpPort: config.httpPort });
    cleanups.push(() => listeners.close());
    if (listeners.httpPort !== undefined) {
      log.warn({ port: listeners.httpPort }, 'plain-HTTP listener enabled: requests and responses on it are not encrypted in transit');
    }

    const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host === '127.0.0.1' ? 'localhost' : config.host;
    if (acm) acm.certs.publicEndpoint = `https://${hostForUrl}:${listeners.httpsPort}`;
    const listenerId = (region: string, acct: string) => `arn:aws:keyhold:${region}:${acct}:listener/${config.host}:${listeners.httpsPort}`;
    const attached = await attachCertificates({
      acm,
      arns: config.tlsCertificate ?? [],
      listeners,
      listenerId: (rec) => listenerId(rec.region, rec.accountId),
      follower,
      log,
    });
    cleanups.push(() => attached.close());

    // The default certificate comes from the certificate manager when it is built in (issue #6); the
    // bootstrap certificate, renewed by its own timer, remains only as the fallback without it.
    const defaultCert = acm
      ? await adoptDefaultListenerCertificate({
          acm,
          accountId,
          region: config.region,
          names: tlsNames,
          listenerId: listenerId(config.region, accountId),
          listeners,
          follower,
          log,
        }).catch((e: Error) => {
          // Serving stays up on the bootstrap certificate rather than refusing to start.
          log.error({ err: e.message }, 'default listener certificate could not be adopted from the certificate manager');
          return undefined;
        })
      : undefined;
    if (defaultCert) cleanups.push(() => defaultCert.close());
    let currentSerial = material.serial;
    const refreshBootstrapCertificate = async (o: { force?: boolean } = {}) => {
      const m = await pki.ensure(tlsNames, new Date(clock()), o.force);
      if (m.serial !== currentSerial) {
        listeners.setCertificate(m.certPem, m.keyPem);
        currentSerial = m.serial;
        log.info({ serial: m.serial, notAfter: m.notAfter.toISOString() }, 'listener certificate renewed');
      }
      return m.serial;
    };
    const refreshListenerCertificate = defaultCert ? (o: { force?: boolean } = {}) => defaultCert.refresh(o) : refreshBootstrapCertificate;
    if (!defaultCert && !follower) {
      const timer = setInterval(
        () => void refreshBootstrapCertificate().catch((e: Error) => log.error({ err: e.message }, 'certificate renewal failed')),
        CERT_CHECK_INTERVAL_MS,
      );
      timer.unref();
      cleanups.push(() => clearInterval(timer));
    }

    ready = true;
    return {
      dataDir,
      endpoint: `https://${hostForUrl}:${listeners.httpsPort}`,
      httpEndpoint: listeners.httpPort !== undefined ? `http://${hostForUrl}:${listeners.httpPort}` : undefined,
      port: listeners.httpsPort,
      caPath,
      credentialsPath,
      accountId,
      identity,
      services,
      service: (n) => bySigningName.get(n),
      refreshListenerCertificate,
      async close() {
        ready = false;
        stopping = true;
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
}
