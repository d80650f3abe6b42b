// X.509 issuance primitives on @peculiar/x509 over node's WebCrypto. Keys are ECDSA P-256; serials are
// 128 random bits (CA/Browser Forum BR §7.1 asks for at least 64).
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface IssuedCert {
  certPem: string;
  /** PKCS#8 DER of the private key: seal it before it goes anywhere. */
  keyPkcs8: Buffer;
  serial: string;
  notAfter: Date;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  if (b[0] === 0) b[0] = 0x01;
  return b.toString('hex');
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
}

async function exportPkcs8(key: CryptoKey): Promise<Buffer> {
  return Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as unknown as webcrypto.CryptoKey));
}

export async function importSigningKey(pkcs8: Buffer): Promise<CryptoKey> {
  return (await webcrypto.subtle.importKey('pkcs8', pkcs8, EC_P256, false, ['sign'])) as unknown as CryptoKey;
}

export function pkcs8ToPem(der: Buffer): string {
  const b64 = der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

export async function createRootCa(commonName: string, validityDays: number, now = new Date()): Promise<IssuedCert> {
  const keys = await generateKeys();
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const s = serial();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: s,
    name: `CN=${commonName}, O=Keyhold`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingAlgorithm: EC_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPkcs8: await exportPkcs8(keys.privateKey), serial: s, notAfter };
}

/** A TLS server certificate for `names` (DNS names and IP addresses), signed by the CA. */
export async function issueServerCert(
  ca: { certPem: string; keyPkcs8: Buffer },
  names: ReadonlyArray<string>,
  validityDays: number,
  now = new Date(),
): Promise<IssuedCert> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importSigningKey(ca.keyPkcs8);
  const keys = await generateKeys();
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const s = serial();
  const cn = names.find((n) => !isIP(n)) ?? names[0] ?? 'localhost';
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: s,
    subject: `CN=${cn}`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingAlgorithm: EC_P256,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  return { certPem: cert.toString('pem'), keyPkcs8: await exportPkcs8(keys.privateKey), serial: s, notAfter };
}

export function certNotAfter(pem: string): Date {
  return new x509.X509Certificate(pem).notAfter;
}
