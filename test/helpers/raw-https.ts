// One HTTPS request to a test server as a browser or a bare client sends it (no SDK, no signing), with the
// whole answer: for forms, preflights and presigned URLs.
import { request } from 'node:https';
import type { TestServer } from './server.js';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawHttps(s: TestServer, method: string, url: string, headers: Record<string, string>, body?: Buffer | string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(url, s.endpoint), { method, agent: s.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
