// Raw HTTPS requests signed by the AWS SDK's own SigV4 signer (@smithy/signature-v4), for edge cases
// the SDK clients never send: malformed JSON, unknown targets, oversized bodies, skewed clocks.
import { type Agent, request } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './sha256.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  raw: Buffer;
}

export function send(
  endpoint: string,
  agent: Agent,
  req: { method: string; path: string; headers: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  const url = new URL(req.path, endpoint);
  return new Promise((resolve, reject) => {
    const r = request(url, { method: req.method, headers: req.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8'), raw });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

export interface SignOptions {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  service?: string;
  date?: Date;
  headers?: Record<string, string>;
  unsigned?: string[];
}

/** POST / with X-Amz-Target and a JSON 1.1 body, signed like the SDK signs it. */
export function jsonCall(endpoint: string, agent: Agent, target: string, body: string | Buffer, o: SignOptions): Promise<RawResponse> {
  return signedPost(endpoint, agent, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body, o);
}

/** POST / with a form-encoded AWS query body (IAM, STS: Action=...&Version=...), signed like the SDK signs it. */
export function queryCall(endpoint: string, agent: Agent, params: Record<string, string>, o: SignOptions): Promise<RawResponse> {
  const body = new URLSearchParams(params).toString();
  return signedPost(endpoint, agent, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body, { service: 'iam', ...o });
}

async function signedPost(endpoint: string, agent: Agent, protocol: Record<string, string>, body: string | Buffer, o: SignOptions): Promise<RawResponse> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    credentials: o.credentials,
    region: o.region ?? 'us-east-1',
    service: o.service ?? 'kms',
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const headers: Record<string, string> = { host: url.host, ...protocol, ...o.headers };
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body },
    { signingDate: o.date ?? new Date(), unsignableHeaders: new Set(o.unsigned ?? []) },
  );
  return send(endpoint, agent, { method: 'POST', path: '/', headers: signed.headers as Record<string, string>, body });
}
