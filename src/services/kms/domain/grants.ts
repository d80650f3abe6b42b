// KMS grants (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html): a grant lets its
// grantee principal perform exactly its operations on one key, under its encryption-context
// constraints. Grants are effective at once in Keyhold (one consistent store), so grant tokens need no
// special treatment beyond being accepted.
//
// Storage: kms/grant  <keyId>/<grantId>  GrantRecord (JSON). Cached per key, exact (writes go through here).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { EncryptionContext } from '../../../crypto/encryption-context.js';
import type { RequestContext } from '../../../server/context.js';
import type { KvStore } from '../../../storage/kv/interface.js';
import type { KeyRecord } from './types.js';

export const NS_GRANT = 'kms/grant';

export interface GrantConstraints {
  EncryptionContextEquals?: Record<string, string>;
  EncryptionContextSubset?: Record<string, string>;
}

export interface GrantRecord {
  grantId: string;
  /** Random part of the grant token, compared in constant time. */
  tokenSecret: string;
  keyId: string;
  keyArn: string;
  accountId: string;
  region: string;
  name?: string;
  creationDate: number;
  granteePrincipal: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: GrantConstraints;
}

export function grantToken(g: GrantRecord): string {
  return Buffer.from(`v1:${g.keyId}:${g.grantId}:${g.tokenSecret}`).toString('base64url');
}

export function parseGrantToken(token: string): { keyId: string; grantId: string; secret: string } | undefined {
  const m = /^v1:([0-9a-f-]{36}):([0-9a-f]{64}):([0-9a-f]{64})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m ? { keyId: m[1]!, grantId: m[2]!, secret: m[3]! } : undefined;
}

export function tokenMatches(g: GrantRecord, secret: string): boolean {
  return secret.length === g.tokenSecret.length && timingSafeEqual(Buffer.from(secret), Buffer.from(g.tokenSecret));
}

export function constraintsHold(c: GrantConstraints | undefined, ec: EncryptionContext | undefined): boolean {
  if (!c) return true;
  const ctx = ec ?? {};
  if (c.EncryptionContextEquals) {
    const want = Object.entries(c.EncryptionContextEquals);
    if (want.length !== Object.keys(ctx).length || want.some(([k, v]) => ctx[k] !== v)) return false;
  }
  if (c.EncryptionContextSubset) {
    if (Object.entries(c.EncryptionContextSubset).some(([k, v]) => ctx[k] !== v)) return false;
  }
  return true;
}

export class GrantStore {
  readonly #byKey = new Map<string, GrantRecord[]>();

  constructor(private readonly kv: KvStore) {
    // Another Keyhold process sharing the store created or retired a grant: reload on next use.
    kv.changes?.watch([NS_GRANT], () => this.#byKey.clear());
  }

  async forKey(keyId: string): Promise<GrantRecord[]> {
    let list = this.#byKey.get(keyId);
    if (!list) {
      list = (await this.kv.list(NS_GRANT, { prefix: `${keyId}/` })).map((e) => JSON.parse(e.value.toString()) as GrantRecord);
      this.#byKey.set(keyId, list);
    }
    return list;
  }

  /** Synchronous check against cached grants (loaded by `warm` before authorization runs). */
  allows(ctx: RequestContext, key: KeyRecord, operation: string, ec: EncryptionContext | undefined): boolean {
    const list = this.#byKey.get(key.keyId);
    if (!list || list.length === 0) return false;
    return list.some((g) => g.granteePrincipal === ctx.principal.arn && g.operations.includes(operation) && constraintsHold(g.constraints, ec));
  }

  /** Loads the key's grants unless they are cached: then undefined (nothing to await). */
  warm(keyId: string): Promise<void> | undefined {
    return this.#byKey.has(keyId) ? undefined : this.forKey(keyId).then(() => undefined);
  }

  async create(g: Omit<GrantRecord, 'grantId' | 'tokenSecret'>): Promise<GrantRecord> {
    const rec: GrantRecord = { ...g, grantId: randomBytes(32).toString('hex'), tokenSecret: randomBytes(32).toString('hex') };
    await this.kv.commit([{ type: 'put', namespace: NS_GRANT, key: `${g.keyId}/${rec.grantId}`, value: Buffer.from(JSON.stringify(rec)), expectVersion: 0 }]);
    (await this.forKey(g.keyId)).push(rec);
    return rec;
  }

  async delete(g: GrantRecord): Promise<void> {
    await this.kv.commit([{ type: 'delete', namespace: NS_GRANT, key: `${g.keyId}/${g.grantId}` }]);
    const list = await this.forKey(g.keyId);
    const i = list.findIndex((x) => x.grantId === g.grantId);
    if (i >= 0) list.splice(i, 1);
  }

  /** Every grant in an account and region (ListRetirableGrants). */
  async inAccount(accountId: string, region: string): Promise<GrantRecord[]> {
    return (await this.kv.list(NS_GRANT))
      .map((e) => JSON.parse(e.value.toString()) as GrantRecord)
      .filter((g) => g.accountId === accountId && g.region === region);
  }

  forget(keyId: string): void {
    this.#byKey.delete(keyId);
  }
}
