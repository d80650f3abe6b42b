// RequestCertificate: DNS-validated certificates (issued once every name validates) or private
// certificates from a Keyhold CA (CertificateAuthorityArn: issued at once). IdempotencyToken: the same
// token within an hour returns the same ARN.
import { SerializationException } from '../../../protocol/errors.js';
import { type Input, optList, optString, optStringList, optStruct, reqString } from '../../../protocol/fields.js';
import type { KeyAlgorithm } from '../../../pki/issuance.js';
import { InvalidDomainValidationOptionsException, LimitExceededException, ResourceNotFoundException, AcmValidationException } from '../errors.js';
import { type AcmOperationDef, authorizeAcm, parseTags, tagKeysOf } from './common.js';

const DOMAIN_RE = /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/;
const MAX_NAMES = 10;

function domain(name: string, field: string): string {
  if (name.length > 253 || !DOMAIN_RE.test(name))
    throw new AcmValidationException(
      `1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${DOMAIN_RE.source}`,
    );
  return name.toLowerCase();
}

export const requestCertificate: AcmOperationDef = {
  name: 'RequestCertificate',
  readOnly: false,
  async handler(deps, ctx, input: Input) {
    const domainName = domain(reqString(input, 'DomainName', { min: 1, max: 253 }), 'domainName');
    if (Buffer.byteLength(domainName.replace(/^\*\./, '')) > 64) throw new AcmValidationException('DomainName must be at most 64 octets.');
    const sans = (optStringList(input, 'SubjectAlternativeNames') ?? []).map((s, i) => domain(s, `subjectAlternativeNames.${i + 1}.member`));
    const names = [...new Set([domainName, ...sans])];
    if (names.length > MAX_NAMES) throw new LimitExceededException(`The number of domain names in the certificate request exceeds the quota of ${MAX_NAMES}.`);
    const method = optString(input, 'ValidationMethod', { enum: ['DNS', 'EMAIL', 'HTTP'] }) ?? 'DNS';
    const keyAlgorithm = (optString(input, 'KeyAlgorithm', {
      enum: ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1'],
    }) ?? 'RSA_2048') as string;
    if (!['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'].includes(keyAlgorithm))
      throw new AcmValidationException(`KeyAlgorithm ${keyAlgorithm} is not supported for certificate requests. Use RSA_2048, EC_prime256v1 or EC_secp384r1.`);
    const token = optString(input, 'IdempotencyToken', { min: 1, max: 32, pattern: /^\w+$/ });
    const caArn = optString(input, 'CertificateAuthorityArn', { min: 20, max: 2048 });
    const optionsIn = optStruct(input, 'Options') ?? {};
    const options = {
      Export: optString(optionsIn, 'Export', { enum: ['ENABLED', 'DISABLED'] }),
      CertificateTransparencyLoggingPreference: optString(optionsIn, 'CertificateTransparencyLoggingPreference', { enum: ['ENABLED', 'DISABLED'] }),
    };
    const dvo = optList(input, 'DomainValidationOptions')?.map((d, i) => {
      if (d === null || typeof d !== 'object' || Array.isArray(d))
        throw new SerializationException(`Expected a structure for DomainValidationOptions.${i + 1}`);
      return {
        DomainName: reqString(d as Input, 'DomainName', { min: 1, max: 253 }),
        ValidationDomain: reqString(d as Input, 'ValidationDomain', { min: 1, max: 253 }),
      };
    });
    if (dvo?.some((d) => !names.includes(d.DomainName.toLowerCase()))) {
      throw new InvalidDomainValidationOptionsException('DomainValidationOptions must name domains of the request.');
    }
    const tags = parseTags(input);
    if (method !== 'DNS' && !caArn) throw new AcmValidationException(`ValidationMethod ${method} is not supported by Keyhold; use DNS.`);
    if (caArn && caArn !== deps.certs.caArn(ctx.region)) throw new ResourceNotFoundException(`Could not find certificate authority ${caArn}.`);
    const type = caArn ? 'PRIVATE' : 'AMAZON_ISSUED';
    const rec = deps.certs.newRecord({
      accountId: ctx.principal.accountId,
      region: ctx.region,
      domainName,
      sans: names,
      type,
      keyAlgorithm: keyAlgorithm as KeyAlgorithm,
      options: {
        CertificateTransparencyLoggingPreference: options?.CertificateTransparencyLoggingPreference ?? 'ENABLED',
        Export: options?.Export ?? (type === 'PRIVATE' ? 'ENABLED' : 'DISABLED'),
      },
      tags,
      ...(token ? { idempotencyToken: token } : {}),
      ...(caArn ? { certificateAuthorityArn: caArn } : {}),
    });
    authorizeAcm(deps, ctx, 'RequestCertificate', rec.arn, {
      'acm:ValidationMethod': [method],
      'acm:DomainNames': names,
      'acm:KeyAlgorithm': [keyAlgorithm],
      'acm:CertificateTransparencyLogging': [rec.options.CertificateTransparencyLoggingPreference],
      ...(caArn ? { 'acm:CertificateAuthority': [caArn] } : {}),
      ...tagKeysOf('aws:RequestTag', tags),
    });
    if (token) {
      const same = (await deps.certs.store.list(ctx.region, ctx.principal.accountId)).find(
        (c) => c.idempotencyToken === token && deps.certs.clock() - c.createdAt < 3_600_000,
      );
      if (same) return { CertificateArn: same.arn };
    }
    await deps.certs.store.put(rec, true);
    if (type === 'PRIVATE') await deps.certs.issueOrDefer(rec);
    return { CertificateArn: rec.arn };
  },
};
