// A SigV4 signer for the load generator: signs each request the way the AWS SDK does (headers host,
// x-amz-date, x-amz-target, x-amz-content-sha256, content-type), with the signing key derived once per
// day/region/service, as SDKs cache it.
import { createHash } from 'node:crypto';
import { canonicalRequest, headerMap, stringToSign } from '../src/protocol/sigv4/canonical.js';
import { deriveSigningKey, signHex } from '../src/protocol/sigv4/signing-key.js';
import { formatAmzDate } from '../src/protocol/sigv4/verifier.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export class JsonSigner {
  #keyFor = '';
  #key: Buffer = Buffer.alloc(0);
  constructor(
    private readonly creds: Credentials,
    private readonly region: string,
    private readonly service: string,
  ) {}

  sign(host: string, target: string, body: string): Record<string, string> {
    const amzDate = formatAmzDate(Date.now());
    const date = amzDate.slice(0, 8);
    if (this.#keyFor !== date) {
      this.#key = deriveSigningKey(this.creds.secretAccessKey, date, this.region, this.service);
      this.#keyFor = date;
    }
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': amzDate,
      'x-amz-target': target,
    };
    const signed = Object.keys(headers).sort();
    const canon = canonicalRequest('POST', '/', '', headerMap(Object.entries(headers)), signed, payloadHash);
    const scope = `${date}/${this.region}/${this.service}/aws4_request`;
    const signature = signHex(this.#key, stringToSign(amzDate, scope, canon));
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
    return headers;
  }
}

/** Signs S3 requests with UNSIGNED-PAYLOAD (header auth), the way the AWS CLI signs uploads. */
export class S3Signer {
  #keyFor = '';
  #key: Buffer = Buffer.alloc(0);
  constructor(
    private readonly creds: Credentials,
    private readonly region: string,
  ) {}

  sign(method: string, host: string, path: string, extra: Record<string, string> = {}): Record<string, string> {
    const amzDate = formatAmzDate(Date.now());
    const date = amzDate.slice(0, 8);
    if (this.#keyFor !== date) {
      this.#key = deriveSigningKey(this.creds.secretAccessKey, date, this.region, 's3');
      this.#keyFor = date;
    }
    const headers: Record<string, string> = { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': amzDate, ...extra };
    const signed = Object.keys(headers)
      .map((h) => h.toLowerCase())
      .sort();
    const canon = canonicalRequest(method, path, '', headerMap(Object.entries(headers)), signed, 'UNSIGNED-PAYLOAD');
    const scope = `${date}/${this.region}/s3/aws4_request`;
    const signature = signHex(this.#key, stringToSign(amzDate, scope, canon));
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
    return headers;
  }
}
