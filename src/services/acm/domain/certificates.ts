// The certificate manager's domain: the per-region issuing CA, issuance, DNS validation, managed renewal,
// expiry, revocation with CRLs, and the listeners that serve certificates (InUseBy, hot swap on renewal).
import { randomUUID } from 'node:crypto';
import { createCrl, createIntermediate, issueLeaf, type KeyAlgorithm, type Signer, x509 } from '../../../pki/issuance.js';
import { pkcs8ToPem } from '../../../pki/x509.js';
import type { Logger } from '../../../server/logger.js';
import type { CertRecord } from '../model.js';
import type { KeySealer } from './key-sealing.js';
import type { AcmStore, CaRecord } from './store.js';
import { type DnsChecker, validationRecord } from './validation.js';

const DAY = 86_400_000;
export const VALIDATION_TIMEOUT_MS = 72 * 3_600_000;

export interface AcmSettings {
  validityMs: number;
  renewBeforeMs: number;
  validationZone: string;
  /** The account that owns Keyhold's issuing CAs (the default account). */
  ownerAccountId: string;
}

/** Told of every renewal; issuance waits for it, so a renewal is complete once listeners have swapped. */
export type RenewedListener = (c: CertRecord) => void | Promise<void>;

const REASONS: Record<string, x509.X509CrlReason> = {
  UNSPECIFIED: x509.X509CrlReason.unspecified,
  KEY_COMPROMISE: x509.X509CrlReason.keyCompromise,
  CA_COMPROMISE: x509.X509CrlReason.cACompromise,
  AFFILIATION_CHANGED: x509.X509CrlReason.affiliationChanged,
  SUPERCEDED: x509.X509CrlReason.superseded,
  SUPERSEDED: x509.X509CrlReason.superseded,
  CESSATION_OF_OPERATION: x509.X509CrlReason.cessationOfOperation,
  CERTIFICATE_HOLD: x509.X509CrlReason.certificateHold,
  REMOVE_FROM_CRL: x509.X509CrlReason.removeFromCRL,
  PRIVILEGE_WITHDRAWN: x509.X509CrlReason.privilegeWithdrawn,
  A_A_COMPROMISE: x509.X509CrlReason.aACompromise,
};

export class Certificates {
  readonly #renewed = new Set<RenewedListener>();
  readonly #issuing = new Map<string, Promise<CertRecord>>();
  readonly #caCache = new Map<string, Signer>();
  readonly #crlCache = new Map<string, Buffer>();
  publicEndpoint = 'https://localhost';

  constructor(
    readonly store: AcmStore,
    private readonly sealer: KeySealer,
    private readonly root: () => Promise<Signer>,
    private readonly dns: DnsChecker,
    readonly validationSecret: Buffer,
    readonly settings: AcmSettings,
    readonly clock: () => number,
    private readonly log: Logger,
  ) {
    // A revocation by another Keyhold process sharing the store: the CRL is rebuilt on next fetch.
    store.kv.changes?.watch(['acm/revoked'], () => this.#crlCache.clear());
  }

  caArn(region: string): string {
    return `arn:aws:acm-pca:${region}:${this.settings.ownerAccountId}:certificate-authority/keyhold-${region}`;
  }

  /** The region's issuing CA's common name (its subject is "CN=<this>, O=Keyhold"). */
  static issuingCaName(region: string): string {
    return `Keyhold Issuing CA ${region}`;
  }

  /**
   * Who will sign a certificate still awaiting validation, as ACM reports it before issuance: the region's
   * issuing CA (EC P-256, so SHA-256 with ECDSA) and the subject issuance gives it.
   */
  pendingFacts(c: { region: string; domainName: string }): { subject: string; issuer: string; signatureAlgorithm: string } {
    return {
      subject: `CN=${c.domainName.slice(0, 64)}`,
      issuer: 'Keyhold',
      signatureAlgorithm: 'SHA256WITHECDSA',
    };
  }

  crlUrl(region: string): string {
    return `${this.publicEndpoint}/acm/crl/${region}.crl`;
  }

  /** The region's issuing intermediate, created (and its key sealed by KMS) on first use. */
  async ca(region: string): Promise<Signer> {
    const hit = this.#caCache.get(region);
    if (hit) return hit;
    let rec: CaRecord | undefined = await this.store.getCa(region);
    if (!rec) {
      const root = await this.root();
      const issued = await createIntermediate(root, Certificates.issuingCaName(region), 5 * 365);
      const candidate: CaRecord = {
        id: `keyhold-${region}`,
        region,
        certPem: issued.certPem,
        accountId: this.settings.ownerAccountId,
        sealedKey: await this.sealer.seal(this.settings.ownerAccountId, region, this.caArn(region), issued.keyPkcs8),
      };
      issued.keyPkcs8.fill(0);
      if (!(await this.store.putCa(candidate))) rec = await this.store.getCa(region);
      else rec = candidate;
    }
    const signer = { certPem: rec!.certPem, keyPkcs8: await this.sealer.open(rec!.accountId, region, this.caArn(region), rec!.sealedKey) };
    this.#caCache.set(region, signer);
    return signer;
  }

  async chainPem(region: string): Promise<string> {
    return (await this.ca(region)).certPem;
  }

  newRecord(p: {
    accountId: string;
    region: string;
    domainName: string;
    sans: string[];
    type: CertRecord['type'];
    keyAlgorithm: CertRecord['keyAlgorithm'];
    options?: CertRecord['options'];
    tags?: CertRecord['tags'];
    idempotencyToken?: string;
    certificateAuthorityArn?: string;
  }): CertRecord {
    const id = randomUUID();
    const names = [...new Set([p.domainName, ...p.sans])];
    return {
      id,
      arn: `arn:aws:acm:${p.region}:${p.accountId}:certificate/${id}`,
      accountId: p.accountId,
      region: p.region,
      domainName: p.domainName,
      sans: names,
      type: p.type,
      // A private certificate is stored pending and becomes ISSUED only with its certificate and sealed key:
      // if issuance fails or the process dies in between, the background tick finishes it (its names are
      // already validated), so a record never claims ISSUED without a certificate.
      status: p.type === 'IMPORTED' ? 'ISSUED' : 'PENDING_VALIDATION',
      keyAlgorithm: p.keyAlgorithm,
      ...(p.type === 'AMAZON_ISSUED' ? { validationMethod: 'DNS' as const } : {}),
      domainValidations:
        p.type === 'IMPORTED'
          ? []
          : names.map((n) => {
              const r = validationRecord(this.validationSecret, p.accountId, n, this.settings.validationZone);
              return {
                domainName: n,
                validationDomain: r.validationDomain,
                status: p.type === 'PRIVATE' ? 'SUCCESS' : 'PENDING_VALIDATION',
                recordName: r.name,
                recordValue: r.value,
              };
            }),
      createdAt: this.clock(),
      exported: false,
      inUseBy: [],
      // An imported certificate was logged (or not) by its issuer: ACM reports DISABLED for it.
      options: p.options ?? {
        CertificateTransparencyLoggingPreference: p.type === 'IMPORTED' ? 'DISABLED' : 'ENABLED',
        Export: p.type === 'PRIVATE' ? 'ENABLED' : 'DISABLED',
      },
      tags: p.tags ?? [],
      ...(p.idempotencyToken ? { idempotencyToken: p.idempotencyToken } : {}),
      ...(p.certificateAuthorityArn ? { certificateAuthorityArn: p.certificateAuthorityArn } : {}),
    };
  }

  /**
   * Issues (or re-issues, keeping the ARN) the certificate from the region's CA. Single-flight per ARN:
   * a request and a background pass that reach the same pending certificate get one issuance.
   */
  issue(c: CertRecord): Promise<CertRecord> {
    const running = this.#issuing.get(c.arn);
    if (running) return running;
    const p = this.#issueNow(c).finally(() => this.#issuing.delete(c.arn));
    this.#issuing.set(c.arn, p);
    return p;
  }

  async #issueNow(c: CertRecord): Promise<CertRecord> {
    const ca = await this.ca(c.region);
    const issued = await issueLeaf(ca, {
      names: c.sans,
      keyAlgorithm: c.keyAlgorithm as KeyAlgorithm,
      validityMs: this.settings.validityMs,
      crlUrl: this.crlUrl(c.region),
      now: new Date(this.clock()),
    });
    const sealedKey = await this.sealer.seal(c.accountId, c.region, c.arn, issued.keyPkcs8);
    issued.keyPkcs8.fill(0);
    const previousSerial = c.certPem ? new x509.X509Certificate(c.certPem).serialNumber : undefined;
    const updated = await this.store.update(c.region, c.accountId, c.id, (r) => {
      r.certPem = issued.certPem;
      r.chainPem = ca.certPem;
      r.sealedKey = sealedKey;
      r.status = 'ISSUED';
      r.issuedAt = this.clock();
      for (const d of r.domainValidations) d.status = 'SUCCESS';
      if (previousSerial) r.renewal = { status: 'SUCCESS', updatedAt: this.clock() };
    });
    if (!updated) throw new Error(`certificate ${c.arn} vanished during issuance`);
    if (previousSerial) {
      await Promise.all(
        [...this.#renewed].map(async (l) => {
          try {
            await l(updated);
          } catch (err) {
            // The new certificate is stored either way; a listener that failed keeps serving the old one.
            this.log.error({ arn: c.arn, err: (err as Error).message }, 'renewal listener failed');
          }
        }),
      );
    }
    return updated;
  }

  /**
   * Issues a private certificate now; should that fail, the request still stands (ACM issues
   * asynchronously): the record stays PENDING_VALIDATION and the next tick() issues it.
   */
  async issueOrDefer(c: CertRecord): Promise<void> {
    await this.issue(c).catch((err: Error) => this.log.error({ arn: c.arn, err: err.message }, 'private certificate issuance deferred to the next pass'));
  }

  /** What a TLS listener needs to serve an issued certificate: leaf + chain PEM and the unsealed key PEM. */
  async servingMaterial(c: CertRecord): Promise<{ certChainPem: string; keyPem: string }> {
    const key = await this.privateKeyPkcs8(c);
    try {
      return { certChainPem: `${c.certPem!.trim()}\n${(c.chainPem ?? '').trim()}\n`, keyPem: pkcs8ToPem(key) };
    } finally {
      key.fill(0);
    }
  }

  privateKeySealer(): KeySealer {
    return this.sealer;
  }

  async privateKeyPkcs8(c: CertRecord): Promise<Buffer> {
    if (!c.sealedKey) throw new Error('no private key');
    return this.sealer.open(c.accountId, c.region, c.arn, c.sealedKey);
  }

  onRenewed(l: RenewedListener): () => void {
    this.#renewed.add(l);
    return () => this.#renewed.delete(l);
  }

  /**
   * Calls `swap` whenever the stored certificate `served` holds a certificate other than the one served:
   * after a renewal in this process (which awaits the swap) or in another process sharing the store (its
   * change feed, cluster mode). Returns the function that stops following.
   */
  follow(served: CertRecord, swap: (c: CertRecord) => Promise<void>): () => void {
    let pem = served.certPem;
    let following = true;
    const check = async (c: CertRecord | undefined) => {
      if (!following || c?.arn !== served.arn || !c.certPem || c.certPem === pem) return;
      await swap(c);
      pem = c.certPem;
    };
    const off = this.onRenewed(check);
    this.store.kv.changes?.watch(['acm/cert'], async () => check(await this.store.get(served.region, served.accountId, served.id)));
    return () => {
      following = false;
      off();
    };
  }

  renewBefore(c: CertRecord): number {
    if (!c.certPem) return this.settings.renewBeforeMs;
    const x = new x509.X509Certificate(c.certPem);
    const lifetime = x.notAfter.getTime() - x.notBefore.getTime();
    return Math.min(this.settings.renewBeforeMs, lifetime / 3);
  }

  eligibleForRenewal(c: CertRecord): boolean {
    return c.type !== 'IMPORTED' && c.status === 'ISSUED' && (c.inUseBy.length > 0 || c.exported || c.type === 'PRIVATE');
  }

  /** Renews now: DNS-validated certificates re-check their records first. */
  async renew(c: CertRecord): Promise<CertRecord> {
    if (c.type === 'AMAZON_ISSUED') {
      const checks = await Promise.all(
        c.domainValidations.map((d) => this.dns.holds({ validationDomain: d.validationDomain, name: d.recordName, value: d.recordValue })),
      );
      if (!checks.every(Boolean)) {
        return (await this.store.update(c.region, c.accountId, c.id, (r) => {
          r.renewal = { status: 'PENDING_VALIDATION', updatedAt: this.clock(), reason: 'DOMAIN_VALIDATION_FAILED' };
        }))!;
      }
    }
    return this.issue(c);
  }

  /** One pass of background work: validation, expiry, timeouts, managed renewal. */
  async tick(): Promise<void> {
    const now = this.clock();
    for (const c of await this.store.all()) {
      try {
        if (c.status === 'PENDING_VALIDATION') {
          if (now - c.createdAt > VALIDATION_TIMEOUT_MS) {
            await this.store.update(c.region, c.accountId, c.id, (r) => {
              r.status = 'VALIDATION_TIMED_OUT';
            });
            continue;
          }
          let all = true;
          for (const d of c.domainValidations) {
            if (d.status === 'SUCCESS') continue;
            const ok = await this.dns.holds({ validationDomain: d.validationDomain, name: d.recordName, value: d.recordValue });
            if (ok) {
              await this.store.update(c.region, c.accountId, c.id, (r) => {
                const x = r.domainValidations.find((y) => y.domainName === d.domainName);
                if (x) x.status = 'SUCCESS';
              });
            } else all = false;
          }
          if (all) {
            // Re-read: a request may have issued it since this pass listed the store.
            const fresh = await this.store.get(c.region, c.accountId, c.id);
            if (fresh?.status === 'PENDING_VALIDATION') await this.issue(fresh);
          }
          continue;
        }
        if (c.status === 'ISSUED' && c.certPem) {
          const notAfter = new x509.X509Certificate(c.certPem).notAfter.getTime();
          if (this.eligibleForRenewal(c) && now >= notAfter - this.renewBefore(c)) await this.renew(c);
          else if (now > notAfter) {
            await this.store.update(c.region, c.accountId, c.id, (r) => {
              r.status = 'EXPIRED';
            });
          }
        }
      } catch (err) {
        this.log.error({ arn: c.arn, err: (err as Error).message }, 'certificate background work failed');
      }
    }
  }

  async revoke(c: CertRecord, reason: string): Promise<CertRecord> {
    const serial = new x509.X509Certificate(c.certPem!).serialNumber;
    await this.store.addRevoked(`keyhold-${c.region}`, serial, this.clock(), reason);
    this.#crlCache.delete(c.region);
    return (await this.store.update(c.region, c.accountId, c.id, (r) => {
      r.status = 'REVOKED';
      r.revokedAt = this.clock();
      r.revocationReason = reason;
    }))!;
  }

  /** The region CA's CRL (DER), regenerated after every revocation. */
  async crl(region: string): Promise<Buffer> {
    const hit = this.#crlCache.get(region);
    if (hit) return hit;
    const ca = await this.ca(region);
    const der = await createCrl(
      ca,
      (await this.store.revoked(`keyhold-${region}`)).map((r) => ({
        serial: r.serial,
        revokedAt: new Date(r.at),
        reason: REASONS[r.reason] ?? x509.X509CrlReason.unspecified,
      })),
      new Date(this.clock()),
      DAY,
    );
    this.#crlCache.set(region, der);
    return der;
  }
}
