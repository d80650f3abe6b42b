// Shared pieces of the ACM operations: the operation shape, authorization (identity policies, acm:<Action>
// on the certificate ARN), ARN parsing, the CertificateDetail / summary renderings, tag rules.
import { Authorizer } from '../../../iam/authorizer.js';
import type { Input } from '../../../protocol/fields.js';
import { memberConstraintError, missingMember, optList, reqString } from '../../../protocol/fields.js';
import { SerializationException } from '../../../protocol/errors.js';
import type { RequestContext } from '../../../server/context.js';
import type { ApiOperation } from '../../../server/service.js';
import { certificateFacts } from '../../../pki/issuance.js';
import type { Certificates } from '../domain/certificates.js';
import { AcmAccessDeniedException, InvalidArnException, InvalidTagException, ResourceNotFoundException, TooManyTagsException } from '../errors.js';
import { type CertRecord, parseCertificateArn } from '../model.js';

export interface AcmDeps {
  certs: Certificates;
  authorizer: Authorizer;
}

export interface AcmOperationDef {
  name: string;
  readOnly: boolean;
  handler(deps: AcmDeps, ctx: RequestContext, input: Input): Promise<Record<string, unknown>>;
}

export function bindAcmOperation(def: AcmOperationDef, deps: AcmDeps): ApiOperation {
  return {
    readOnly: def.readOnly,
    handler: (ctx, input) => def.handler(deps, ctx, input),
    audit: (_ctx, input, output) => {
      const params = Object.fromEntries(
        Object.entries(input)
          .filter(([k]) => !['PrivateKey', 'Passphrase', 'Certificate', 'CertificateChain'].includes(k))
          .map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]),
      );
      const arn = (input.CertificateArn ?? output?.CertificateArn) as string | undefined;
      return {
        requestParameters: params,
        responseElements:
          def.readOnly || !output
            ? null
            : Object.fromEntries(Object.entries(output).filter(([k]) => !['PrivateKey', 'Certificate', 'CertificateChain'].includes(k))),
        ...(arn ? { resources: [{ accountId: arn.split(':')[4] ?? '', type: 'AWS::ACM::Certificate', ARN: arn }] } : {}),
      };
    },
  };
}

/**
 * Decides acm:<action> on `resource`; `keys` are the request's condition keys (acm:KeyAlgorithm, aws:ResourceTag/...,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscertificatemanager.html).
 */
export function authorizeAcm(deps: AcmDeps, ctx: RequestContext, action: string, resource: string, keys: Record<string, ReadonlyArray<string>> = {}): void {
  const check = { action: `acm:${action}`, resource };
  const d = deps.authorizer.decide(ctx, check, () => new Map(Object.entries(keys).map(([k, v]) => [k.toLowerCase(), v])));
  if (!d.allowed) throw new AcmAccessDeniedException(Authorizer.message(ctx, check, d));
}

/** The caller's certificate named by CertificateArn, in the request's region (certificates are regional). */
export async function certificate(deps: AcmDeps, ctx: RequestContext, input: Input, action: string): Promise<CertRecord> {
  const arn = reqString(input, 'CertificateArn', { min: 20, max: 2048 });
  const a = parseCertificateArn(arn);
  if (!a) throw new InvalidArnException(`String '${arn}' is not a valid ARN.`);
  // Looked up first so a policy can read the certificate's tags; whether it exists is answered after authorization.
  const c = a.region === ctx.region && a.accountId === ctx.principal.accountId ? await deps.certs.store.get(a.region, a.accountId, a.id) : undefined;
  authorizeAcm(deps, ctx, action, arn, tagKeysOf('aws:ResourceTag', c?.tags ?? []));
  if (!c) throw new ResourceNotFoundException(`Could not find certificate ${arn}.`);
  return c;
}

/** aws:ResourceTag/<key> or aws:RequestTag/<key> (and, for a request, aws:TagKeys) of ACM tags. */
export function tagKeysOf(prefix: 'aws:ResourceTag' | 'aws:RequestTag', tags: ReadonlyArray<{ Key: string; Value?: string }>): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(tags.map((t) => [`${prefix}/${t.Key}`, [t.Value ?? '']]));
  if (prefix === 'aws:RequestTag' && tags.length > 0) out['aws:TagKeys'] = tags.map((t) => t.Key);
  return out;
}

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function renewalEligibility(certs: Certificates, c: CertRecord): string {
  return certs.eligibleForRenewal(c) ? 'ELIGIBLE' : 'INELIGIBLE';
}

function keyAlgorithmOut(c: CertRecord): string {
  if (c.certPem) return certificateFacts(c.certPem).keyAlgorithm;
  return String(c.keyAlgorithm).replace('_', '-');
}

export function detail(certs: Certificates, c: CertRecord): Record<string, unknown> {
  const f = c.certPem ? certificateFacts(c.certPem) : undefined;
  // Before issuance ACM already names the subject, the issuer and the signature algorithm to come.
  const pending = !f && c.type !== 'IMPORTED' ? certs.pendingFacts(c) : undefined;
  return {
    CertificateArn: c.arn,
    DomainName: c.domainName,
    SubjectAlternativeNames: c.sans,
    // ACM reports each name as its own validation domain (a wildcard's record is on its base domain) and an
    // imported certificate's names without validation details (recorded from AWS in localstack's ACM snapshots).
    DomainValidationOptions:
      c.type === 'IMPORTED'
        ? c.sans.map((DomainName) => ({ DomainName }))
        : c.domainValidations.map((d) => ({
            DomainName: d.domainName,
            ValidationDomain: d.domainName,
            ValidationStatus: d.status,
            ...(c.type === 'AMAZON_ISSUED' ? { ResourceRecord: { Name: d.recordName, Type: 'CNAME', Value: d.recordValue }, ValidationMethod: 'DNS' } : {}),
          })),
    ...(f
      ? {
          Serial: f.serialColon,
          Subject: f.subject,
          Issuer: f.issuerLabel,
          NotBefore: f.notBefore.getTime() / 1000,
          NotAfter: f.notAfter.getTime() / 1000,
          SignatureAlgorithm: f.signatureAlgorithm,
        }
      : pending
        ? { Subject: pending.subject, Issuer: pending.issuer, SignatureAlgorithm: pending.signatureAlgorithm }
        : {}),
    CreatedAt: seconds(c.createdAt),
    ...(c.issuedAt ? { IssuedAt: seconds(c.issuedAt) } : {}),
    ...(c.importedAt ? { ImportedAt: seconds(c.importedAt) } : {}),
    Status: c.status,
    ...(c.revokedAt ? { RevokedAt: seconds(c.revokedAt), RevocationReason: c.revocationReason } : {}),
    ...(c.failureReason ? { FailureReason: c.failureReason } : {}),
    KeyAlgorithm: keyAlgorithmOut(c),
    InUseBy: c.inUseBy,
    Type: c.type,
    ...(c.renewal
      ? {
          RenewalSummary: {
            RenewalStatus: c.renewal.status,
            DomainValidationOptions: c.domainValidations.map((d) => ({ DomainName: d.domainName, ValidationStatus: d.status })),
            UpdatedAt: seconds(c.renewal.updatedAt),
            ...(c.renewal.reason ? { RenewalStatusReason: c.renewal.reason } : {}),
          },
        }
      : {}),
    KeyUsages: (f?.keyUsages ?? []).map((Name) => ({ Name })),
    ExtendedKeyUsages: f?.extendedKeyUsages ?? [],
    ...(c.certificateAuthorityArn ? { CertificateAuthorityArn: c.certificateAuthorityArn } : {}),
    RenewalEligibility: renewalEligibility(certs, c),
    Options: c.options,
  };
}

/** A certificate's key usages and extended key usages, as ACM names them: none until it is issued. */
export function usagesOf(c: CertRecord): { keyUsages: string[]; extendedKeyUsages: string[] } {
  const f = c.certPem ? certificateFacts(c.certPem) : undefined;
  return { keyUsages: f?.keyUsages ?? [], extendedKeyUsages: (f?.extendedKeyUsages ?? []).map((u) => u.Name) };
}

export function summary(certs: Certificates, c: CertRecord): Record<string, unknown> {
  const f = c.certPem ? certificateFacts(c.certPem) : undefined;
  return {
    CertificateArn: c.arn,
    DomainName: c.domainName,
    SubjectAlternativeNameSummaries: c.sans.slice(0, 100),
    HasAdditionalSubjectAlternativeNames: c.sans.length > 100,
    Status: c.status,
    Type: c.type,
    KeyAlgorithm: keyAlgorithmOut(c),
    KeyUsages: f?.keyUsages ?? [],
    ExtendedKeyUsages: (f?.extendedKeyUsages ?? []).map((u) => u.Name),
    ExportOption: c.options.Export,
    InUse: c.inUseBy.length > 0,
    Exported: c.exported,
    RenewalEligibility: renewalEligibility(certs, c),
    ...(f ? { NotBefore: f.notBefore.getTime() / 1000, NotAfter: f.notAfter.getTime() / 1000 } : {}),
    CreatedAt: seconds(c.createdAt),
    ...(c.issuedAt ? { IssuedAt: seconds(c.issuedAt) } : {}),
    ...(c.importedAt ? { ImportedAt: seconds(c.importedAt) } : {}),
    ...(c.revokedAt ? { RevokedAt: seconds(c.revokedAt) } : {}),
  };
}

export function parseTags(input: Input): Array<{ Key: string; Value?: string }> {
  const list = optList(input, 'Tags') ?? [];
  // The API caps a request at 50 tags, the same as a certificate (ACM quotas).
  if (list.length > 50) throw new TooManyTagsException('A certificate can have at most 50 tags.');
  return list.map((t, i) => {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new SerializationException('Each tag is a structure.');
    const { Key, Value } = t as Record<string, unknown>;
    if ((Key !== undefined && typeof Key !== 'string') || (Value !== undefined && Value !== null && typeof Value !== 'string'))
      throw new SerializationException('A tag Key and Value are strings.');
    // Lengths are the API's member constraints, answered as every AWS JSON service answers them (ValidationException
    // naming the member path); the reserved prefix is ACM's own InvalidTagException (API reference, AddTagsToCertificate).
    const at = `tags.${i + 1}.member`;
    if (Key === undefined) throw missingMember(`${at}.key`);
    if (Key.length < 1) throw memberConstraintError(Key, `${at}.key`, 'Member must have length greater than or equal to 1');
    if (Key.length > 128) throw memberConstraintError(Key, `${at}.key`, 'Member must have length less than or equal to 128');
    if (typeof Value === 'string' && Value.length > 256) throw memberConstraintError(Value, `${at}.value`, 'Member must have length less than or equal to 256');
    if (Key.startsWith('aws:')) throw new InvalidTagException('Tags beginning with aws: are reserved.');
    return typeof Value === 'string' ? { Key, Value } : { Key };
  });
}

export function mergeTags(existing: CertRecord['tags'], added: CertRecord['tags']): CertRecord['tags'] {
  const m = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) m.set(t.Key, t);
  if (m.size > 50) throw new TooManyTagsException('A certificate can have at most 50 tags.');
  return [...m.values()];
}
