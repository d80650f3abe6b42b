// Signing key derivation: kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
// The derived key is cached per (date, region, service) on the caller's credential object so the four
// HMACs are paid once per day per scope, not per request.
import { createHmac } from 'node:crypto';

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export interface SigningKeyCache {
  readonly secretAccessKey: string;
  signingKeys?: Map<string, Buffer>;
}

const MAX_CACHED_SCOPES = 64;

/** `scopeText` is the credential scope "date/region/service/aws4_request", which also names the cache entry. */
export function cachedSigningKey(cred: SigningKeyCache, date: string, region: string, service: string, scopeText: string): Buffer {
  let cache = cred.signingKeys;
  if (!cache) {
    cache = new Map();
    cred.signingKeys = cache;
  }
  let key = cache.get(scopeText);
  if (!key) {
    key = deriveSigningKey(cred.secretAccessKey, date, region, service);
    if (cache.size >= MAX_CACHED_SCOPES) cache.clear();
    cache.set(scopeText, key);
  }
  return key;
}

export function sign(signingKey: Buffer, stringToSign: string): Buffer {
  return createHmac('sha256', signingKey).update(stringToSign).digest();
}

export function signHex(signingKey: Buffer, stringToSign: string): string {
  return sign(signingKey, stringToSign).toString('hex');
}
