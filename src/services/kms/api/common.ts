// Helpers shared by the KMS operation files: the operation definition shape, the members many
// operations share (KeyId, EncryptionContext, GrantTokens, DryRun, EncryptionAlgorithm), paging markers,
// and the default audit projection.
import type { EncryptionContext } from '../../../crypto/encryption-context.js';
import { encodeEncryptionContext, EncryptionContextError } from '../../../crypto/encryption-context.js';
import { type Input, optBool, optInt, optString, optStringList, optStringMap, reqString } from '../../../protocol/fields.js';
import { ValidationException } from '../../../protocol/errors.js';
import type { RequestContext } from '../../../server/context.js';
import type { AuditProjection, JsonOperation } from '../../../server/service.js';
import type { CryptoOps } from '../domain/crypto-ops.js';
import type { GrantStore } from '../domain/grants.js';
import type { KeyLastUsage } from '../domain/key-last-usage.js';
import type { KeyAccess } from '../domain/key-access.js';
import { aliasArn } from '../domain/types.js';
import { DryRunOperationException, InvalidKeyUsageException, InvalidMarkerException } from '../errors.js';

export interface KmsDeps {
  access: KeyAccess;
  crypto: CryptoOps;
  grants: GrantStore;
  usage: KeyLastUsage;
}

export type KmsHandler = (deps: KmsDeps, ctx: RequestContext, input: Input) => Promise<Record<string, unknown>>;

export interface KmsOperationDef {
  name: string;
  readOnly: boolean;
  /** CloudTrail logs no response elements for the cryptographic operations. */
  logResponse?: boolean;
  /** Actions with no key resource (CreateKey, ListKeys...): authorized by identity policies before the handler. */
  keyless?: boolean;
  /**
   * Condition keys the operation takes from its own parameters (kms:KeySpec on CreateKey, kms:WrappingAlgorithm
   * on GetParametersForImport, ...; conditions-kms.html), in force for every authorization of the request.
   * Read from well-typed members only; the handler validates the input itself.
   */
  conditionKeys?: (input: Input) => ReadonlyArray<[string, ReadonlyArray<string>]>;
  /**
   * Request members CloudTrail records even when the request left them out (camelCase; the request's own values
   * win): the encryptionAlgorithm of every Encrypt and Decrypt, the keyId a Decrypt used (ct-decrypt.html).
   */
  auditDefaults?: (output: Record<string, unknown> | undefined) => Record<string, unknown>;
  handler: KmsHandler;
}

export function defineOperation(def: KmsOperationDef): KmsOperationDef {
  return def;
}

export function bindOperation(def: KmsOperationDef, deps: KmsDeps): JsonOperation {
  return {
    readOnly: def.readOnly,
    handler: (ctx, input) => {
      const own = def.conditionKeys?.(input);
      if (own?.length) ctx.conditionKeys = new Map([...(ctx.conditionKeys ?? []), ...own]);
      // CreateKey's tags are request facts a policy can read (aws:RequestTag/<key>, aws:TagKeys).
      if (def.keyless) deps.access.authorizeKeyless(ctx, undefined, { requestTags: requestTagsOf(input) });
      return def.handler(deps, ctx, input);
    },
    audit: (ctx, input, output) =>
      kmsAuditProjection(input, output, {
        logResponse: def.logResponse ?? !def.readOnly,
        defaults: def.auditDefaults?.(output),
        resolvedArn: ctx.resolvedArn,
        // The alias operations name the alias too (ct-createalias.html: the key, then the alias).
        aliasArn:
          typeof input.AliasName === 'string' && input.AliasName.startsWith('alias/')
            ? aliasArn(ctx.region, ctx.principal.accountId, input.AliasName)
            : undefined,
      }),
  };
}

/** Well-formed Tags members of a request, for condition keys only (the operation validates them itself). */
function requestTagsOf(input: Input): Array<{ TagKey: string; TagValue: string }> {
  const list = Array.isArray(input.Tags) ? input.Tags : [];
  return list.flatMap((t) => {
    const { TagKey, TagValue } = (t ?? {}) as Record<string, unknown>;
    return typeof TagKey === 'string' && typeof TagValue === 'string' ? [{ TagKey, TagValue }] : [];
  });
}

const lcFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

// Members whose values are maps of the caller's own keys: CloudTrail shows those keys as sent (an encryption
// context {"Department": "IT"} is logged as {"department"...} by no one, and "a" and "A" are different keys).
const MAP_MEMBERS: ReadonlySet<string> = new Set([
  'EncryptionContext',
  'SourceEncryptionContext',
  'DestinationEncryptionContext',
  'EncryptionContextSubset',
  'EncryptionContextEquals',
]);

// Members that are secrets, left out here rather than copied and then removed by the audit trail's own
// redaction (which still runs on every event as the second line of defence).
// GenerateMac/VerifyMac: CloudTrail records neither the message nor the MAC (ct-generatemac.html); ImportKeyMaterial
// neither the token nor the wrapped material (ct-importkeymaterial.html); no event carries a grant token (a bearer
// credential: it retires the grant), CreateGrant's response only its grantId (ct-creategrant.html).
const SECRET_MEMBERS: ReadonlySet<string> = new Set([
  'Plaintext',
  'CiphertextBlob',
  'Message',
  'Mac',
  'ImportToken',
  'EncryptedKeyMaterial',
  'GrantToken',
  'GrantTokens',
]);

// CloudTrail spells request and response members in camelCase. Plain loops: this runs on every KMS request.
function camelize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelize);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (SECRET_MEMBERS.has(k)) continue;
    const value = (v as Record<string, unknown>)[k];
    out[lcFirst(k)] = MAP_MEMBERS.has(k) && value && typeof value === 'object' ? { ...value } : camelize(value);
  }
  return out;
}

const keyResource = (arn: unknown) =>
  typeof arn === 'string' && arn.startsWith('arn:') ? [{ accountId: arn.split(':')[4]!, type: 'AWS::KMS::Key', ARN: arn }] : [];

export interface KmsAuditOptions {
  logResponse: boolean;
  /** Request members CloudTrail records even when not sent (KmsOperationDef.auditDefaults). */
  defaults?: Record<string, unknown>;
  /** The key the request was found to name (RequestContext.resolvedArn). */
  resolvedArn?: string;
  aliasArn?: string;
}

export function kmsAuditProjection(input: Input, output: Record<string, unknown> | undefined, o: KmsAuditOptions): AuditProjection {
  const { defaults } = o;
  // The keys used: the one created or described, or the one an operation ran under (ReEncrypt: source, then
  // destination); for a refused request, the key it was found to name (CloudTrail names it too).
  const keyArn = (output?.KeyMetadata as { Arn?: string } | undefined)?.Arn ?? output?.KeyId ?? o.resolvedArn;
  const resources = [...(output?.SourceKeyId !== keyArn ? keyResource(output?.SourceKeyId) : []), ...keyResource(keyArn), ...keyResource(o.aliasArn)];
  const requested = camelize(input) as Record<string, unknown>;
  // camelize made a fresh object: the defaults fill it in place (this runs on every Encrypt and Decrypt).
  if (defaults) for (const k in defaults) if (requested[k] === undefined) requested[k] = defaults[k];
  // Encryption contexts are not secret: AWS writes them to CloudTrail in clear (kms.md §5).
  return {
    requestParameters: requested,
    responseElements: o.logResponse && output ? (camelize(output) as Record<string, unknown>) : null,
    ...(resources.length > 0 ? { resources } : {}),
  };
}

export const reqKeyId = (input: Input, field = 'KeyId') => reqString(input, field, { min: 1, max: 2048 });
export const optKeyId = (input: Input, field = 'KeyId') => optString(input, field, { min: 1, max: 2048 });

export function encryptionContext(input: Input, field = 'EncryptionContext'): EncryptionContext | undefined {
  const ctx = optStringMap(input, field);
  if (ctx === undefined) return undefined;
  try {
    encodeEncryptionContext(ctx);
  } catch (err) {
    if (err instanceof EncryptionContextError) throw new ValidationException(err.message);
    throw err;
  }
  return ctx;
}

/** GrantTokens are accepted (up to 10) and take effect once grants exist (authorization issue). */
export function grantTokens(input: Input): string[] | undefined {
  return optStringList(input, 'GrantTokens', 10);
}

export function dryRunIfAsked(input: Input): void {
  if (optBool(input, 'DryRun')) throw new DryRunOperationException();
}

const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'];

export function symmetricAlgorithm(input: Input, field: string, keyArn: string): void {
  const alg = optString(input, field, { enum: ENCRYPTION_ALGORITHMS });
  if (alg !== undefined && alg !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`Algorithm ${alg} is incompatible with key spec SYMMETRIC_DEFAULT. (${keyArn})`);
  }
}

export function validateAlgorithmEnum(input: Input, field: string): void {
  optString(input, field, { enum: ENCRYPTION_ALGORITHMS });
}

/** Opaque paging markers: base64url of the last item's sort key. */
export function encodeMarker(last: string): string {
  return Buffer.from(last, 'utf8').toString('base64url');
}

export function decodeMarker(input: Input): string | undefined {
  const marker = optString(input, 'Marker', { min: 1, max: 1024 });
  if (marker === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(marker)) throw new InvalidMarkerException();
  return Buffer.from(marker, 'base64url').toString('utf8');
}

export function limit(input: Input, max: number, dflt: number): number {
  return optInt(input, 'Limit', 1, max) ?? dflt;
}

export const b64 = (b: Buffer) => b.toString('base64');

/** A request member as condition-key values: strings as given, booleans and numbers as their JSON text. */
function memberKey(input: Input, member: string, fallback?: string | number | boolean): ReadonlyArray<string> | undefined {
  const v = input[member] ?? fallback;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? [String(v)] : undefined;
}

/** [name, values] pairs for the members present (or defaulted), for KmsOperationDef.conditionKeys. */
export function memberKeys(
  input: Input,
  spec: ReadonlyArray<[key: string, member: string, fallback?: string | number | boolean]>,
): Array<[string, ReadonlyArray<string>]> {
  return spec.flatMap(([key, member, fallback]) => {
    const v = memberKey(input, member, fallback);
    return v ? [[key, v] as [string, ReadonlyArray<string>]] : [];
  });
}
