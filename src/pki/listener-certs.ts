// Keyhold's own PKI for its listeners: a root CA made at first start, and a listener certificate for
// localhost, 127.0.0.1, ::1 and every --tls-name. Private keys are stored only sealed by the barrier.
// The listener certificate is re-issued when the configured names change or it nears expiry; the
// server swaps it in without a restart (tls.Server#setSecureContext).
import type { Barrier } from '../barrier/barrier.js';
import type { KvStore } from '../storage/kv/interface.js';
import { certNotAfter, createRootCa, issueServerCert, pkcs8ToPem } from './x509.js';

const NS = 'pki/listener';
const CA_VALIDITY_DAYS = 3650;
export const LISTENER_VALIDITY_DAYS = 90;
const RENEW_BEFORE_DAYS = 30;

interface StoredCert {
  certPem: string;
  sealedKey: string;
  names?: string[];
  serial: string;
}

export interface ListenerMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
  serial: string;
  notAfter: Date;
}

export class ListenerCertificates {
  constructor(
    private readonly kv: KvStore,
    private readonly barrier: Barrier,
  ) {}

  async #load(id: string): Promise<{ rec: StoredCert; version: number; key: Buffer } | undefined> {
    const e = await this.kv.get(NS, id);
    if (!e) return undefined;
    const rec = JSON.parse(e.value.toString()) as StoredCert;
    const key = this.barrier.open({ namespace: NS, id, version: e.version }, Buffer.from(rec.sealedKey, 'base64'));
    return { rec, version: e.version, key };
  }

  async #store(id: string, rec: Omit<StoredCert, 'sealedKey'>, key: Buffer, currentVersion: number): Promise<void> {
    const sealedKey = this.barrier.seal({ namespace: NS, id, version: currentVersion + 1 }, key).toString('base64');
    await this.kv.commit([{ type: 'put', namespace: NS, key: id, value: Buffer.from(JSON.stringify({ ...rec, sealedKey })), expectVersion: currentVersion }]);
  }

  async rootCa(): Promise<{ certPem: string; keyPkcs8: Buffer }> {
    const existing = await this.#load('root-ca');
    if (existing) return { certPem: existing.rec.certPem, keyPkcs8: existing.key };
    const ca = await createRootCa('Keyhold Root CA', CA_VALIDITY_DAYS);
    await this.#store('root-ca', { certPem: ca.certPem, serial: ca.serial }, ca.keyPkcs8, 0);
    return ca;
  }

  /** The current listener material, issuing a new certificate if needed. */
  async ensure(names: ReadonlyArray<string>, now = new Date(), force = false): Promise<ListenerMaterial> {
    const ca = await this.rootCa();
    const wanted = [...new Set(names)].sort();
    const current = await this.#load('listener');
    const fresh =
      !force &&
      current &&
      JSON.stringify(current.rec.names) === JSON.stringify(wanted) &&
      certNotAfter(current.rec.certPem).getTime() - now.getTime() > RENEW_BEFORE_DAYS * 86_400_000;
    if (current && fresh) {
      return {
        caPem: ca.certPem,
        certPem: current.rec.certPem,
        keyPem: pkcs8ToPem(current.key),
        serial: current.rec.serial,
        notAfter: certNotAfter(current.rec.certPem),
      };
    }
    const issued = await issueServerCert(ca, wanted, LISTENER_VALIDITY_DAYS, now);
    await this.#store('listener', { certPem: issued.certPem, names: wanted, serial: issued.serial }, issued.keyPkcs8, current?.version ?? 0);
    return { caPem: ca.certPem, certPem: issued.certPem, keyPem: pkcs8ToPem(issued.keyPkcs8), serial: issued.serial, notAfter: issued.notAfter };
  }
}
