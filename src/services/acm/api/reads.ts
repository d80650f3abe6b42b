// DescribeCertificate, ListCertificates (filters, paging; keyTypes default RSA_1024 + RSA_2048 as ACM),
// GetCertificate (RequestInProgressException until issued), ListTagsForCertificate, GetAccountConfiguration.
import { optEnumList, optInt, optString, optStruct } from '../../../protocol/fields.js';
import { certificateFacts } from '../../../pki/issuance.js';
import { AcmValidationException, RequestInProgressException } from '../errors.js';
import { type AcmOperationDef, authorizeAcm, certificate, detail, summary, usagesOf } from './common.js';

export const describeCertificate: AcmOperationDef = {
  name: 'DescribeCertificate',
  readOnly: true,
  async handler(deps, ctx, input) {
    return { Certificate: detail(deps.certs, await certificate(deps, ctx, input, 'DescribeCertificate')) };
  },
};

export const getCertificate: AcmOperationDef = {
  name: 'GetCertificate',
  readOnly: true,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'GetCertificate');
    if (!c.certPem) throw new RequestInProgressException(`Certificate ${c.arn} is not yet issued.`);
    return { Certificate: c.certPem, ...(c.chainPem ? { CertificateChain: c.chainPem } : {}) };
  },
};

const KEY_TYPE_OUT: Record<string, string> = {
  'RSA-2048': 'RSA_2048',
  'EC-prime256v1': 'EC_prime256v1',
  'EC-secp384r1': 'EC_secp384r1',
  'RSA-1024': 'RSA_1024',
  'RSA-3072': 'RSA_3072',
  'RSA-4096': 'RSA_4096',
  'EC-secp521r1': 'EC_secp521r1',
};

// The value sets of ListCertificates' members (https://docs.aws.amazon.com/acm/latest/APIReference/API_ListCertificates.html).
const STATUSES = ['PENDING_VALIDATION', 'ISSUED', 'INACTIVE', 'EXPIRED', 'VALIDATION_TIMED_OUT', 'REVOKED', 'FAILED'];
const KEY_USAGE_FILTER = [
  'DIGITAL_SIGNATURE',
  'NON_REPUDIATION',
  'KEY_ENCIPHERMENT',
  'DATA_ENCIPHERMENT',
  'KEY_AGREEMENT',
  'CERTIFICATE_SIGNING',
  'CRL_SIGNING',
  'ENCIPHER_ONLY',
  'DECIPHER_ONLY',
  'ANY',
  'CUSTOM',
];
const EXTENDED_KEY_USAGE_FILTER = [
  'TLS_WEB_SERVER_AUTHENTICATION',
  'TLS_WEB_CLIENT_AUTHENTICATION',
  'CODE_SIGNING',
  'EMAIL_PROTECTION',
  'TIME_STAMPING',
  'OCSP_SIGNING',
  'IPSEC_END_SYSTEM',
  'IPSEC_TUNNEL',
  'IPSEC_USER',
  'ANY',
  'NONE',
  'CUSTOM',
];

export const listCertificates: AcmOperationDef = {
  name: 'ListCertificates',
  readOnly: true,
  async handler(deps, ctx, input) {
    authorizeAcm(deps, ctx, 'ListCertificates', '*');
    const statuses = optEnumList(input, 'CertificateStatuses', STATUSES) ?? [];
    // Includes (ACM's Filters): a certificate is listed when it has one of the values of each list given.
    const includes = optStruct(input, 'Includes') ?? {};
    const keyTypesIn = optEnumList(includes, 'keyTypes', Object.values(KEY_TYPE_OUT));
    const keyTypes = keyTypesIn?.length ? keyTypesIn : ['RSA_1024', 'RSA_2048'];
    const usages = optEnumList(includes, 'keyUsage', KEY_USAGE_FILTER);
    const extendedUsages = optEnumList(includes, 'extendedKeyUsage', EXTENDED_KEY_USAGE_FILTER);
    const exportOption = optString(includes, 'exportOption', { enum: ['ENABLED', 'DISABLED'] });
    // Keyhold manages no certificate for CloudFront: filtering by it lists nothing.
    const managedBy = optString(includes, 'managedBy', { enum: ['CLOUDFRONT'] });
    optString(input, 'SortBy', { enum: ['CREATED_AT'] });
    const max = optInt(input, 'MaxItems', 1, 1000) ?? 1000;
    const token = optString(input, 'NextToken', { min: 1, max: 10000 });
    const sortOrder = optString(input, 'SortOrder', { enum: ['ASCENDING', 'DESCENDING'] }) ?? 'ASCENDING';
    let start = 0;
    if (token !== undefined) {
      start = Number(Buffer.from(token, 'base64url').toString());
      if (!Number.isInteger(start) || start < 0) throw new AcmValidationException('The NextToken is not valid.');
    }
    const all = (await deps.certs.store.list(ctx.region, ctx.principal.accountId))
      .filter((c) => statuses.length === 0 || statuses.includes(c.status))
      .filter((c) => {
        const kt = c.certPem ? KEY_TYPE_OUT[certificateFacts(c.certPem).keyAlgorithm] : String(c.keyAlgorithm);
        return kt !== undefined && keyTypes.includes(kt);
      })
      .filter((c) => !exportOption || c.options.Export === exportOption)
      .filter((c) => !usages?.length || usages.includes('ANY') || usagesOf(c).keyUsages.some((u) => usages.includes(u)))
      .filter((c) => !extendedUsages?.length || extendedUsages.includes('ANY') || usagesOf(c).extendedKeyUsages.some((u) => extendedUsages.includes(u)))
      // No Keyhold certificate is managed by CloudFront.
      .filter(() => managedBy === undefined)
      .sort((a, b) => (sortOrder === 'ASCENDING' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt));
    const page = all.slice(start, start + max);
    return {
      CertificateSummaryList: page.map((c) => summary(deps.certs, c)),
      ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
    };
  },
};

export const listTagsForCertificate: AcmOperationDef = {
  name: 'ListTagsForCertificate',
  readOnly: true,
  async handler(deps, ctx, input) {
    return { Tags: (await certificate(deps, ctx, input, 'ListTagsForCertificate')).tags };
  },
};

export const getAccountConfiguration: AcmOperationDef = {
  name: 'GetAccountConfiguration',
  readOnly: true,
  async handler(deps, ctx) {
    authorizeAcm(deps, ctx, 'GetAccountConfiguration', '*');
    return { ExpiryEvents: await deps.certs.store.accountConfig(ctx.principal.accountId) };
  },
};
