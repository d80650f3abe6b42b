// Load generator, run as its own process: a fixed number of keep-alive HTTPS connections, each sending
// signed AWS JSON requests back to back for a fixed time. Prints one JSON result line. Requests are written
// and responses read on raw TLS sockets rather than through node:https, whose client costs more CPU per
// request than a do-nothing server: on 2 shared cores that capped every server at the generator's rate.
// argv[2] = JSON LoadSpec.
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Http1ResponseParser } from './http1-response-parser.js';
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

/** One keep-alive connection sending requests back to back: one in flight at a time, as an SDK connection does. */
function connection(
  spec: LoadSpec,
  url: URL,
  ca: Buffer | undefined,
  next: () => string | undefined,
  record: (ms: number, status: number, body: Buffer) => void,
  fail: (e: Error) => void,
): Promise<void> {
  return new Promise((done) => {
    const signer = new JsonSigner(spec.credentials, spec.region, spec.service);
    // Reconnections (servers that close after each response, like moto's) resume the TLS session, as
    // Node's https.Agent under the AWS SDK does.
    let session: Buffer | undefined;
    const open = (): Socket => {
      if (url.protocol !== 'https:') return netConnect({ host: url.hostname, port: Number(url.port) });
      const s = tlsConnect({ host: url.hostname, port: Number(url.port), servername: url.hostname, ca, ...(session ? { session } : {}) });
      s.on('session', (t: Buffer) => {
        session = t;
      });
      return s;
    };
    let socket = open();
    let parser = new Http1ResponseParser();
    let t0 = 0;
    const send = () => {
      const body = next();
      if (body === undefined) {
        socket.end();
        return done();
      }
      const headers = signer.sign(url.host, spec.target, body);
      let head = 'POST / HTTP/1.1\r\n';
      for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
      head += `content-length: ${Buffer.byteLength(body)}\r\n\r\n`;
      t0 = performance.now();
      socket.write(head + body);
    };
    const attach = () => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', send);
      socket.on('data', (chunk: Buffer) => {
        for (const r of parser.push(chunk)) {
          record(performance.now() - t0, r.status, r.body);
          if (r.keepAlive) send();
          else reconnect();
        }
      });
      socket.on('end', () => {
        const r = parser.end();
        if (r) {
          record(performance.now() - t0, r.status, r.body);
          reconnect();
        }
      });
      socket.on('error', (e) => {
        fail(e);
        reconnect();
      });
    };
    const reconnect = () => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      socket = open();
      parser = new Http1ResponseParser();
      attach();
    };
    attach();
  });
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const ca = spec.caPath ? readFileSync(spec.caPath) : undefined;
  const latencies: number[] = [];
  let errors = 0;
  let throttled = 0;
  let firstError: string | undefined;
  let n = 0;
  const start = performance.now();
  const end = start + spec.durationMs;
  const next = () => (performance.now() < end ? spec.bodies[n++ % spec.bodies.length]! : undefined);
  const record = (ms: number, status: number, body: Buffer) => {
    latencies.push(ms);
    if (status === 200) return;
    const text = body.toString();
    if (text.includes('Throttling')) throttled++;
    else errors++;
    firstError ??= `${status} ${text.slice(0, 200)}`;
  };
  const fail = (e: Error) => {
    errors++;
    firstError ??= e.message;
  };
  await Promise.all(Array.from({ length: spec.concurrency }, () => connection(spec, url, ca, next, record, fail)));
  const elapsedMs = performance.now() - start;
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
