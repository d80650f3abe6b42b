// DescribeCertificate, ListCertificates (filters, paging; keyTypes default RSA_1024 + RSA_2048 as ACM),
// GetCertificate (RequestInProgressException until issued), ListTagsForCertificate, GetAccountConfiguration.
import { optInt, optString } from '../../../protocol/fields.js';
import { certificateFacts } from '../../../pki/issuance.js';
import { AcmValidationException, RequestInProgressException } from '../errors.js';
import { type AcmOperationDef, authorizeAcm, certificate, detail, summary } from './common.js';

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

export const listCertificates: AcmOperationDef = {
  name: 'ListCertificates',
  readOnly: true,
  async handler(deps, ctx, input) {
    authorizeAcm(deps, ctx, 'ListCertificates', '*');
    const statuses = (input.CertificateStatuses as string[] | undefined) ?? [];
    const includes = (input.Includes ?? {}) as { keyTypes?: string[]; exportOption?: string };
    const keyTypes = includes.keyTypes?.length ? includes.keyTypes : ['RSA_1024', 'RSA_2048'];
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
      .filter((c) => !includes.exportOption || c.options.Export === includes.exportOption)
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
