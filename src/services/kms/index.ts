// The KMS service: AWS JSON 1.1, X-Amz-Target "TrentService.<Operation>", signing name "kms".
// One file per operation under api/, registered in the table below.
import type { ServiceDeps } from '../../server/registry.js';
import type { JsonOperation, JsonService } from '../../server/service.js';
import { bindOperation, type KmsDeps, type KmsOperationDef } from './api/common.js';
import cancelKeyDeletion from './api/cancel-key-deletion.js';
import createAlias from './api/create-alias.js';
import createKey from './api/create-key.js';
import decrypt from './api/decrypt.js';
import deleteAlias from './api/delete-alias.js';
import describeKey from './api/describe-key.js';
import disableKey from './api/disable-key.js';
import disableKeyRotation from './api/disable-key-rotation.js';
import enableKey from './api/enable-key.js';
import enableKeyRotation from './api/enable-key-rotation.js';
import encrypt from './api/encrypt.js';
import generateDataKey from './api/generate-data-key.js';
import generateDataKeyWithoutPlaintext from './api/generate-data-key-without-plaintext.js';
import generateMac from './api/generate-mac.js';
import verifyMac from './api/verify-mac.js';
import generateRandom from './api/generate-random.js';
import getKeyLastUsage from './api/get-key-last-usage.js';
import getKeyPolicy from './api/get-key-policy.js';
import getKeyRotationStatus from './api/get-key-rotation-status.js';
import listAliases from './api/list-aliases.js';
import listKeyPolicies from './api/list-key-policies.js';
import listKeyRotations from './api/list-key-rotations.js';
import listKeys from './api/list-keys.js';
import listResourceTags from './api/list-resource-tags.js';
import putKeyPolicy from './api/put-key-policy.js';
import reEncrypt from './api/re-encrypt.js';
import rotateKeyOnDemand from './api/rotate-key-on-demand.js';
import deleteImportedKeyMaterial from './api/delete-imported-key-material.js';
import getParametersForImport from './api/get-parameters-for-import.js';
import importKeyMaterial from './api/import-key-material.js';
import scheduleKeyDeletion from './api/schedule-key-deletion.js';
import tagResource from './api/tag-resource.js';
import untagResource from './api/untag-resource.js';
import updateAlias from './api/update-alias.js';
import updateKeyDescription from './api/update-key-description.js';
import { describeCustomKeyStores, UNSUPPORTED_OPERATIONS } from './api/unsupported.js';
import createGrant from './api/create-grant.js';
import listGrants from './api/list-grants.js';
import listRetirableGrants from './api/list-retirable-grants.js';
import retireGrant from './api/retire-grant.js';
import revokeGrant from './api/revoke-grant.js';
import { CryptoOps } from './domain/crypto-ops.js';
import { GrantStore } from './domain/grants.js';
import { KeyAccess } from './domain/key-access.js';
import { KeyLastUsage, TRACKED_OPERATIONS } from './domain/key-last-usage.js';
import { KeyStore } from './domain/key-store.js';
import { KmsScheduler } from './domain/scheduler.js';
import { KmsQuotas } from './quotas.js';

export const KMS_OPERATIONS: ReadonlyArray<KmsOperationDef> = [
  createKey,
  describeKey,
  listKeys,
  enableKey,
  disableKey,
  updateKeyDescription,
  scheduleKeyDeletion,
  cancelKeyDeletion,
  encrypt,
  decrypt,
  reEncrypt,
  generateDataKey,
  generateDataKeyWithoutPlaintext,
  generateMac,
  verifyMac,
  generateRandom,
  createAlias,
  updateAlias,
  deleteAlias,
  listAliases,
  tagResource,
  untagResource,
  listResourceTags,
  enableKeyRotation,
  disableKeyRotation,
  getKeyRotationStatus,
  rotateKeyOnDemand,
  getParametersForImport,
  importKeyMaterial,
  deleteImportedKeyMaterial,
  listKeyRotations,
  getKeyPolicy,
  putKeyPolicy,
  getKeyLastUsage,
  listKeyPolicies,
  createGrant,
  listGrants,
  listRetirableGrants,
  retireGrant,
  revokeGrant,
  describeCustomKeyStores,
  ...UNSUPPORTED_OPERATIONS,
];

export interface KmsService extends JsonService {
  access: KeyAccess;
  crypto: CryptoOps;
  scheduler: KmsScheduler;
  /** Last use of each key (GetKeyLastUsage); S3 notes the calls it makes on a requester's behalf. */
  usage: KeyLastUsage;
}

export async function createKmsService(deps: ServiceDeps): Promise<KmsService> {
  const access = new KeyAccess(new KeyStore(deps.kv, deps.barrier), deps.clock, deps.authorizer);
  access.importFingerprintKey = deps.root.derive('kms-imported-material-fingerprint-v1');
  const crypto = new CryptoOps(access);
  const grants = new GrantStore(deps.kv);
  access.grantCheck = (ctx, key, op, ec) => grants.allows(ctx, key, op, ec);
  access.grantsBeforeAuthorize = (keyId) => grants.warm(keyId);
  const usage = new KeyLastUsage(deps.kv, deps.clock, deps.log, async (keyId) => (await access.store.get(keyId)) !== undefined);
  await usage.start();
  const kmsDeps: KmsDeps = { access, crypto, grants, usage };
  const quotas = new KmsQuotas(deps.config.kmsQuota, deps.cluster.workers);
  const scheduler = new KmsScheduler(access, deps.log, () => deps.kv.changes?.sync());
  if (deps.cluster.runsBackgroundWork) scheduler.start();
  const operations = new Map<string, JsonOperation>(KMS_OPERATIONS.map((def) => [def.name, bindOperation(def, kmsDeps)]));
  return {
    protocol: 'json',
    signingName: 'kms',
    targetPrefix: 'TrentService',
    eventSource: 'kms.amazonaws.com',
    operations,
    access,
    crypto,
    scheduler,
    usage,
    checkQuota: (ctx, op) => quotas.check(ctx, op),
    // A successful cryptographic operation is a use of its key (two keys for ReEncrypt), noted with the
    // CloudTrail event that recorded it.
    recorded: (ctx, output, event) => {
      if (!TRACKED_OPERATIONS.has(ctx.operation)) return;
      const use = { operation: ctx.operation, at: ctx.now, eventId: event.eventID, requestId: event.requestID };
      if (typeof output.KeyId === 'string') usage.note(output.KeyId, use);
      if (typeof output.SourceKeyId === 'string' && output.SourceKeyId !== output.KeyId) usage.note(output.SourceKeyId, use);
    },
    close: async () => {
      await scheduler.stop();
      await usage.close();
    },
  };
}
