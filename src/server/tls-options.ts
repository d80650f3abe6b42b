// TLS settings for every listener: TLS 1.2 and 1.3 only, Mozilla "intermediate" suites restricted to
// ECDHE key exchange (https://ssl-config.mozilla.org/guidelines/5.7.json), no server cipher preference
// (as Mozilla intermediate recommends), no renegotiation-era options.
import type { SecureContextOptions, TlsOptions } from 'node:tls';

export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
export const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

export function secureContextOptions(certPem: string, keyPem: string): SecureContextOptions {
  return {
    cert: certPem,
    key: keyPem,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(':'),
    ecdhCurve: 'X25519:prime256v1:secp384r1',
  };
}

export function serverTlsOptions(ctx: SecureContextOptions): TlsOptions {
  return { ...ctx, honorCipherOrder: false };
}
