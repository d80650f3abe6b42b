// Changes to certificates: ImportCertificate (and re-import to the same ARN), ExportCertificate
// (passphrase-encrypted PKCS#8), DeleteCertificate (ResourceInUseException while in use), RenewCertificate,
// RevokeCertificate (the CRL is regenerated), tags, PutAccountConfiguration.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { missingMember, optInt, optString, optStruct, reqBlob, reqString } from '../../../protocol/fields.js';
import { ValidationException } from '../../../protocol/errors.js';
import { InvalidParameterException, InvalidStateException, ResourceInUseException, AcmValidationException } from '../errors.js';
import { type AcmOperationDef, authorizeAcm, certificate, mergeTags, parseTags } from './common.js';
import type { CertRecord } from '../model.js';

export const importCertificate: AcmOperationDef = {
  name: 'ImportCertificate',
  readOnly: false,
  async handler(deps, ctx, input) {
    const certPem = reqBlob(input, 'Certificate', 1, 32768).toString('utf8');
    const keyPem = reqBlob(input, 'PrivateKey', 1, 5120).toString('utf8');
    const chainPem = input.CertificateChain !== undefined ? reqBlob(input, 'CertificateChain', 1, 2097152).toString('utf8') : undefined;
    const arn = optString(input, 'CertificateArn', { min: 20, max: 2048 });
    const tags = parseTags(input);
    if (arn && tags.length) throw new InvalidParameterException('You cannot add tags while re-importing a certificate.');
    let cert: X509Certificate;
    let key: ReturnType<typeof createPrivateKey>;
    try {
      cert = new X509Certificate(certPem);
    } catch {
      throw new ValidationException('The certificate field contains more than one certificate or is not a valid PEM certificate.');
    }
    try {
      key = createPrivateKey(keyPem);
    } catch {
      throw new ValidationException('The private key is not supported or is encrypted (import an unencrypted PEM private key).');
    }
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    if (!spki(createPublicKey(key)).equals(spki(cert.publicKey)))
      throw new ValidationException('The private key does not match the public key in the certificate.');
    const now = deps.certs.clock();
    if (Date.parse(cert.validTo) < now || Date.parse(cert.validFrom) > now) throw new ValidationException('The certificate is expired or not yet valid.');
    if (!cert.issuer) throw new ValidationException('The certificate has no issuer.');
    const names = (cert.subjectAltName ?? '')
      .split(', ')
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4));
    const cn = /CN=([^\n,]+)/.exec(cert.subject)?.[1];
    const pkcs8 = Buffer.from(key.export({ type: 'pkcs8', format: 'der' }));
    let rec: CertRecord;
    if (arn) {
      const existing = await certificate(deps, ctx, input, 'ImportCertificate');
      if (existing.type !== 'IMPORTED') throw new InvalidStateException('Only imported certificates can be re-imported.');
      rec = existing;
    } else {
      rec = deps.certs.newRecord({
        accountId: ctx.principal.accountId,
        region: ctx.region,
        domainName: cn ?? names[0] ?? 'imported',
        sans: names,
        type: 'IMPORTED',
        keyAlgorithm: 'IMPORTED',
        tags,
      });
      authorizeAcm(deps, ctx, 'ImportCertificate', rec.arn);
    }
    const sealedKey = await deps.certs.privateKeySealer().seal(rec.accountId, rec.region, rec.arn, pkcs8);
    pkcs8.fill(0);
    rec = {
      ...rec,
      certPem: cert.toString(),
      ...(chainPem ? { chainPem } : {}),
      sealedKey,
      status: 'ISSUED' as const,
      importedAt: now,
      domainName: cn ?? names[0] ?? rec.domainName,
      sans: names.length ? names : rec.sans,
    };
    await deps.certs.store.put(rec);
    return { CertificateArn: rec.arn };
  },
};

export const exportCertificate: AcmOperationDef = {
  name: 'ExportCertificate',
  readOnly: false,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'ExportCertificate');
    const passphrase = reqBlob(input, 'Passphrase', 4, 128);
    if (c.options.Export !== 'ENABLED' || c.type === 'IMPORTED')
      throw new ValidationException(`Certificate ${c.arn} is not exportable (private certificates, or public ones requested with Options.Export ENABLED).`);
    if (c.status !== 'ISSUED' || !c.certPem) throw new InvalidStateException(`Certificate ${c.arn} is not issued.`);
    const der = await deps.certs.privateKeyPkcs8(c);
    const encrypted = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase });
    der.fill(0);
    await deps.certs.store.update(c.region, c.accountId, c.id, (r) => {
      r.exported = true;
    });
    return { Certificate: c.certPem, CertificateChain: c.chainPem ?? '', PrivateKey: encrypted.toString() };
  },
};

export const deleteCertificate: AcmOperationDef = {
  name: 'DeleteCertificate',
  readOnly: false,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'DeleteCertificate');
    if (c.inUseBy.length > 0) throw new ResourceInUseException();
    await deps.certs.store.delete(c);
    return {};
  },
};

export const renewCertificate: AcmOperationDef = {
  name: 'RenewCertificate',
  readOnly: false,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'RenewCertificate');
    if (!deps.certs.eligibleForRenewal(c))
      throw new ValidationException(`Certificate ${c.arn} is not eligible for renewal (only issued private certificates, or public ones in use or exported).`);
    await deps.certs.renew(c);
    return {};
  },
};

const REVOCATION_REASONS = [
  'UNSPECIFIED',
  'KEY_COMPROMISE',
  'CA_COMPROMISE',
  'AFFILIATION_CHANGED',
  'SUPERCEDED',
  'SUPERSEDED',
  'CESSATION_OF_OPERATION',
  'CERTIFICATE_HOLD',
  'REMOVE_FROM_CRL',
  'PRIVILEGE_WITHDRAWN',
  'A_A_COMPROMISE',
];

export const revokeCertificate: AcmOperationDef = {
  name: 'RevokeCertificate',
  readOnly: false,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'RevokeCertificate');
    const reason = reqString(input, 'RevocationReason', { enum: REVOCATION_REASONS });
    if (c.type === 'IMPORTED') throw new ValidationException('Imported certificates cannot be revoked by Keyhold.');
    if (c.status !== 'ISSUED') throw new InvalidStateException(`Certificate ${c.arn} is ${c.status}.`);
    if (c.type === 'AMAZON_ISSUED' && !c.exported) throw new ValidationException('Only exported public certificates can be revoked.');
    await deps.certs.revoke(c, reason);
    return { CertificateArn: c.arn };
  },
};

export const addTagsToCertificate: AcmOperationDef = {
  name: 'AddTagsToCertificate',
  readOnly: false,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'AddTagsToCertificate');
    const tags = parseTags(input);
    if (tags.length === 0) throw missingMember('Tags');
    await deps.certs.store.update(c.region, c.accountId, c.id, (r) => {
      r.tags = mergeTags(r.tags, tags);
    });
    return {};
  },
};

export const removeTagsFromCertificate: AcmOperationDef = {
  name: 'RemoveTagsFromCertificate',
  readOnly: false,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'RemoveTagsFromCertificate');
    const tags = parseTags(input);
    await deps.certs.store.update(c.region, c.accountId, c.id, (r) => {
      // A tag named without a Value is removed whatever its value; with a Value, only when it matches.
      r.tags = r.tags.filter((t) => !tags.some((x) => x.Key === t.Key && (x.Value === undefined || x.Value === t.Value)));
    });
    return {};
  },
};

export const putAccountConfiguration: AcmOperationDef = {
  name: 'PutAccountConfiguration',
  readOnly: false,
  async handler(deps, ctx, input) {
    authorizeAcm(deps, ctx, 'PutAccountConfiguration', '*');
    reqString(input, 'IdempotencyToken', { min: 1, max: 32, pattern: /^\w+$/ });
    const days = optInt(optStruct(input, 'ExpiryEvents') ?? {}, 'DaysBeforeExpiry', 1, 45);
    // AWS's words for no ExpiryEvents (moto's AWS-verified test_put_account_configuration_without_parameters).
    if (days === undefined) throw new AcmValidationException('Configuration for events is empty.');
    await deps.certs.store.putAccountConfig(ctx.principal.accountId, { DaysBeforeExpiry: days });
    return {};
  },
};

export const updateCertificateOptions: AcmOperationDef = {
  name: 'UpdateCertificateOptions',
  readOnly: false,
  async handler(deps, ctx, input) {
    const c = await certificate(deps, ctx, input, 'UpdateCertificateOptions');
    const options = optStruct(input, 'Options');
    if (!options) throw new ValidationException('Options is required.');
    const unknown = Object.keys(options).filter((k) => k !== 'CertificateTransparencyLoggingPreference');
    // Export is fixed when the certificate is requested (it decides what the CA may issue).
    if (unknown.length > 0) throw new ValidationException(`Only CertificateTransparencyLoggingPreference can be updated, not ${unknown.join(', ')}.`);
    const pref = optString(options, 'CertificateTransparencyLoggingPreference', { enum: ['ENABLED', 'DISABLED'] });
    if (!pref) throw new ValidationException('Options.CertificateTransparencyLoggingPreference is required.');
    if (c.type === 'IMPORTED') throw new InvalidStateException('Transparency logging options do not apply to imported certificates.');
    await deps.certs.store.update(c.region, c.accountId, c.id, (r) => {
      r.options = { ...r.options, CertificateTransparencyLoggingPreference: pref };
    });
    return {};
  },
};

/**
 * ResendValidationEmail. Keyhold validates domains by DNS only (RequestCertificate refuses EMAIL), so no
 * certificate is waiting for a validation email: after the usual input and ARN checks, InvalidStateException,
 * as ACM answers for a certificate that is not pending email validation.
 */
export const resendValidationEmail: AcmOperationDef = {
  name: 'ResendValidationEmail',
  readOnly: false,
  async handler(deps, ctx, input) {
    reqString(input, 'Domain', { min: 1, max: 253 });
    reqString(input, 'ValidationDomain', { min: 1, max: 253 });
    const c = await certificate(deps, ctx, input, 'ResendValidationEmail');
    throw new InvalidStateException(`Certificate ${c.arn} is not pending email validation: Keyhold validates domains by DNS.`);
  },
};
