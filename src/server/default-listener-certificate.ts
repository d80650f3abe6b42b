// Keyhold's own default listener certificate as a certificate-manager certificate (issue #6): a private
// certificate of the default account's home region, issued by that region's CA (under the root in
// DIR/ca.pem), tagged `keyhold:listener=default`, listed like any other, InUseBy this listener, renewed
// by the managed-renewal loop and hot-swapped into the listener (setSecureContext keeps open connections).
// The barrier-sealed bootstrap certificate (pki/listener-certs) serves only until this is installed, and
// always when the certificate manager is not built in. In a cluster (--workers) the leader adopts, issues
// and renews; followers install the leader's certificate and follow its renewals through the store's
// change feed, as every process does for renewals made by another.
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { AcmService } from '../services/acm/index.js';
import type { CertRecord } from '../services/acm/model.js';
import type { Listeners } from './listeners.js';

export const LISTENER_TAG = { Key: 'keyhold:listener', Value: 'default' } as const;

const isListenerCert = (c: CertRecord) => c.tags.some((t) => t.Key === LISTENER_TAG.Key && t.Value === LISTENER_TAG.Value);
const sameNames = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort());

export interface DefaultListenerCertificate {
  arn: string;
  /** Renews now when `force`; returns the serial served to new handshakes (Node's uppercase hex). */
  refresh(o?: { force?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function adoptDefaultListenerCertificate(p: {
  acm: AcmService;
  accountId: string;
  region: string;
  names: ReadonlyArray<string>;
  listenerId: string;
  listeners: Listeners;
  log: Logger;
  follower?: boolean;
}): Promise<DefaultListenerCertificate | undefined> {
  const { certs } = p.acm;
  const mine = (await certs.store.list(p.region, p.accountId)).filter(isListenerCert);
  let current = mine.find((c) => c.status === 'ISSUED' && c.certPem && sameNames(c.sans, p.names));
  if (p.follower && !current) return undefined;
  // Certificates for names no longer configured are Keyhold's own, so they go rather than renew forever.
  if (!p.follower) for (const old of mine) if (old !== current) await certs.store.delete(old);
  if (!current) {
    const domainName = p.names.find((n) => !n.includes(':') && !/^\d+\.\d+\.\d+\.\d+$/.test(n)) ?? 'localhost';
    const rec = certs.newRecord({
      accountId: p.accountId,
      region: p.region,
      domainName,
      sans: [...p.names],
      type: 'PRIVATE',
      keyAlgorithm: 'EC_prime256v1',
      options: { CertificateTransparencyLoggingPreference: 'DISABLED', Export: 'DISABLED' },
      tags: [{ ...LISTENER_TAG }],
      certificateAuthorityArn: certs.caArn(p.region),
    });
    await certs.store.put(rec, true);
    current = await certs.issue(rec);
    p.log.info({ arn: current.arn }, 'default listener certificate issued by the certificate manager');
  }
  // Only this listener uses it; a listener id left behind by a crash is dropped here.
  if (!p.follower) {
    current = (await certs.store.update(p.region, p.accountId, current.id, (r) => {
      r.inUseBy = [p.listenerId];
    }))!;
  }
  let serial = '';
  const install = async (c: CertRecord) => {
    const m = await certs.servingMaterial(c);
    p.listeners.setCertificate(m.certChainPem, m.keyPem);
    serial = new X509Certificate(c.certPem!).serialNumber;
  };
  await install(current);
  const arn = current.arn;
  // Every renewal (managed, RenewCertificate or refresh below, here or in another worker) is swapped in.
  const off = certs.follow(current, async (c) => {
    await install(c);
    p.log.info({ arn, serial }, 'default listener certificate renewed and swapped in');
  });
  return {
    arn,
    async refresh(o = {}) {
      const rec = await certs.store.get(p.region, p.accountId, current.id);
      if (o.force && rec) await certs.renew(rec);
      return serial;
    },
    async close() {
      off();
      if (p.follower) return;
      await certs.store.update(p.region, p.accountId, current.id, (r) => {
        r.inUseBy = r.inUseBy.filter((x) => x !== p.listenerId);
      });
    },
  };
}
