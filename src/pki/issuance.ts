// Certificate issuance for the certificate manager: issuing intermediates under Keyhold's root CA, server
// certificates with today's public profile, and CRLs. Keys: RSA 2048, EC P-256, EC P-384.
// Profile (shared/reference/acm.md §7): random positive 128-bit serial; leaf BasicConstraints CA:FALSE,
// KeyUsage digitalSignature (+ keyEncipherment for RSA), EKU serverAuth only, SAN with every name, AKI/SKI,
// a CRL distribution point; intermediates CA:TRUE pathLen 0, keyCertSign + cRLSign.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import { importSigningKey } from './x509.js';

export type KeyAlgorithm = 'RSA_2048' | 'EC_prime256v1' | 'EC_secp384r1';

const ALGS: Record<
  KeyAlgorithm,
  { gen: RsaHashedKeyGenParams | EcKeyGenParams; sign: Algorithm | EcdsaParams; import: RsaHashedImportParams | EcKeyImportParams }
> = {
  RSA_2048: {
    gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as RsaHashedKeyGenParams,
    sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm,
    import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  },
  EC_prime256v1: {
    gen: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    import: { name: 'ECDSA', namedCurve: 'P-256' },
  },
  EC_secp384r1: {
    gen: { name: 'ECDSA', namedCurve: 'P-384' },
    sign: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
    import: { name: 'ECDSA', namedCurve: 'P-384' },
  },
};

export interface Issued {
  certPem: string;
  keyPkcs8: Buffer;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

export interface Signer {
  certPem: string;
  keyPkcs8: Buffer;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

async function generate(alg: KeyAlgorithm): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGS[alg].gen as never, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

async function pkcs8(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as unknown as webcrypto.CryptoKey));
}

/** The signing algorithm that matches a CA certificate's key (EC P-256 for Keyhold's CAs). */
function caSigning(caCert: x509.X509Certificate): EcdsaParams | Algorithm {
  const alg = caCert.publicKey.algorithm as EcKeyAlgorithm;
  return alg.name === 'ECDSA'
    ? ({ name: 'ECDSA', hash: alg.namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256' } as EcdsaParams)
    : ({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as Algorithm);
}

export async function createIntermediate(root: Signer, commonName: string, validityDays: number, now = new Date()): Promise<Issued> {
  const rootCert = new x509.X509Certificate(root.certPem);
  const keys = await generate('EC_prime256v1');
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(Math.min(now.getTime() + validityDays * 86_400_000, rootCert.notAfter.getTime()));
  const s = serial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: s,
    subject: `CN=${commonName}, O=Keyhold`,
    issuer: rootCert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: caSigning(rootCert),
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(root.keyPkcs8),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootCert, false),
    ],
  });
  return { certPem: cert.toString('pem'), keyPkcs8: await pkcs8(keys.privateKey), serial: s, notBefore, notAfter };
}

export interface LeafRequest {
  names: string[];
  keyAlgorithm: KeyAlgorithm;
  validityMs: number;
  crlUrl?: string;
  now?: Date;
}

export async function issueLeaf(ca: Signer, req: LeafRequest): Promise<Issued> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const keys = await generate(req.keyAlgorithm);
  const now = req.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(Math.min(now.getTime() + req.validityMs, caCert.notAfter.getTime()));
  const s = serial();
  const usage = x509.KeyUsageFlags.digitalSignature | (req.keyAlgorithm === 'RSA_2048' ? x509.KeyUsageFlags.keyEncipherment : 0);
  const cn = req.names[0]!.replace(/^\*\./, 'wildcard.');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: s,
    subject: `CN=${req.names[0]!.length <= 64 ? req.names[0] : cn.slice(0, 64)}`,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: caSigning(caCert),
    publicKey: keys.publicKey,
    signingKey: await importSigningKey(ca.keyPkcs8),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(req.names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
      ...(req.crlUrl ? [new x509.CRLDistributionPointsExtension([req.crlUrl])] : []),
    ],
  });
  return { certPem: cert.toString('pem'), keyPkcs8: await pkcs8(keys.privateKey), serial: s, notBefore, notAfter };
}

export interface Revoked {
  serial: string;
  revokedAt: Date;
  reason: x509.X509CrlReason;
}

/** A CRL of the CA, DER-encoded (served as application/pkix-crl). */
export async function createCrl(ca: Signer, revoked: Revoked[], now = new Date(), nextUpdateMs = 86_400_000): Promise<Buffer> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const crl = await x509.X509CrlGenerator.create({
    issuer: caCert.subject,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + nextUpdateMs),
    signingAlgorithm: caSigning(caCert),
    signingKey: await importSigningKey(ca.keyPkcs8),
    entries: revoked.map((r) => ({ serialNumber: r.serial, revocationDate: r.revokedAt, reason: r.reason })),
    extensions: [await x509.AuthorityKeyIdentifierExtension.create(caCert, false)],
  });
  return Buffer.from(crl.rawData);
}

// ACM's names for the key usage bits (RFC 5280 §4.2.1.3) and extended key usage purposes (§4.2.1.12).
const KEY_USAGE_NAMES: ReadonlyArray<[number, string]> = [
  [1, 'DIGITAL_SIGNATURE'],
  [2, 'NON_REPUDIATION'],
  [4, 'KEY_ENCIPHERMENT'],
  [8, 'DATA_ENCIPHERMENT'],
  [16, 'KEY_AGREEMENT'],
  [32, 'CERTIFICATE_SIGNING'],
  [64, 'CRL_SIGNING'],
  [128, 'ENCIPHER_ONLY'],
  [256, 'DECIPHER_ONLY'],
];
const EXTENDED_KEY_USAGE_NAMES: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'TLS_WEB_SERVER_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.2': 'TLS_WEB_CLIENT_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING',
  '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION',
  '1.3.6.1.5.5.7.3.5': 'IPSEC_END_SYSTEM',
  '1.3.6.1.5.5.7.3.6': 'IPSEC_TUNNEL',
  '1.3.6.1.5.5.7.3.7': 'IPSEC_USER',
  '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING',
  '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING',
  '2.5.29.37.0': 'ANY',
};

/** ACM writes distinguished names without a space after the separating commas ("C=AU,O=Example,CN=host"). */
const acmName = (dn: string) => dn.replace(/, (?=[A-Za-z][A-Za-z0-9.]*=)/g, ',');

/**
 * The issuer as ACM's DescribeCertificate names it: the issuer's organization ("Amazon" for its public
 * certificates; "LocalStack Org" for a certificate imported with O=LocalStack Org, as recorded from AWS in
 * localstack's ACM snapshots), else its common name, else the whole distinguished name.
 */
function issuerLabel(name: x509.Name): string {
  return name.getField('O')[0] ?? name.getField('CN')[0] ?? acmName(name.toString());
}

/** Details DescribeCertificate reports, read from the certificate itself. */
export function certificateFacts(pem: string) {
  const c = new x509.X509Certificate(pem);
  const alg = c.publicKey.algorithm as EcKeyAlgorithm & RsaHashedKeyAlgorithm;
  const keyAlgorithm =
    alg.name === 'ECDSA'
      ? alg.namedCurve === 'P-384'
        ? 'EC-secp384r1'
        : alg.namedCurve === 'P-521'
          ? 'EC-secp521r1'
          : 'EC-prime256v1'
      : `RSA-${alg.modulusLength ?? 2048}`;
  const sigHash = ((c.signatureAlgorithm as RsaHashedKeyAlgorithm).hash as { name?: string } | undefined)?.name ?? 'SHA-256';
  const signatureAlgorithm = `${sigHash.replace('-', '')}WITH${c.signatureAlgorithm.name === 'ECDSA' ? 'ECDSA' : 'RSA'}`;
  const san = c.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    serial: c.serialNumber,
    serialColon: c.serialNumber
      .replace(/^(00)+/, '')
      .match(/.{1,2}/g)!
      .join(':'),
    subject: acmName(c.subject),
    issuer: acmName(c.issuer),
    issuerLabel: issuerLabel(c.issuerName),
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    keyAlgorithm,
    signatureAlgorithm,
    names: san ? san.names.items.map((n) => n.value) : [],
    isCa: c.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    keyUsages: KEY_USAGE_NAMES.filter(([bit]) => ((c.getExtension(x509.KeyUsagesExtension)?.usages ?? 0) & bit) !== 0).map(([, name]) => name),
    extendedKeyUsages: (c.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []).map((oid) => ({
      Name: EXTENDED_KEY_USAGE_NAMES[String(oid)] ?? 'CUSTOM',
      OID: String(oid),
    })),
  };
}

export { x509 };
