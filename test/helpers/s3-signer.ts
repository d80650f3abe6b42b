// Signs raw S3 requests with the AWS SDK's own SigV4 signer, for requests the S3 client never sends.
import type { Agent } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import { type RawResponse, send } from './raw-request.js';
import { NodeSha256 } from './sha256.js';

export async function signedS3(
  endpoint: string,
  agent: Agent,
  credentials: { accessKeyId: string; secretAccessKey: string },
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
  date = new Date(),
  region = 'us-east-1',
): Promise<{ headers: Record<string, string>; send: (b?: Buffer | string) => Promise<RawResponse> }> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: NodeSha256 as never, uriEscapePath: false, applyChecksum: false });
  const [pathOnly, search] = path.split('?') as [string, string | undefined];
  const query = Object.fromEntries(new URLSearchParams(search ?? ''));
  const req = await signer.sign(
    { method, protocol: 'https:', hostname: url.hostname, port: Number(url.port), path: pathOnly, query, headers: { host: url.host, ...headers }, body },
    { signingDate: date },
  );
  const signedHeaders = req.headers as Record<string, string>;
  return { headers: signedHeaders, send: (b = body) => send(endpoint, agent, { method, path, headers: signedHeaders, body: b }) };
}
