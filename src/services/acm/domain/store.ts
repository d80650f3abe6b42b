// Persistence of certificates (acm/cert), issuing CAs (acm/ca, keys sealed by KMS), revocations
// (acm/revoked <caId>/<serial>) and account configuration (acm/account).
import { KvConflictError, type KvStore } from '../../../storage/kv/interface.js';
import type { CertRecord, SealedPrivateKey } from '../model.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

export interface CaRecord {
  id: string;
  region: string;
  certPem: string;
  sealedKey: SealedPrivateKey;
  /** Account whose alias/aws/acm key seals the CA key. */
  accountId: string;
}

export class AcmStore {
  constructor(readonly kv: KvStore) {}

  async get(region: string, accountId: string, id: string): Promise<CertRecord | undefined> {
    const e = await this.kv.get('acm/cert', `${region}/${accountId}/${id}`);
    return e ? (JSON.parse(e.value.toString()) as CertRecord) : undefined;
  }

  async put(c: CertRecord, mustBeNew = false): Promise<void> {
    await this.kv.commit([
      { type: 'put', namespace: 'acm/cert', key: `${c.region}/${c.accountId}/${c.id}`, value: json(c), ...(mustBeNew ? { expectVersion: 0 } : {}) },
    ]);
  }

  async update(region: string, accountId: string, id: string, mutate: (c: CertRecord) => void): Promise<CertRecord | undefined> {
    for (;;) {
      const e = await this.kv.get('acm/cert', `${region}/${accountId}/${id}`);
      if (!e) return undefined;
      const c = JSON.parse(e.value.toString()) as CertRecord;
      mutate(c);
      try {
        await this.kv.commit([{ type: 'put', namespace: 'acm/cert', key: e.key, value: json(c), expectVersion: e.version }]);
        return c;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
  }

  async delete(c: CertRecord): Promise<void> {
    await this.kv.commit([{ type: 'delete', namespace: 'acm/cert', key: `${c.region}/${c.accountId}/${c.id}` }]);
  }

  async list(region: string, accountId: string): Promise<CertRecord[]> {
    return (await this.kv.list('acm/cert', { prefix: `${region}/${accountId}/` })).map((e) => JSON.parse(e.value.toString()) as CertRecord);
  }

  async all(): Promise<CertRecord[]> {
    return (await this.kv.list('acm/cert')).map((e) => JSON.parse(e.value.toString()) as CertRecord);
  }

  async getCa(region: string): Promise<CaRecord | undefined> {
    const e = await this.kv.get('acm/ca', region);
    return e ? (JSON.parse(e.value.toString()) as CaRecord) : undefined;
  }

  async putCa(ca: CaRecord): Promise<boolean> {
    try {
      await this.kv.commit([{ type: 'put', namespace: 'acm/ca', key: ca.region, value: json(ca), expectVersion: 0 }]);
      return true;
    } catch (err) {
      if (err instanceof KvConflictError) return false;
      throw err;
    }
  }

  async addRevoked(caId: string, serial: string, at: number, reason: string): Promise<void> {
    await this.kv.commit([{ type: 'put', namespace: 'acm/revoked', key: `${caId}/${serial}`, value: json({ serial, at, reason }) }]);
  }

  async revoked(caId: string): Promise<Array<{ serial: string; at: number; reason: string }>> {
    return (await this.kv.list('acm/revoked', { prefix: `${caId}/` })).map(
      (e) => JSON.parse(e.value.toString()) as { serial: string; at: number; reason: string },
    );
  }

  async accountConfig(accountId: string): Promise<{ DaysBeforeExpiry: number }> {
    const e = await this.kv.get('acm/account', accountId);
    return e ? (JSON.parse(e.value.toString()) as { DaysBeforeExpiry: number }) : { DaysBeforeExpiry: 45 };
  }

  async putAccountConfig(accountId: string, cfg: { DaysBeforeExpiry: number }): Promise<void> {
    await this.kv.commit([{ type: 'put', namespace: 'acm/account', key: accountId, value: json(cfg) }]);
  }
}
