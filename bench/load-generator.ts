// Load generator, run as its own process: a fixed number of keep-alive HTTPS connections, each sending
// signed AWS JSON requests back to back for a fixed time. Prints one JSON result line.
// argv[2] = JSON LoadSpec.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent, request } from 'node:https';
import { JsonSigner } from './sigv4-signer.js';
import { percentile } from './stats.js';

export interface LoadSpec {
  url: string;
  caPath?: string;
  target: string;
  /** Request bodies, used round-robin. */
  bodies: string[];
  concurrency: number;
  durationMs: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  service: string;
}

export interface LoadResult {
  requests: number;
  errors: number;
  throttled: number;
  elapsedMs: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  firstError?: string;
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const tls = url.protocol === 'https:';
  const agent = tls
    ? new Agent({ keepAlive: true, maxSockets: spec.concurrency, ca: spec.caPath ? readFileSync(spec.caPath) : undefined })
    : new HttpAgent({ keepAlive: true, maxSockets: spec.concurrency });
  const send = tls ? request : httpRequest;
  const signer = new JsonSigner(spec.credentials, spec.region, spec.service);
  const latencies: number[] = [];
  let errors = 0;
  let throttled = 0;
  let firstError: string | undefined;
  let n = 0;
  const start = performance.now();
  const end = start + spec.durationMs;
  const one = (body: string) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const headers = signer.sign(url.host, spec.target, body);
      const req = send(
        { host: url.hostname, port: url.port, path: '/', method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            if (res.statusCode !== 200) {
              const text = Buffer.concat(chunks).toString();
              if (text.includes('Throttling')) throttled++;
              else errors++;
              firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
            }
            resolve();
          });
        },
      );
      req.on('error', (e) => {
        errors++;
        firstError ??= e.message;
        resolve();
      });
      req.end(body);
    });
  const worker = async () => {
    while (performance.now() < end) await one(spec.bodies[n++ % spec.bodies.length]!);
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsedMs = performance.now() - start;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const ok = latencies.length - errors - throttled;
  return {
    requests: latencies.length,
    errors,
    throttled,
    elapsedMs,
    rps: (ok * 1000) / elapsedMs,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    firstError,
  };
}

if (process.argv[2]) {
  run(JSON.parse(process.argv[2]) as LoadSpec).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (e: Error) => {
      process.stderr.write(`${e.stack}\n`);
      process.exit(1);
    },
  );
}
