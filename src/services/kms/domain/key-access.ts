// Resolving a KeyId (any of its four forms) to a key the caller may use, and the key-state rules of
// https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html. A key whose deletion window has
// ended is destroyed here, on access, as well as by the scheduler.
import { randomBytes, randomUUID } from 'node:crypto';
import type { EncryptionContext } from '../../../crypto/encryption-context.js';
import { Authorizer } from '../../../iam/authorizer.js';
import { AccessDeniedException } from '../../../protocol/errors.js';
import type { RequestContext } from '../../../server/context.js';
import { DisabledException, InvalidKeyUsageException, KMSInvalidStateException, NotFoundException } from '../errors.js';
import { KMS_IDENTITY_ONLY_KEYS, type KmsRequestFacts, kmsConditionKeys } from './condition-keys.js';
import { MANAGED_ALIASES, managedKeyDescription, parseKeyRef } from './identifiers.js';
import type { KeyStore } from './key-store.js';
import { managedKeyPolicy } from './policy.js';
import { type AliasRecord, aliasArn, type KeyRecord, type KeyUsage, keyArn } from './types.js';

export const ROTATION_DEFAULT_DAYS = 365;
const DAY_MS = 86_400_000;

/** New key material: 256 bits for a symmetric encryption key, the spec's length for an HMAC key. */
export const newMaterial = (bytes = 32) => ({ materialId: randomBytes(32).toString('hex'), material: randomBytes(bytes) });

export interface AccessOptions {
  /** The IAM action to authorize; default kms:<operation>. */
  action?: string;
  encryptionContext?: EncryptionContext;
  /** Internal look-ups that are not a use of the key (e.g. the KeyId filter of ListAliases). */
  skipAuthorization?: boolean;
  /** Tags the request sets or names (aws:RequestTag/<key>, aws:TagKeys). */
  requestTags?: ReadonlyArray<{ TagKey: string; TagValue: string }>;
  tagKeys?: ReadonlyArray<string>;
}

/** Grant look-up, supplied by the grants module once it is wired in. */
export type GrantCheck = (ctx: RequestContext, key: KeyRecord, operation: string, ec: EncryptionContext | undefined) => boolean;

export class KeyAccess {
  grantCheck: GrantCheck = () => false;
  /** Keys the fingerprints of imported material (imported-material.ts); derived from the root key at start. */
  importFingerprintKey: Buffer = Buffer.alloc(32);
  /**
   * Loads what authorization needs (the key's grants) before the synchronous decision; undefined when it is
   * already cached, so the hot path has nothing to await.
   */
  grantsBeforeAuthorize: (keyId: string) => Promise<void> | undefined = () => undefined;

  constructor(
    readonly store: KeyStore,
    readonly clock: () => number,
    private readonly authorizer: Authorizer,
  ) {}

  /** A key pending deletion whose window has ended (destroyed on access by purgeIfDue). */
  isDue(rec: KeyRecord, now = this.clock()): boolean {
    return rec.state === 'PendingDeletion' && rec.deletionDate !== undefined && now >= rec.deletionDate;
  }

  /**
   * Loads what the synchronous decision reads (the key's grants, the alias index for kms:ResourceAliases)
   * unless cached: then undefined, so the hot path has nothing to await.
   */
  beforeAuthorize(rec: KeyRecord): Promise<void> | undefined {
    const grants = this.grantsBeforeAuthorize(rec.keyId);
    const aliases = this.store.warmAliases(rec);
    if (grants && aliases) return Promise.all([grants, aliases]).then(() => undefined);
    return grants ?? aliases;
  }

  /** Destroys a key whose deletion window has ended; returns true when it did. */
  async purgeIfDue(rec: KeyRecord, now = this.clock()): Promise<boolean> {
    if (!this.isDue(rec, now)) return false;
    await this.store.destroy(rec);
    return true;
  }

  /**
   * Finds the key named by `input` in the caller's region (NotFoundException when there is none) and
   * authorizes the request against its key policy, the caller's IAM policies and grants.
   * Cached records and grants are used without awaiting (a KMS Encrypt or Decrypt runs this on every call);
   * the awaits below happen only on a cache miss, an alias, or a key whose deletion is due.
   */
  async resolve(ctx: RequestContext, input: string, opts: AccessOptions = {}): Promise<KeyRecord> {
    const ref = parseKeyRef(input);
    if (!ref) throw new NotFoundException(`Invalid keyId '${input}'`);
    const accountId = 'accountId' in ref ? ref.accountId : ctx.principal.accountId;
    const region = 'region' in ref ? ref.region : ctx.region;
    // An ARN of another Region is refused as such (KMS keys are regional; message as recorded from AWS).
    if (region !== ctx.region) throw new NotFoundException(`Invalid arn ${region}`);
    let keyId: string;
    if (ref.kind === 'alias' || ref.kind === 'aliasArn') {
      const alias = await this.aliasTarget(accountId, region, ref.aliasName);
      if (!alias) throw new NotFoundException(`Alias ${aliasArn(region, accountId, ref.aliasName)} is not found.`);
      keyId = alias.targetKeyId;
    } else {
      keyId = ref.keyId;
    }
    let rec: KeyRecord | null | undefined = this.store.cached(keyId);
    if (rec === undefined) rec = await this.store.get(keyId);
    if (!rec || rec.accountId !== accountId || rec.region !== region || (this.isDue(rec) && (await this.purgeIfDue(rec)))) {
      throw new NotFoundException(`Key '${keyArn(region, accountId, keyId)}' does not exist`);
    }
    ctx.resolvedArn = rec.arn;
    if (!opts.skipAuthorization) {
      const loading = this.beforeAuthorize(rec);
      if (loading) await loading;
      this.authorizeKey(ctx, rec, { ...opts, keyIdInput: input });
    }
    return rec;
  }

  /**
   * The key id `input` names, or undefined when it names none: no authorization, no error, no AWS managed key
   * created (a request fact such as kms:ReEncryptOnSameKey, not a use of the key).
   */
  async keyIdNamed(ctx: RequestContext, input: string): Promise<string | undefined> {
    const ref = parseKeyRef(input);
    if (!ref) return undefined;
    if (ref.kind === 'keyId' || ref.kind === 'keyArn') return ref.keyId;
    const accountId = ref.kind === 'aliasArn' ? ref.accountId : ctx.principal.accountId;
    const region = ref.kind === 'aliasArn' ? ref.region : ctx.region;
    return (await this.store.getAlias(accountId, region, ref.aliasName))?.targetKeyId;
  }

  /** Authorizes a use of `rec`; throws AccessDeniedException (audited, no side effect) when denied. */
  authorizeKey(ctx: RequestContext, rec: KeyRecord, opts: AccessOptions & { keyIdInput?: string } = {}): void {
    const action = opts.action ?? `kms:${ctx.operation}`;
    const operation = action.slice(4);
    const check = {
      action,
      resource: rec.arn,
      resourceAccount: rec.accountId,
      resourcePolicy: rec.policy,
      resourcePolicyRequired: true,
      identityOnlyKeys: KMS_IDENTITY_ONLY_KEYS,
    };
    const decision = this.authorizer.decide(ctx, check, () =>
      kmsConditionKeys(ctx, rec, {
        encryptionContext: opts.encryptionContext,
        keyIdInput: opts.keyIdInput,
        requestTags: opts.requestTags,
        tagKeys: opts.tagKeys,
        resourceAliases: this.store.aliasNamesOf(rec),
      }),
    );
    if (decision.allowed) return;
    // Grants are consulted only when policies alone do not allow, and never override an explicit deny.
    if (decision.reason === 'implicit' && this.grantCheck(ctx, rec, operation, opts.encryptionContext)) return;
    throw new AccessDeniedException(Authorizer.message(ctx, check, decision));
  }

  /**
   * The policy lockout safety check (PutKeyPolicy, CreateKey with a Policy): the new policy must still let
   * the caller change the key policy (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#prevent-unmanageable-key).
   */
  policyKeepsCallerInControl(ctx: RequestContext, policy: string, resource: { arn: string; accountId: string }): boolean {
    const check = {
      action: 'kms:PutKeyPolicy',
      resource: resource.arn,
      resourceAccount: resource.accountId,
      resourcePolicy: policy,
      resourcePolicyRequired: true,
    };
    return this.authorizer.decide(ctx, check, () => kmsConditionKeys(ctx, undefined, {})).allowed;
  }

  /** Actions without a key resource (CreateKey, ListKeys, ...): identity policies decide. */
  authorizeKeyless(ctx: RequestContext, action = `kms:${ctx.operation}`, facts: KmsRequestFacts = {}): void {
    const check = { action, resource: '*' };
    const decision = this.authorizer.decide(ctx, check, () => kmsConditionKeys(ctx, undefined, facts));
    if (!decision.allowed) throw new AccessDeniedException(Authorizer.message(ctx, check, decision));
  }

  async aliasTarget(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    const found = await this.store.getAlias(accountId, region, aliasName);
    if (found || !MANAGED_ALIASES.has(aliasName)) return found;
    await this.createManagedKey(accountId, region, aliasName);
    return this.store.getAlias(accountId, region, aliasName);
  }

  /** Creates the AWS managed key behind alias/aws/<service> (KeyManager AWS, yearly rotation). */
  async createManagedKey(accountId: string, region: string, aliasName: string): Promise<KeyRecord> {
    const now = this.clock();
    const keyId = randomUUID();
    const { materialId, material } = newMaterial();
    const service = aliasName.slice('alias/aws/'.length);
    const rec: KeyRecord = {
      keyId,
      accountId,
      region,
      arn: keyArn(region, accountId, keyId),
      creationDate: now,
      description: managedKeyDescription(service),
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      keyManager: 'AWS',
      state: 'Enabled',
      rotation: { enabled: true, periodDays: ROTATION_DEFAULT_DAYS, nextRotationDate: now + ROTATION_DEFAULT_DAYS * DAY_MS, onDemandCount: 0 },
      materials: [{ id: materialId, createdAt: now }],
      currentMaterialId: materialId,
      policy: managedKeyPolicy(accountId, `${service}.${region}.amazonaws.com`),
      tags: [],
    };
    const alias: AliasRecord = {
      aliasName,
      aliasArn: aliasArn(region, accountId, aliasName),
      accountId,
      region,
      targetKeyId: keyId,
      creationDate: now,
      lastUpdatedDate: now,
    };
    try {
      await this.store.create(rec, material, [alias]);
    } catch {
      // Two requests raced to create the same managed key: the other one won; use its key.
      const winner = await this.store.getAlias(accountId, region, aliasName);
      const existing = winner && (await this.store.get(winner.targetKeyId));
      if (existing) return existing;
      throw new Error(`could not create managed key ${aliasName}`);
    }
    return rec;
  }

  /** A key used for what its KeyUsage is not (Encrypt with an HMAC key, GenerateMac with an encryption key). */
  requireUsage(rec: KeyRecord, usage: KeyUsage, operation: string): void {
    if (rec.keyUsage !== usage) throw new InvalidKeyUsageException(`${rec.arn} key usage is ${rec.keyUsage} which is not valid for ${operation}.`);
  }

  /** Cryptographic operations need an Enabled key: Disabled -> DisabledException, else KMSInvalidState. */
  requireEnabled(rec: KeyRecord): void {
    if (rec.state === 'Enabled') return;
    if (rec.state === 'Disabled') throw new DisabledException(`${rec.arn} is disabled.`);
    throw new KMSInvalidStateException(`${rec.arn} is ${rec.state === 'PendingImport' ? 'pending import' : 'pending deletion'}.`);
  }

  /** Management operations refused while the key is pending deletion. */
  requireNotPendingDeletion(rec: KeyRecord): void {
    if (rec.state === 'PendingDeletion') throw new KMSInvalidStateException(`${rec.arn} is pending deletion.`);
  }
}
