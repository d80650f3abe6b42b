// Certificate-manager certificates served by SNI on the listener (--tls-certificate ARN, issue #6): each
// is installed at start, shown in its InUseBy, and swapped in when it is renewed: by this process
// (onRenewed, before the renewal returns) or by another process of a cluster sharing the store (its
// change feed). Followers of a cluster serve the certificates but leave InUseBy to the leader.
import type { AcmService } from '../services/acm/index.js';
import { type CertRecord, parseCertificateArn } from '../services/acm/model.js';
import type { Listeners } from './listeners.js';
import type { Logger } from './logger.js';

export interface AttachedCertificates {
  close(): Promise<void>;
}

export async function attachCertificates(p: {
  acm: AcmService | undefined;
  arns: ReadonlyArray<string>;
  listeners: Listeners;
  listenerId: (rec: CertRecord) => string;
  follower: boolean;
  log: Logger;
}): Promise<AttachedCertificates> {
  const { acm } = p;
  const served: Array<{ rec: CertRecord; stop: () => void }> = [];
  const serve = async (c: CertRecord) => {
    const m = await acm!.certs.servingMaterial(c);
    p.listeners.setSniCertificate(c.arn, c.sans, m.certChainPem, m.keyPem);
  };
  for (const arn of p.arns) {
    const a = parseCertificateArn(arn);
    const rec = a && acm ? await acm.certs.store.get(a.region, a.accountId, a.id) : undefined;
    if (rec?.status !== 'ISSUED' || !rec.certPem) throw new Error(`--tls-certificate ${arn}: not an issued certificate in this data directory`);
    await serve(rec);
    if (!p.follower) {
      await acm!.certs.store.update(rec.region, rec.accountId, rec.id, (r) => {
        r.inUseBy = [...new Set([...r.inUseBy, p.listenerId(rec)])];
      });
    }
    const stop = acm!.certs.follow(rec, async (c) => {
      await serve(c);
      p.log.info({ arn: c.arn }, 'served certificate renewed and swapped in');
    });
    served.push({ rec, stop });
  }
  return {
    async close() {
      for (const { rec, stop } of served) {
        stop();
        if (p.follower) continue;
        await acm!.certs.store.update(rec.region, rec.accountId, rec.id, (r) => {
          r.inUseBy = r.inUseBy.filter((x) => x !== p.listenerId(rec));
        });
      }
    },
  };
}
