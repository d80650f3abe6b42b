// The certificate manager: AWS JSON 1.1, X-Amz-Target "CertificateManager.<Operation>", signing name "acm".
// Issues from Keyhold's CA hierarchy (root -> per-region intermediate), validates by DNS, renews managed
// certificates in the background, serves CRLs at GET /acm/crl/<region>.crl (DER, no authentication).
import { ListenerCertificates } from '../../pki/listener-certs.js';
import type { ServiceDeps } from '../../server/registry.js';
import type { ApiOperation, JsonService } from '../../server/service.js';
import { type AcmDeps, type AcmOperationDef, bindAcmOperation } from './api/common.js';
import {
  addTagsToCertificate,
  deleteCertificate,
  exportCertificate,
  importCertificate,
  putAccountConfiguration,
  removeTagsFromCertificate,
  renewCertificate,
  resendValidationEmail,
  revokeCertificate,
  updateCertificateOptions,
} from './api/changes.js';
import { describeCertificate, getAccountConfiguration, getCertificate, listCertificates, listTagsForCertificate } from './api/reads.js';
import { requestCertificate } from './api/request-certificate.js';
import { Certificates } from './domain/certificates.js';
import { KeySealer } from './domain/key-sealing.js';
import { AcmStore } from './domain/store.js';
import { DnsChecker } from './domain/validation.js';
import type { KmsService } from '../kms/index.js';
import { serviceKmsCallRecorder } from '../kms/service-calls.js';

export const ACM_OPERATIONS: ReadonlyArray<AcmOperationDef> = [
  requestCertificate,
  describeCertificate,
  listCertificates,
  getCertificate,
  exportCertificate,
  importCertificate,
  deleteCertificate,
  renewCertificate,
  revokeCertificate,
  addTagsToCertificate,
  removeTagsFromCertificate,
  listTagsForCertificate,
  getAccountConfiguration,
  putAccountConfiguration,
  updateCertificateOptions,
  resendValidationEmail,
];

export interface AcmService extends JsonService {
  certs: Certificates;
  /** GET /acm/crl/<region>.crl */
  publicGet(path: string): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | undefined>;
}

export async function createAcmService(deps: ServiceDeps): Promise<AcmService> {
  const kms = deps.getService('kms') as KmsService | undefined;
  if (!kms) throw new Error('the certificate manager needs the KMS service (register KMS first)');
  const owner = (await deps.identity.defaultAccountId()) ?? '000000000000';
  const pki = new ListenerCertificates(deps.kv, deps.barrier);
  const certs = new Certificates(
    new AcmStore(deps.kv),
    new KeySealer(kms, serviceKmsCallRecorder(deps.audit, kms, 'acm', false)),
    () => pki.rootCa(),
    new DnsChecker(deps.config.dnsResolver ?? []),
    deps.root.derive('acm-validation-v1'),
    {
      validityMs: deps.config.acmValidity ?? 198 * 86_400_000,
      renewBeforeMs: deps.config.acmRenewBefore ?? 60 * 86_400_000,
      validationZone: deps.config.acmValidationZone ?? 'acm-validations.keyhold.test',
      ownerAccountId: owner,
    },
    deps.clock,
    deps.log,
  );
  const acmDeps: AcmDeps = { certs, authorizer: deps.authorizer };
  const operations = new Map<string, ApiOperation>(ACM_OPERATIONS.map((d) => [d.name, bindAcmOperation(d, acmDeps)]));
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= (async () => {
      await deps.kv.changes?.sync();
      await certs.tick();
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  // Validation, renewal and expiry run in one process of a cluster; the others follow through the store.
  const timer = deps.cluster.runsBackgroundWork ? setInterval(() => void tick(), deps.config.acmValidationInterval ?? 60_000) : undefined;
  timer?.unref();
  return {
    protocol: 'json',
    signingName: 'acm',
    targetPrefix: 'CertificateManager',
    eventSource: 'acm.amazonaws.com',
    operations,
    certs,
    async publicGet(path): Promise<{ status: number; headers: Record<string, string>; body: Buffer } | undefined> {
      const m = /^\/acm\/crl\/([a-z0-9-]+)\.crl$/.exec(path);
      if (!m) return undefined;
      if (!(await certs.store.getCa(m[1]!))) return { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('no CA in this region') };
      return { status: 200, headers: { 'content-type': 'application/pkix-crl', 'cache-control': 'max-age=60' }, body: await certs.crl(m[1]!) };
    },
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
