// S3 load generator, run as its own process: PUTs (a fixed buffer, or a generated stream for very large
// objects) or GETs with SigV4 (UNSIGNED-PAYLOAD), a fixed concurrency, for a fixed time or count.
// Prints one JSON result line. argv[2] = JSON S3LoadSpec.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { S3Signer } from './sigv4-signer.js';
import { percentile } from './stats.js';

export interface S3LoadSpec {
  url: string;
  caPath: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  bucket: string;
  op: 'put' | 'get';
  keys: string[];
  size: number;
  headers?: Record<string, string>;
  concurrency: number;
  durationMs?: number;
  count?: number;
}

export interface S3LoadResult {
  requests: number;
  errors: number;
  throttled: number;
  elapsedMs: number;
  opsPerSecond: number;
  mibPerSecond: number;
  p50ms: number;
  p99ms: number;
  firstError?: string;
}

const CHUNK = randomBytes(1024 * 1024);

async function run(spec: S3LoadSpec): Promise<S3LoadResult> {
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency, ca: readFileSync(spec.caPath) });
  const signer = new S3Signer(spec.credentials, 'us-east-1');
  const data = spec.op === 'put' && spec.size <= 256 * 1024 * 1024 ? randomBytes(spec.size) : undefined;
  const lat: number[] = [];
  let errors = 0;
  let throttled = 0;
  let bytes = 0;
  let succeeded = 0;
  let firstError: string | undefined;
  let n = 0;
  const start = performance.now();
  const deadline = spec.durationMs !== undefined ? start + spec.durationMs : Number.POSITIVE_INFINITY;
  const one = (key: string) =>
    new Promise<void>((resolve) => {
      let settled = false;
      const t0 = performance.now();
      const path = `/${spec.bucket}/${key}`;
      const extra: Record<string, string> = { ...spec.headers, ...(spec.op === 'put' ? { 'content-length': String(spec.size) } : {}) };
      const headers = signer.sign(spec.op === 'put' ? 'PUT' : 'GET', url.host, path, extra);
      const req = request({ host: url.hostname, port: url.port, path, method: spec.op === 'put' ? 'PUT' : 'GET', headers, agent }, (res) => {
        let got = 0;
        const errBody: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          got += c.length;
          if (res.statusCode !== 200 && errBody.length < 4) errBody.push(c);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          lat.push(performance.now() - t0);
          if (res.statusCode !== 200) {
            const text = Buffer.concat(errBody).toString();
            if (/Throttling|SlowDown/.test(text)) throttled++;
            else errors++;
            firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
          } else {
            bytes += spec.op === 'put' ? spec.size : got;
            succeeded++;
          }
          resolve();
        });
      });
      // A server that answers early (an error before the body is in) also resets the upload: one outcome
      // per request, whichever comes first.
      req.on('error', (e) => {
        if (settled) return;
        settled = true;
        errors++;
        firstError ??= e.message;
        resolve();
      });
      if (data) req.end(data);
      else if (spec.op === 'put') {
        let sent = 0;
        const write = () => {
          while (sent < spec.size) {
            const piece = sent + CHUNK.length <= spec.size ? CHUNK : CHUNK.subarray(0, spec.size - sent);
            sent += piece.length;
            if (!req.write(piece)) return void req.once('drain', write);
          }
          req.end();
        };
        write();
      } else req.end();
    });
  const worker = async () => {
    for (;;) {
      const i = n++;
      if (performance.now() >= deadline || (spec.count !== undefined && i >= spec.count)) return;
      await one(spec.keys[i % spec.keys.length]!);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  lat.sort((a, b) => a - b);
  return {
    requests: lat.length,
    errors,
    throttled,
    elapsedMs,
    opsPerSecond: (succeeded * 1000) / elapsedMs,
    mibPerSecond: bytes / 1024 / 1024 / (elapsedMs / 1000),
    p50ms: percentile(lat, 50),
    p99ms: percentile(lat, 99),
    firstError,
  };
}

if (process.argv[2]) {
  run(JSON.parse(process.argv[2]) as S3LoadSpec).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: Error) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    },
  );
}
