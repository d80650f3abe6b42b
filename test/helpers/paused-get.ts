// A signed S3 GET whose response is paused after its first chunk, so that a test can change the object while the
// read is in progress; rest() reads the remainder (and fails if the server cuts the response off).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type Agent, request } from 'node:https';
import { signedS3 } from './s3-signer.js';

export async function pausedS3Get(
  server: { endpoint: string; agent: Agent; credentials: { accessKeyId: string; secretAccessKey: string } },
  bucket: string,
  key: string,
): Promise<{ status: number; first: Buffer; rest: () => Promise<Buffer> }> {
  const path = `/${bucket}/${key}`;
  const signed = await signedS3(server.endpoint, server.agent, server.credentials, 'GET', path, {
    'x-amz-content-sha256': createHash('sha256').update('').digest('hex'),
  });
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    request(new URL(path, server.endpoint), { method: 'GET', headers: signed.headers, agent: server.agent }, resolve).on('error', reject).end();
  });
  const first = await new Promise<Buffer>((resolve, reject) => {
    res.once('data', (c: Buffer) => {
      res.pause();
      resolve(c);
    });
    res.once('error', reject);
  });
  const rest = () =>
    new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve(Buffer.concat(chunks)));
      res.once('error', reject);
      res.once('aborted', () => reject(new Error('the response was cut off')));
      res.resume();
    });
  return { status: res.statusCode ?? 0, first, rest };
}
