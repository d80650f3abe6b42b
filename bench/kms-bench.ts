// Part 1: KMS request throughput and latency over HTTPS with SigV4 — Encrypt, Decrypt, GenerateDataKey with
// 32-byte payloads — for Keyhold, the ceiling (a do-nothing Node HTTPS server), the reference (a hand-written
// SigV4 + AES-GCM handler, reference-server.ts) and moto (a peer), in the same run, interleaved per round so
// machine noise hits them alike.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Agent, request } from 'node:https';
import type { LoadResult } from './load-generator.js';
import { findMoto, makeCert, type Running, runLoad, startCeiling, removeTempDir, startKeyhold, startMoto, startReference, tempDir } from './processes.js';
import { JsonSigner } from './sigv4-signer.js';
import { type Summary, summarize } from './stats.js';

export interface Profile {
  rounds: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  peer: boolean;
  /** Also measure `keyhold serve --workers auto` (one process per CPU), when the machine has several. */
  allCores: boolean;
}

export interface OpFigures {
  rps: Summary;
  p50ms: Summary;
  p99ms: Summary;
  errors: number;
  throttled: number;
}

export interface KmsOpResult {
  keyhold: OpFigures;
  ceiling: OpFigures;
  /** The hand-written SigV4 + AES-GCM handler: the issue's reference point, measured. */
  reference: OpFigures;
  moto?: OpFigures;
  /** `keyhold serve --workers auto`: every CPU serving (cluster mode). */
  keyholdAllCores?: OpFigures;
  keyholdVsCeiling: number;
  referenceVsCeiling: number;
  keyholdVsReference: number;
  keyholdVsMoto?: number;
  allCoresVsCeiling?: number;
}

export interface KmsBenchResult {
  ops: Record<string, KmsOpResult>;
  peer: string;
  /** Processes of the all-cores Keyhold (0 when not measured). */
  allCoresWorkers: number;
  /** Keyhold server CPU time per request (user + system), microseconds, median over rounds. */
  serverCpuMicrosPerRequest: Record<string, number>;
}

/** CPU time (user + system) of a process so far, in microseconds, from /proc (Linux). */
function cpuMicros(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, in 10 ms ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

const CREDS = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'benchmark-secret-0123456789abcdefghij' };

function call(server: Running, target: string, body: unknown): Promise<Record<string, string>> {
  const url = new URL(server.url);
  const text = JSON.stringify(body);
  const headers = new JsonSigner(CREDS, 'us-east-1', 'kms').sign(url.host, target, text);
  return new Promise((res, rej) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', headers, agent: new Agent({ ca: readFileSync(server.caPath) }) },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string>;
          if (r.statusCode !== 200) rej(new Error(`${target}: ${r.statusCode} ${JSON.stringify(parsed)}`));
          else res(parsed);
        });
      },
    );
    req.on('error', rej);
    req.end(text);
  });
}

async function bodiesFor(server: Running): Promise<Record<string, string[]>> {
  const keyId = ((await call(server, 'TrentService.CreateKey', {})) as unknown as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;
  const plaintexts = Array.from({ length: 16 }, () => randomBytes(32).toString('base64'));
  const ciphertexts = await Promise.all(
    plaintexts.map(async (p) => (await call(server, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: p })).CiphertextBlob!),
  );
  return {
    Encrypt: plaintexts.map((p) => JSON.stringify({ KeyId: keyId, Plaintext: p })),
    Decrypt: ciphertexts.map((c) => JSON.stringify({ CiphertextBlob: c })),
    GenerateDataKey: [JSON.stringify({ KeyId: keyId, NumberOfBytes: 32 })],
  };
}

function figures(runs: LoadResult[]): OpFigures {
  return {
    rps: summarize(runs.map((r) => r.rps)),
    p50ms: summarize(runs.map((r) => r.p50ms)),
    p99ms: summarize(runs.map((r) => r.p99ms)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    throttled: runs.reduce((n, r) => n + r.throttled, 0),
  };
}

export async function kmsBench(profile: Profile, log: (s: string) => void): Promise<KmsBenchResult> {
  const dir = tempDir();
  const cert = makeCert(dir);
  const servers: Array<[string, Running]> = [];
  const motoBin = profile.peer ? findMoto() : undefined;
  try {
    servers.push(['keyhold', await startKeyhold(`${dir}/data`, CREDS)]);
    const workers = profile.allCores ? availableParallelism() : 1;
    if (workers > 1) servers.push(['keyhold-all-cores', await startKeyhold(`${dir}/data-all-cores`, CREDS, ['--workers', String(workers)])]);
    servers.push(['ceiling', await startCeiling(cert)]);
    servers.push(['reference', await startReference(cert, CREDS)]);
    if (motoBin) servers.push(['moto', await startMoto(motoBin, cert)]);
    const bodies = new Map<string, Record<string, string[]>>();
    for (const [name, srv] of servers) bodies.set(name, name === 'ceiling' ? (bodies.get('keyhold') ?? {}) : await bodiesFor(srv));
    const ops: Record<string, KmsOpResult> = {};
    const serverCpuMicrosPerRequest: Record<string, number> = {};
    for (const op of ['Encrypt', 'Decrypt', 'GenerateDataKey']) {
      const runs = new Map<string, LoadResult[]>(servers.map(([n]) => [n, []]));
      const cpuPerRequest: number[] = [];
      for (let round = -1; round < profile.rounds; round++) {
        for (const [name, srv] of servers) {
          const spec = {
            url: srv.url,
            caPath: srv.caPath,
            target: `TrentService.${op}`,
            bodies: bodies.get(name)![op]!,
            concurrency: profile.concurrency,
            durationMs: round < 0 ? profile.warmupMs : profile.durationMs,
            credentials: CREDS,
            region: 'us-east-1',
            service: 'kms',
          };
          const cpuBefore = name === 'keyhold' ? cpuMicros(srv.proc.pid) : undefined;
          const r = await runLoad(spec);
          const cpuAfter = name === 'keyhold' ? cpuMicros(srv.proc.pid) : undefined;
          if (round >= 0) runs.get(name)!.push(r);
          if (round >= 0 && cpuBefore !== undefined && cpuAfter !== undefined && r.requests > 0) cpuPerRequest.push((cpuAfter - cpuBefore) / r.requests);
          if (r.firstError && round >= 0) log(`  ${name} ${op}: ${r.errors} errors, first: ${r.firstError}`);
        }
      }
      if (cpuPerRequest.length > 0) serverCpuMicrosPerRequest[op] = summarize(cpuPerRequest).median;
      const fig = (n: string) => (runs.get(n)?.length ? figures(runs.get(n)!) : undefined);
      const keyhold = fig('keyhold')!;
      const ceiling = fig('ceiling')!;
      const reference = fig('reference')!;
      const moto = fig('moto');
      const allCores = fig('keyhold-all-cores');
      ops[op] = {
        keyhold,
        ceiling,
        reference,
        ...(moto ? { moto } : {}),
        ...(allCores ? { keyholdAllCores: allCores, allCoresVsCeiling: allCores.rps.median / ceiling.rps.median } : {}),
        keyholdVsCeiling: keyhold.rps.median / ceiling.rps.median,
        referenceVsCeiling: reference.rps.median / ceiling.rps.median,
        keyholdVsReference: keyhold.rps.median / reference.rps.median,
        ...(moto ? { keyholdVsMoto: keyhold.rps.median / moto.rps.median } : {}),
      };
      log(
        `  ${op}: keyhold ${keyhold.rps.median.toFixed(0)} req/s${allCores ? `, all cores ${allCores.rps.median.toFixed(0)}` : ''}, ceiling ${ceiling.rps.median.toFixed(0)}, reference ${reference.rps.median.toFixed(0)}${moto ? `, moto ${moto.rps.median.toFixed(0)}` : ''}`,
      );
    }
    return {
      ops,
      serverCpuMicrosPerRequest,
      allCoresWorkers: workers > 1 ? workers : 0,
      peer: motoBin ? `moto_server (${motoBin})` : profile.peer ? 'skipped: moto_server not found on PATH' : 'skipped: --no-peer',
    };
  } finally {
    for (const [, s] of servers) await s.stop();
    removeTempDir(dir);
  }
}
