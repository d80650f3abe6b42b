// Parts 2-4: object throughput and memory, small SSE-KMS objects with and without bucket keys, and the
// throttling scenario. Keyhold and the baselines run as their own processes; the load generator too.
import { spawn } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'node:https';
import { readAuditDir } from '../src/audit/reader.js';
import { KeyFileSeal } from '../src/barrier/keyfile-seal.js';
import { openKeyring } from '../src/barrier/keyring.js';
import { canonicalQuery, canonicalRequest, headerMap, parseQuery, stringToSign } from '../src/protocol/sigv4/canonical.js';
import { deriveSigningKey, signHex } from '../src/protocol/sigv4/signing-key.js';
import { formatAmzDate } from '../src/protocol/sigv4/verifier.js';
import { makeCert, type Running, removeTempDir, startKeyhold, tempDir } from './processes.js';
import type { S3LoadResult, S3LoadSpec } from './s3-load.js';
import { type Summary, summarize } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const CREDS = { accessKeyId: 'AKIABENCHMARKS30001', secretAccessKey: 'benchmark-s3-secret-0123456789abcdefgh' };

export interface ObjectProfile {
  rounds: number;
  sizes: number[];
  objectsPerRound: (size: number) => number;
  bigBytes: number;
  smallCount: number;
  throttleMs: number;
  concurrency: number;
}

function runS3Load(spec: S3LoadSpec): Promise<S3LoadResult> {
  return new Promise((res, rej) => {
    const proc = spawn(process.execPath, [join(here, 's3-load.js'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => (out += c));
    proc.on('exit', (code) => (code === 0 ? res(JSON.parse(out) as S3LoadResult) : rej(new Error(`s3 load generator failed (${code})`))));
  });
}

function rssMiB(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function withPeakRss<T>(pid: number | undefined, fn: () => Promise<T>): Promise<{ result: T; peakRssMiB: number; startRssMiB: number }> {
  const startRssMiB = rssMiB(pid);
  let peak = startRssMiB;
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  try {
    const result = await fn();
    return { result, peakRssMiB: Math.max(peak, rssMiB(pid)), startRssMiB };
  } finally {
    clearInterval(timer);
  }
}

function startCeiling(cert: { cert: string; key: string }, dir: string): Promise<Running> {
  const proc = spawn(process.execPath, [join(here, 's3-ceiling-server.js'), cert.cert, cert.key, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res) =>
    proc.stdout!.once('data', (c: Buffer) =>
      res({
        url: `https://localhost:${c.toString().trim()}`,
        caPath: cert.cert,
        proc,
        stop: () =>
          new Promise((r) => {
            proc.once('exit', () => r());
            proc.kill('SIGTERM');
          }),
      }),
    ),
  );
}

/** A signed S3 control request (bucket set-up) from this process. */
function s3Call(k: Running, method: string, pathAndQuery: string, body = ''): Promise<number> {
  const url = new URL(k.url);
  const [path, query] = pathAndQuery.split('?') as [string, string | undefined];
  const headers = new S3SignerWithQuery(CREDS).sign(method, url.host, path, query ?? '', { 'content-length': String(Buffer.byteLength(body)) });
  return new Promise((res, rej) => {
    const r = request({ host: url.hostname, port: url.port, method, path: pathAndQuery, headers, agent: new Agent({ ca: readFileSync(k.caPath) }) }, (resp) => {
      resp.resume();
      resp.on('end', () => res(resp.statusCode ?? 0));
    });
    r.on('error', rej);
    r.end(body);
  });
}

class S3SignerWithQuery {
  constructor(private readonly creds: { accessKeyId: string; secretAccessKey: string }) {}
  sign(method: string, host: string, path: string, query: string, extra: Record<string, string>): Record<string, string> {
    const amzDate = formatAmzDate(Date.now());
    const date = amzDate.slice(0, 8);
    const headers: Record<string, string> = { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': amzDate, ...extra };
    const signed = Object.keys(headers)
      .map((h) => h.toLowerCase())
      .sort();
    const canon = canonicalRequest(method, path, canonicalQuery(parseQuery(query)), headerMap(Object.entries(headers)), signed, 'UNSIGNED-PAYLOAD');
    const scope = `${date}/us-east-1/s3/aws4_request`;
    const signature = signHex(deriveSigningKey(this.creds.secretAccessKey, date, 'us-east-1', 's3'), stringToSign(amzDate, scope, canon));
    return {
      ...headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${this.creds.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`,
    };
  }
}

const encryptionXml = (alg: string, bucketKey: boolean, unblockSseC = false) =>
  `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${alg}</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>${bucketKey}</BucketKeyEnabled>${unblockSseC ? '<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes>' : ''}</Rule></ServerSideEncryptionConfiguration>`;

async function kmsCallsBy(dataDir: string): Promise<number> {
  const root = await openKeyring(dataDir, new KeyFileSeal(dataDir));
  let n = 0;
  for (const r of readAuditDir(root.derive('audit-v1'), join(dataDir, 'audit'))) {
    if ('event' in r && r.event.eventSource === 'kms.amazonaws.com' && (r.event.userIdentity as { invokedBy?: string }).invokedBy === 's3.amazonaws.com') n++;
  }
  root.destroy();
  return n;
}

/** Raw AES-256-GCM throughput of node:crypto in one thread, MiB/s (the encryption ceiling). */
export function aesGcmMiBps(): number {
  const key = randomBytes(32);
  const buf = randomBytes(64 * 1024);
  const total = 256 * 1024 * 1024;
  const t0 = performance.now();
  for (let done = 0; done < total; done += buf.length) {
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    c.update(buf);
    c.final();
    c.getAuthTag();
  }
  return total / 1024 / 1024 / ((performance.now() - t0) / 1000);
}

const SSE_MODES = ['SSE-S3', 'SSE-KMS', 'SSE-C'] as const;
const ssecKey = randomBytes(32);
const sseHeaders: Record<(typeof SSE_MODES)[number], Record<string, string>> = {
  'SSE-S3': { 'x-amz-server-side-encryption': 'AES256' },
  'SSE-KMS': { 'x-amz-server-side-encryption': 'aws:kms' },
  'SSE-C': {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': ssecKey.toString('base64'),
    'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(ssecKey).digest('base64'),
  },
};
const getHeaders = (mode: (typeof SSE_MODES)[number]) => (mode === 'SSE-C' ? sseHeaders['SSE-C'] : {});

export interface ThroughputRow {
  size: number;
  mode: string;
  putMiBps: Summary;
  getMiBps: Summary;
  ceilingPutMiBps: Summary;
  ceilingGetMiBps: Summary;
  putVsCeiling: number;
  getVsCeiling: number;
}

/**
 * Memory through one big object, PUT then GET (SSE-S3), on a Keyhold process of its own: what the process holds
 * while it streams the object, not the high-water mark left by the concurrent throughput rounds before it (eight
 * 64 MiB GETs in flight leave ~160 MiB behind: freed buffers wait for V8's external-memory GC threshold). That
 * after-load figure is reported beside it.
 */
async function memoryPart(dir: string, bigBytes: number, afterLoadRssMiB: number, log: (s: string) => void) {
  log(`  memory: one ${(bigBytes / 1024 ** 3).toFixed(2)} GiB object, PUT then GET (SSE-S3), on a fresh Keyhold process`);
  const kh = await startKeyhold(`${dir}/kh-memory`, CREDS);
  try {
    await s3Call(kh, 'PUT', '/bench');
    await s3Call(kh, 'PUT', '/bench?encryption', encryptionXml('AES256', false));
    const base = { url: kh.url, caPath: kh.caPath, credentials: CREDS, bucket: 'bench', keys: ['big'], size: bigBytes, concurrency: 1, count: 1 };
    const bigPut = await withPeakRss(kh.proc.pid, () => runS3Load({ ...base, op: 'put' }));
    const bigGet = await withPeakRss(kh.proc.pid, () => runS3Load({ ...base, op: 'get' }));
    const memory = {
      bytes: bigBytes,
      putMiBps: bigPut.result.mibPerSecond,
      getMiBps: bigGet.result.mibPerSecond,
      rssBeforeMiB: bigPut.startRssMiB,
      peakRssPutMiB: bigPut.peakRssMiB,
      peakRssGetMiB: bigGet.peakRssMiB,
      afterLoadRssMiB,
      errors: bigPut.result.errors + bigGet.result.errors,
    };
    log(
      `  peak RSS: ${memory.peakRssPutMiB.toFixed(0)} MiB during PUT, ${memory.peakRssGetMiB.toFixed(0)} MiB during GET (start ${memory.rssBeforeMiB.toFixed(0)} MiB; the throughput server after its rounds: ${afterLoadRssMiB.toFixed(0)} MiB)`,
    );
    return memory;
  } finally {
    await kh.stop();
    removeTempDir(`${dir}/kh-memory`);
  }
}

export async function s3Bench(p: ObjectProfile, log: (s: string) => void) {
  const dir = tempDir();
  const cert = makeCert(dir);
  const keyhold = await startKeyhold(`${dir}/kh`, CREDS);
  const ceiling = await startCeiling(cert, `${dir}/ceiling`);
  try {
    for (const [b, alg, bk] of [
      ['bench', 'AES256', false],
      ['small-bk', 'aws:kms', true],
      ['small-nobk', 'aws:kms', false],
    ] as const) {
      await s3Call(keyhold, 'PUT', `/${b}`);
      await s3Call(keyhold, 'PUT', `/${b}?encryption`, encryptionXml(alg, bk, b === 'bench'));
    }
    // Part 2: throughput by size and SSE mode, interleaved with the plain ceiling.
    log('part 2: object throughput (PUT/GET, encrypted vs plain streaming)');
    const rows: ThroughputRow[] = [];
    for (const size of p.sizes) {
      const count = p.objectsPerRound(size);
      const keys = Array.from({ length: count }, (_, i) => `o-${size}-${i}`);
      const runs: Record<string, { put: number[]; get: number[] }> = Object.fromEntries([...SSE_MODES, 'ceiling'].map((m) => [m, { put: [], get: [] }]));
      for (let round = 0; round < p.rounds; round++) {
        for (const mode of [...SSE_MODES, 'ceiling'] as const) {
          const target = mode === 'ceiling' ? ceiling : keyhold;
          const base = {
            url: target.url,
            caPath: target.caPath,
            credentials: CREDS,
            bucket: 'bench',
            size,
            concurrency: Math.min(p.concurrency, count),
            count,
          };
          const modeKeys = keys.map((k) => `${mode}-${k}`);
          const put = await runS3Load({ ...base, op: 'put', keys: modeKeys, headers: mode === 'ceiling' ? {} : sseHeaders[mode] });
          const get = await runS3Load({ ...base, op: 'get', keys: modeKeys, headers: mode === 'ceiling' ? {} : getHeaders(mode) });
          if (put.firstError || get.firstError) log(`  ${mode} ${size}: ${put.firstError ?? ''} ${get.firstError ?? ''}`);
          runs[mode]!.put.push(put.mibPerSecond);
          runs[mode]!.get.push(get.mibPerSecond);
        }
      }
      const c = runs.ceiling!;
      for (const mode of SSE_MODES) {
        const r = runs[mode]!;
        const row: ThroughputRow = {
          size,
          mode,
          putMiBps: summarize(r.put),
          getMiBps: summarize(r.get),
          ceilingPutMiBps: summarize(c.put),
          ceilingGetMiBps: summarize(c.get),
          putVsCeiling: summarize(r.put).median / summarize(c.put).median,
          getVsCeiling: summarize(r.get).median / summarize(c.get).median,
        };
        rows.push(row);
        log(
          `  ${(size / 1024 / 1024).toFixed(0)} MiB ${mode}: PUT ${row.putMiBps.median.toFixed(0)} MiB/s (${row.putVsCeiling.toFixed(2)}x plain), GET ${row.getMiBps.median.toFixed(0)} MiB/s (${row.getVsCeiling.toFixed(2)}x plain)`,
        );
      }
    }
    const aes = aesGcmMiBps();
    log(`  raw AES-256-GCM, one thread: ${aes.toFixed(0)} MiB/s`);

    const memory = await memoryPart(dir, p.bigBytes, rssMiB(keyhold.proc.pid), log);

    // Part 3: 4 KiB SSE-KMS objects with and without bucket keys; KMS calls counted in the audit trail.
    log('part 3: small SSE-KMS objects, with and without bucket keys');
    const small: Record<string, { putOps: number; getOps: number; kmsCallsPer1000: number }> = {};
    for (const b of ['small-nobk', 'small-bk']) {
      const keys = Array.from({ length: p.smallCount }, (_, i) => `s-${i}`);
      const before = await kmsCallsBy(`${dir}/kh`);
      const base = {
        url: keyhold.url,
        caPath: keyhold.caPath,
        credentials: CREDS,
        bucket: b,
        size: 4096,
        concurrency: p.concurrency,
        keys,
        count: p.smallCount,
      };
      const put = await runS3Load({ ...base, op: 'put' });
      const get = await runS3Load({ ...base, op: 'get' });
      const calls = (await kmsCallsBy(`${dir}/kh`)) - before;
      small[b] = { putOps: put.opsPerSecond, getOps: get.opsPerSecond, kmsCallsPer1000: (calls * 1000) / (2 * p.smallCount) };
      log(
        `  ${b}: PUT ${put.opsPerSecond.toFixed(0)}/s, GET ${get.opsPerSecond.toFixed(0)}/s, ${small[b]!.kmsCallsPer1000.toFixed(1)} KMS calls per 1,000 requests${put.firstError ? ` (${put.firstError})` : ''}`,
      );
    }
    const saving = 1 - small['small-bk']!.kmsCallsPer1000 / small['small-nobk']!.kmsCallsPer1000;

    // Part 4: GETs of SSE-KMS objects while KMS is held to a tenth of the GET rate.
    const getRate = small['small-bk']!.getOps;
    const quota = Math.max(1, Math.floor(getRate / 10));
    log(`part 4: throttling scenario (KMS quota ${quota}/s, a tenth of ${getRate.toFixed(0)} GET/s)`);
    const limited = await startKeyhold(`${dir}/kh-limited`, CREDS, ['--kms-quota', `symmetric=${quota}`]);
    let throttling: { kmsQuotaPerSecond: number; getsPerSecond: number; throttled: number; errors: number } = {
      kmsQuotaPerSecond: quota,
      getsPerSecond: 0,
      throttled: 0,
      errors: 0,
    };
    try {
      await s3Call(limited, 'PUT', '/media');
      await s3Call(limited, 'PUT', '/media?encryption', encryptionXml('aws:kms', true));
      const keys = Array.from({ length: 100 }, (_, i) => `m-${i}`);
      const base = { url: limited.url, caPath: limited.caPath, credentials: CREDS, bucket: 'media', size: 4096, concurrency: p.concurrency, keys };
      await runS3Load({ ...base, op: 'put', count: keys.length });
      const g = await runS3Load({ ...base, op: 'get', durationMs: p.throttleMs });
      throttling = { kmsQuotaPerSecond: quota, getsPerSecond: g.opsPerSecond, throttled: g.throttled, errors: g.errors };
      log(`  ${g.opsPerSecond.toFixed(0)} GET/s, ${g.throttled} throttled, ${g.errors} other errors`);
    } finally {
      await limited.stop();
    }
    return {
      throughput: rows,
      aesGcmMiBps: aes,
      memory,
      smallObjects: { withoutBucketKeys: small['small-nobk']!, withBucketKeys: small['small-bk']!, kmsCallSaving: saving },
      throttling,
    };
  } finally {
    await keyhold.stop();
    await ceiling.stop();
    removeTempDir(dir);
  }
}
