// KMS request quotas, per account and region (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html,
// shared/reference/kms.md §6). Overrides come from --kms-quota Group=rate.
import { ThrottlingException } from '../../protocol/errors.js';
import type { RequestContext } from '../../server/context.js';
import { TokenBuckets } from '../../server/token-bucket.js';

const SYMMETRIC = ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'ReEncrypt', 'VerifyMac'];
const HIGH_REGIONS = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);
const MID_REGIONS = new Set(['us-east-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-2']);

/** Operation -> quota group. Operations not listed share their own 5/s bucket ("other control plane"). */
const GROUP_OF: Record<string, string> = Object.fromEntries([
  ...SYMMETRIC.map((op) => [op, 'symmetric']),
  ...['DescribeKey', 'GetPublicKey', 'ListResourceTags', 'GetKeyPolicy', 'GetKeyRotationStatus', 'GetKeyLastUsage', 'ListAliases', 'ListKeys'].map((op) => [
    op,
    op,
  ]),
  ...['ListGrants', 'ListKeyPolicies', 'ListKeyRotations', 'ListRetirableGrants'].map((op) => [op, op]),
  ...['CreateGrant', 'RetireGrant', 'RevokeGrant'].map((op) => [op, op]),
  ...['DeleteAlias', 'DeleteImportedKeyMaterial', 'EnableKeyRotation', 'ImportKeyMaterial', 'PutKeyPolicy', 'ScheduleKeyDeletion', 'TagResource'].map((op) => [
    op,
    op,
  ]),
]);

const DEFAULT_RATES: Record<string, number> = {
  DescribeKey: 2000,
  GetPublicKey: 2000,
  ListResourceTags: 2000,
  GetKeyPolicy: 1000,
  GetKeyRotationStatus: 1000,
  // Not in AWS's quota table when it was added; rated as the other reads of one key's settings.
  GetKeyLastUsage: 1000,
  ListAliases: 500,
  ListKeys: 500,
  ListGrants: 100,
  ListKeyPolicies: 100,
  ListKeyRotations: 100,
  ListRetirableGrants: 100,
  CreateGrant: 50,
  RetireGrant: 50,
  RevokeGrant: 50,
  DeleteAlias: 15,
  DeleteImportedKeyMaterial: 15,
  EnableKeyRotation: 15,
  ImportKeyMaterial: 15,
  PutKeyPolicy: 15,
  ScheduleKeyDeletion: 15,
  TagResource: 10,
};

export const THROTTLE_MESSAGE = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';

export function symmetricRate(region: string): number {
  return HIGH_REGIONS.has(region) ? 100_000 : MID_REGIONS.has(region) ? 20_000 : 10_000;
}

export class KmsQuotas {
  readonly #buckets = new TokenBuckets();
  readonly #overrides: Map<string, number>;

  /**
   * overrides: "Group=rate" strings; Group is "symmetric" or an operation name. `processes`: the number of
   * Keyhold processes serving the account (cluster mode); each enforces its share of every rate, so the
   * node as a whole enforces the account's quota without a shared counter on the request path.
   */
  constructor(
    overrides: ReadonlyArray<string>,
    private readonly processes = 1,
  ) {
    this.#overrides = new Map(
      overrides.map((o) => {
        const [g, r] = o.split('=') as [string, string];
        return [g, Number(r)];
      }),
    );
  }

  rateFor(group: string, region: string): number {
    return this.#overrides.get(group) ?? (group === 'symmetric' ? symmetricRate(region) : (DEFAULT_RATES[group] ?? 5));
  }

  check(ctx: RequestContext, operation: string): void {
    const group = GROUP_OF[operation] ?? operation;
    if (!this.#buckets.take(`${ctx.principal.accountId}/${ctx.region}/${group}`, this.rateFor(group, ctx.region) / this.processes, ctx.now)) {
      throw new ThrottlingException(THROTTLE_MESSAGE);
    }
  }
}
