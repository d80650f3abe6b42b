// Persistence for KMS keys, key material and aliases, with an exact in-memory cache.
//
// Namespaces in the metadata store:
//   kms/key        <keyId>                        KeyRecord (JSON)
//   kms/key-index  <account>/<region>/<keyId>     (empty)  -- ListKeys per account and region
//   kms/material   <keyId>/<materialId>           barrier-sealed 256-bit material, identity (ns, id, 1)
//   kms/alias      <account>/<region>/<alias>     AliasRecord (JSON)
//   kms/import     <keyId>/<token>                barrier-sealed wrapping key of a GetParametersForImport
// A key and its first material (and a rotation and its new material) are written in one atomic commit,
// so a crash never leaves a key without the material its ciphertexts need.
// Every write goes through this class and updates the cache after the commit, so a disabled key is
// refused by the very next request (no stale cache); writes by other processes arrive through the
// store's change feed. Writes use the record version for
// compare-and-set, so a future multi-node store detects lost updates.
import type { Barrier } from '../../../barrier/barrier.js';
import { KvConflictError, type KvOp, type KvStore } from '../../../storage/kv/interface.js';
import type { AliasRecord, KeyRecord } from './types.js';
import { NS_USAGE } from './key-last-usage.js';

const NS_KEY = 'kms/key';
const NS_INDEX = 'kms/key-index';
const NS_MATERIAL = 'kms/material';
const NS_ALIAS = 'kms/alias';
const NS_IMPORT = 'kms/import';

interface CachedKey {
  rec: KeyRecord;
  version: number;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const aliasKey = (accountId: string, region: string, aliasName: string) => `${accountId}/${region}/${aliasName}`;

/** What an update does to a key's material: adds one (rotation, import), or deletes some (imported material). */
export type MaterialChange = { materialId: string; material: Buffer } | { removeMaterialIds: string[] };

export class KeyStore {
  readonly #keys = new Map<string, CachedKey | null>();
  /** keyId -> materialId -> material. Nested, so a look-up hashes the two stable id strings, not a new joined one. */
  readonly #materials = new Map<string, Map<string, Buffer>>();
  /**
   * account -> region -> keyId -> alias names (kms:ResourceAliases). Nested, so the per-request look-up hashes
   * stored strings rather than a joined one. A Region is loaded whole on first need and everything is dropped on
   * an alias change, here or (change feed) in another process; #aliasGeneration keeps a load that raced a change
   * from installing what it read before it.
   */
  readonly #aliasIndex = new Map<string, Map<string, Map<string, string[]>>>();
  #aliasGeneration = 0;

  constructor(
    private readonly kv: KvStore,
    private readonly barrier: Barrier,
  ) {
    // Key records changed by another Keyhold process sharing the store (cluster mode) are re-read on next
    // use; material is immutable once written, so it stays cached.
    kv.changes?.watch([NS_KEY], () => this.#keys.clear());
    kv.changes?.watch([NS_ALIAS], () => this.#aliasesChanged());
  }

  /** The alias names pointing at `rec`, if its account and Region are loaded (warmAliases); else undefined. */
  aliasNamesOf(rec: KeyRecord): ReadonlyArray<string> | undefined {
    const region = this.#aliasIndex.get(rec.accountId)?.get(rec.region);
    return region ? (region.get(rec.keyId) ?? []) : undefined;
  }

  /** Loads the alias index of `rec`'s account and Region unless it is loaded: then undefined (nothing to await). */
  warmAliases(rec: KeyRecord): Promise<void> | undefined {
    if (this.#aliasIndex.get(rec.accountId)?.has(rec.region)) return undefined;
    const generation = this.#aliasGeneration;
    return this.listAliases(rec.accountId, rec.region).then((aliases) => {
      // An alias changed while we read: read again rather than install (or leave absent) a stale index.
      if (generation !== this.#aliasGeneration) return this.warmAliases(rec);
      const byKey = new Map<string, string[]>();
      for (const a of aliases) byKey.set(a.targetKeyId, [...(byKey.get(a.targetKeyId) ?? []), a.aliasName]);
      let account = this.#aliasIndex.get(rec.accountId);
      if (!account) this.#aliasIndex.set(rec.accountId, (account = new Map()));
      account.set(rec.region, byKey);
    });
  }

  #aliasesChanged(): void {
    this.#aliasGeneration++;
    this.#aliasIndex.clear();
  }

  async get(keyId: string): Promise<KeyRecord | undefined> {
    return (await this.#load(keyId))?.rec;
  }

  /**
   * The cached record without a promise: `null` when the key is known not to exist, `undefined` when it is
   * not cached (call get). The hot path of Encrypt/Decrypt reads through this and awaits only on a miss.
   */
  cached(keyId: string): KeyRecord | null | undefined {
    const hit = this.#keys.get(keyId);
    return hit === undefined ? undefined : (hit?.rec ?? null);
  }

  /** Cached key material without a promise; undefined when not cached (call material). */
  cachedMaterial(keyId: string, materialId: string): Buffer | undefined {
    return this.#materials.get(keyId)?.get(materialId);
  }

  async #load(keyId: string): Promise<CachedKey | undefined> {
    const hit = this.#keys.get(keyId);
    if (hit !== undefined) return hit ?? undefined;
    const e = await this.kv.get(NS_KEY, keyId);
    const loaded = e ? { rec: JSON.parse(e.value.toString()) as KeyRecord, version: e.version } : null;
    if (this.#keys.size > 100_000) this.#keys.clear();
    this.#keys.set(keyId, loaded);
    return loaded ?? undefined;
  }

  /** Whether a material's bytes are stored (imported material can be deleted), without unsealing them. */
  async hasMaterial(keyId: string, materialId: string): Promise<boolean> {
    return this.cachedMaterial(keyId, materialId) !== undefined || (await this.kv.get(NS_MATERIAL, `${keyId}/${materialId}`)) !== undefined;
  }

  async material(keyId: string, materialId: string): Promise<Buffer | undefined> {
    const hit = this.cachedMaterial(keyId, materialId);
    if (hit) return hit;
    const id = `${keyId}/${materialId}`;
    const e = await this.kv.get(NS_MATERIAL, id);
    if (!e) return undefined;
    const m = this.barrier.open({ namespace: NS_MATERIAL, id, version: 1 }, e.value);
    this.#cacheMaterial(keyId, materialId, m);
    return m;
  }

  #cacheMaterial(keyId: string, materialId: string, material: Buffer): void {
    let forKey = this.#materials.get(keyId);
    if (!forKey) {
      forKey = new Map();
      this.#materials.set(keyId, forKey);
    }
    forKey.set(materialId, material);
  }

  #materialOp(keyId: string, materialId: string, material: Buffer): KvOp {
    const id = `${keyId}/${materialId}`;
    return { type: 'put', namespace: NS_MATERIAL, key: id, value: this.barrier.seal({ namespace: NS_MATERIAL, id, version: 1 }, material), expectVersion: 0 };
  }

  /** Creates a key with its first material (none for an EXTERNAL key), optionally with alias records, in one commit. */
  async create(rec: KeyRecord, material: Buffer | undefined, aliases: AliasRecord[] = []): Promise<void> {
    await this.kv.commit([
      { type: 'put', namespace: NS_KEY, key: rec.keyId, value: json(rec), expectVersion: 0 },
      { type: 'put', namespace: NS_INDEX, key: `${rec.accountId}/${rec.region}/${rec.keyId}`, value: Buffer.alloc(0), expectVersion: 0 },
      ...(material ? [this.#materialOp(rec.keyId, rec.currentMaterialId, material)] : []),
      ...aliases.map((a): KvOp => ({ type: 'put', namespace: NS_ALIAS, key: aliasKey(a.accountId, a.region, a.aliasName), value: json(a), expectVersion: 0 })),
    ]);
    this.#keys.set(rec.keyId, { rec, version: 1 });
    if (material) this.#cacheMaterial(rec.keyId, rec.currentMaterialId, material);
    if (aliases.length > 0) this.#aliasesChanged();
  }

  /**
   * Applies `mutate` to the current record and stores it (compare-and-set, retried on conflict).
   * `mutate` may return new material to add in the same commit (rotation).
   */
  async update(keyId: string, mutate: (rec: KeyRecord) => MaterialChange | undefined): Promise<KeyRecord> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.#load(keyId);
      if (!current) throw new Error(`key ${keyId} vanished during update`);
      const next = structuredClone(current.rec);
      const change = mutate(next);
      const added = change && 'material' in change ? change : undefined;
      const removed = change && 'removeMaterialIds' in change ? change.removeMaterialIds : [];
      const ops: KvOp[] = [{ type: 'put', namespace: NS_KEY, key: keyId, value: json(next), expectVersion: current.version }];
      if (added) ops.push(this.#materialOp(keyId, added.materialId, added.material));
      for (const id of removed) ops.push({ type: 'delete', namespace: NS_MATERIAL, key: `${keyId}/${id}` });
      try {
        await this.kv.commit(ops);
      } catch (err) {
        if (err instanceof KvConflictError && attempt < 5) {
          this.#keys.delete(keyId);
          continue;
        }
        throw err;
      }
      this.#keys.set(keyId, { rec: next, version: current.version + 1 });
      if (added) this.#cacheMaterial(keyId, added.materialId, added.material);
      for (const id of removed) {
        this.#materials.get(keyId)?.get(id)?.fill(0);
        this.#materials.get(keyId)?.delete(id);
      }
      return next;
    }
  }

  /** Destroys a key: its record, index entry, every material, its grants, its last use and every alias pointing at it. */
  async destroy(rec: KeyRecord): Promise<void> {
    const aliases = (await this.listAliases(rec.accountId, rec.region)).filter((a) => a.targetKeyId === rec.keyId);
    const grants = await this.kv.list('kms/grant', { prefix: `${rec.keyId}/` });
    const tokens = await this.kv.list(NS_IMPORT, { prefix: `${rec.keyId}/` });
    await this.kv.commit([
      ...grants.map((g): KvOp => ({ type: 'delete', namespace: 'kms/grant', key: g.key })),
      ...tokens.map((t): KvOp => ({ type: 'delete', namespace: NS_IMPORT, key: t.key })),
      { type: 'delete', namespace: NS_KEY, key: rec.keyId },
      { type: 'delete', namespace: NS_INDEX, key: `${rec.accountId}/${rec.region}/${rec.keyId}` },
      ...rec.materials.map((m): KvOp => ({ type: 'delete', namespace: NS_MATERIAL, key: `${rec.keyId}/${m.id}` })),
      { type: 'delete', namespace: NS_USAGE, key: rec.keyId },
      ...aliases.map((a): KvOp => ({ type: 'delete', namespace: NS_ALIAS, key: aliasKey(a.accountId, a.region, a.aliasName) })),
    ]);
    this.#keys.set(rec.keyId, null);
    if (aliases.length > 0) this.#aliasesChanged();
    for (const m of this.#materials.get(rec.keyId)?.values() ?? []) m.fill(0);
    this.#materials.delete(rec.keyId);
  }

  /** Keeps the wrapping private key of a GetParametersForImport, sealed, until it is used or expires. */
  async putImportToken(keyId: string, token: string, secret: Buffer): Promise<void> {
    const id = `${keyId}/${token}`;
    await this.kv.commit([
      { type: 'put', namespace: NS_IMPORT, key: id, value: this.barrier.seal({ namespace: NS_IMPORT, id, version: 1 }, secret), expectVersion: 0 },
    ]);
  }

  async getImportToken(keyId: string, token: string): Promise<Buffer | undefined> {
    const id = `${keyId}/${token}`;
    const e = await this.kv.get(NS_IMPORT, id);
    return e ? this.barrier.open({ namespace: NS_IMPORT, id, version: 1 }, e.value) : undefined;
  }

  /** Removes import tokens of a key: one (used), or every one (the key is destroyed). */
  async deleteImportTokens(keyId: string, token?: string): Promise<void> {
    const keys = token !== undefined ? [`${keyId}/${token}`] : (await this.kv.list(NS_IMPORT, { prefix: `${keyId}/` })).map((e) => e.key);
    if (keys.length) await this.kv.commit(keys.map((key): KvOp => ({ type: 'delete', namespace: NS_IMPORT, key })));
  }

  /** Key ids of an account in a region, in id order, after `after`. */
  async listKeyIds(accountId: string, region: string, after: string | undefined, limit: number): Promise<string[]> {
    const prefix = `${accountId}/${region}/`;
    const rows = await this.kv.list(NS_INDEX, { prefix, after: after === undefined ? undefined : prefix + after, limit });
    return rows.map((r) => r.key.slice(prefix.length));
  }

  /** Every key id in every account and region (for the background scheduler). */
  async allKeyIds(): Promise<string[]> {
    return (await this.kv.list(NS_KEY)).map((e) => e.key);
  }

  async getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    const e = await this.kv.get(NS_ALIAS, aliasKey(accountId, region, aliasName));
    return e ? (JSON.parse(e.value.toString()) as AliasRecord) : undefined;
  }

  async listAliases(accountId: string, region: string): Promise<AliasRecord[]> {
    return (await this.kv.list(NS_ALIAS, { prefix: `${accountId}/${region}/` })).map((e) => JSON.parse(e.value.toString()) as AliasRecord);
  }

  async putAlias(a: AliasRecord, mustBeNew: boolean): Promise<void> {
    await this.kv.commit([
      { type: 'put', namespace: NS_ALIAS, key: aliasKey(a.accountId, a.region, a.aliasName), value: json(a), ...(mustBeNew ? { expectVersion: 0 } : {}) },
    ]);
    this.#aliasesChanged();
  }

  async deleteAlias(a: AliasRecord): Promise<void> {
    await this.kv.commit([{ type: 'delete', namespace: NS_ALIAS, key: aliasKey(a.accountId, a.region, a.aliasName) }]);
    this.#aliasesChanged();
  }
}
