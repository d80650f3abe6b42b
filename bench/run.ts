// npm run bench: runs the benchmark parts and prints a table of ratios to baselines measured in the same
// run; writes the full results as JSON (bench/results/latest.json, or --out FILE).
// Profiles: quick (default, a few minutes on 2 cores), --full (longer rounds), --smoke (seconds; used by a test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { type AcmProfile, acmBench } from './acm-bench.js';
import { authzBench } from './authz-bench.js';
import { kmsBench, type Profile } from './kms-bench.js';
import { type ObjectProfile, s3Bench } from './s3-bench.js';
import { REPO } from './processes.js';
import { formatVerdicts, judgeTargets } from './targets.js';

const PROFILES: Record<string, Profile> = {
  // 2.5 s rounds keep the quick profile under the 5 minutes on the slowest 2-core VM seen (4:56 with 3 s).
  quick: { rounds: 3, durationMs: 2500, warmupMs: 1000, concurrency: 32, peer: true, allCores: true },
  full: { rounds: 5, durationMs: 10_000, warmupMs: 3000, concurrency: 64, peer: true, allCores: true },
  smoke: { rounds: 1, durationMs: 300, warmupMs: 100, concurrency: 4, peer: false, allCores: true },
};

const MiB = 1024 * 1024;
const OBJECT_PROFILES: Record<string, ObjectProfile> = {
  quick: {
    rounds: 3,
    sizes: [MiB, 64 * MiB],
    objectsPerRound: (size) => (size <= MiB ? 64 : 3),
    bigBytes: 1024 * MiB,
    smallCount: 500,
    throttleMs: 5000,
    concurrency: 8,
  },
  full: {
    rounds: 5,
    sizes: [MiB, 64 * MiB],
    objectsPerRound: (size) => (size <= MiB ? 200 : 8),
    bigBytes: 1024 * MiB,
    smallCount: 2000,
    throttleMs: 20_000,
    concurrency: 16,
  },
  smoke: { rounds: 1, sizes: [MiB], objectsPerRound: () => 4, bigBytes: 16 * MiB, smallCount: 40, throttleMs: 500, concurrency: 4 },
};

const ACM_PROFILES: Record<string, AcmProfile> = {
  quick: { rounds: 3, perRound: { EC_prime256v1: 200, RSA_2048: 24 }, concurrency: 4 },
  full: { rounds: 5, perRound: { EC_prime256v1: 1000, RSA_2048: 100 }, concurrency: 4 },
  smoke: { rounds: 1, perRound: { EC_prime256v1: 10, RSA_2048: 2 }, concurrency: 2 },
};

async function main(argv: string[]): Promise<void> {
  const name = argv.includes('--full') ? 'full' : argv.includes('--smoke') ? 'smoke' : 'quick';
  const profile = { ...PROFILES[name]!, ...(argv.includes('--no-peer') ? { peer: false } : {}) };
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? argv[outIdx + 1]! : join(REPO, 'bench', 'results', 'latest.json');
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
  };
  log(`keyhold bench (${name} profile) on ${machine.cpus} x ${machine.cpuModel}, Node ${machine.node}`);
  log('part 1: KMS throughput over HTTPS with SigV4');
  const started = Date.now();
  const kms = await kmsBench(profile, log);
  const objects = await s3Bench(OBJECT_PROFILES[name]!, log);
  log('authorization: cost of one decision for a Decrypt');
  const authz = authzBench();
  const certificates = await acmBench(ACM_PROFILES[name]!, log);
  const decryptCpu = kms.serverCpuMicrosPerRequest.Decrypt;
  const authorization = {
    ...authz,
    decryptServerCpuMicros: decryptCpu,
    rootShareOfDecrypt: decryptCpu ? authz.rootDecisionMicros / decryptCpu : undefined,
    userShareOfDecrypt: decryptCpu ? authz.userDecisionMicros / decryptCpu : undefined,
  };
  const targets = judgeTargets({
    kms,
    objects: objects.throughput,
    aesGcmMiBps: objects.aesGcmMiBps,
    peakRssMiB: Math.max(objects.memory.peakRssPutMiB, objects.memory.peakRssGetMiB),
    bigBytes: objects.memory.bytes,
    kmsCallSaving: objects.smallObjects.kmsCallSaving,
    throttled: objects.throttling.throttled,
    cpus: machine.cpus,
  });
  const result = {
    date: new Date().toISOString(),
    profile: name,
    settings: profile,
    machine,
    parts: {
      kms,
      authorization,
      objects: { throughput: objects.throughput, aesGcmMiBps: objects.aesGcmMiBps, memory: objects.memory },
      smallObjects: objects.smallObjects,
      throttling: objects.throttling,
      certificates,
    },
    targets,
    elapsedSeconds: (Date.now() - started) / 1000,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);

  const rows = [
    [
      'operation',
      'keyhold req/s',
      'p50 ms',
      'p99 ms',
      'ceiling req/s',
      'reference req/s',
      'moto req/s',
      'keyhold/ceiling',
      'reference/ceiling',
      'keyhold/moto',
      'target',
      'all cores req/s',
      'target',
    ],
  ];
  for (const [op, r] of Object.entries(kms.ops)) {
    rows.push([
      op,
      `${r.keyhold.rps.median.toFixed(0)} (${r.keyhold.rps.min.toFixed(0)}-${r.keyhold.rps.max.toFixed(0)})`,
      r.keyhold.p50ms.median.toFixed(2),
      r.keyhold.p99ms.median.toFixed(2),
      r.ceiling.rps.median.toFixed(0),
      r.reference.rps.median.toFixed(0),
      r.moto ? r.moto.rps.median.toFixed(0) : '-',
      r.keyholdVsCeiling.toFixed(2),
      r.referenceVsCeiling.toFixed(2),
      r.keyholdVsMoto !== undefined ? r.keyholdVsMoto.toFixed(1) : '-',
      '>=0.40 / >=40',
      r.keyholdAllCores ? `${r.keyholdAllCores.rps.median.toFixed(0)} (${kms.allCoresWorkers} workers)` : '-',
      '>10000',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\nKMS over HTTPS + SigV4 (${profile.concurrency} connections, median of ${profile.rounds} rounds; peer: ${kms.peer})\n`);
  process.stdout.write(`${line(rows[0]!)}\n${rows.slice(1).map(line).join('\n')}\n`);
  process.stdout.write('(ceiling: a do-nothing HTTPS server; reference: a hand-written SigV4 + AES-GCM handler with no key store, policies or audit)\n');
  const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${(100 * x).toFixed(1)}%`);
  process.stdout.write(
    `\nAuthorization per Decrypt (target < 10%): root ${authz.rootDecisionMicros.toFixed(2)} us = ${pct(authorization.rootShareOfDecrypt)}, ` +
      `IAM user with a conditional policy ${authz.userDecisionMicros.toFixed(2)} us = ${pct(authorization.userShareOfDecrypt)} of ${decryptCpu?.toFixed(0) ?? 'n/a'} us server CPU per Decrypt\n`,
  );
  const orows = [['size', 'SSE', 'PUT MiB/s', 'GET MiB/s', 'plain PUT', 'plain GET', 'PUT/plain', 'GET/plain', 'target']];
  for (const r of objects.throughput) {
    orows.push([
      `${r.size / MiB} MiB`,
      r.mode,
      r.putMiBps.median.toFixed(0),
      r.getMiBps.median.toFixed(0),
      r.ceilingPutMiBps.median.toFixed(0),
      r.ceilingGetMiBps.median.toFixed(0),
      r.putVsCeiling.toFixed(2),
      r.getVsCeiling.toFixed(2),
      '>=0.9 / >=0.8',
    ]);
  }
  const ow = orows[0]!.map((_, i) => Math.max(...orows.map((r) => r[i]!.length)));
  process.stdout.write(
    `\nObjects over HTTPS + SigV4 (median of ${OBJECT_PROFILES[name]!.rounds} rounds; plain = a streaming HTTPS server writing files; raw AES-256-GCM ${objects.aesGcmMiBps.toFixed(0)} MiB/s)\n`,
  );
  process.stdout.write(`${orows.map((r) => r.map((c, i) => c.padEnd(ow[i]!)).join('  ')).join('\n')}\n`);
  const m = objects.memory;
  process.stdout.write(
    `Memory through a ${(m.bytes / MiB).toFixed(0)} MiB PUT and GET on a fresh process: peak RSS ${m.peakRssPutMiB.toFixed(0)} / ${m.peakRssGetMiB.toFixed(0)} MiB (start ${m.rssBeforeMiB.toFixed(0)} MiB; target < 150 MiB); the throughput server after its rounds: ${m.afterLoadRssMiB.toFixed(0)} MiB\n`,
  );
  const so = objects.smallObjects;
  process.stdout.write(
    `Small 4 KiB SSE-KMS objects: without bucket keys PUT ${so.withoutBucketKeys.putOps.toFixed(0)}/s GET ${so.withoutBucketKeys.getOps.toFixed(0)}/s, ${so.withoutBucketKeys.kmsCallsPer1000.toFixed(1)} KMS calls/1,000; with bucket keys PUT ${so.withBucketKeys.putOps.toFixed(0)}/s GET ${so.withBucketKeys.getOps.toFixed(0)}/s, ${so.withBucketKeys.kmsCallsPer1000.toFixed(1)} KMS calls/1,000 -> ${(100 * so.kmsCallSaving).toFixed(1)}% fewer (target >= 99%)\n`,
  );
  const th = objects.throttling;
  process.stdout.write(
    `Throttling scenario: KMS quota ${th.kmsQuotaPerSecond}/s, ${th.getsPerSecond.toFixed(0)} GET/s, ${th.throttled} ThrottlingExceptions (target 0)\n`,
  );
  for (const c of certificates) {
    process.stdout.write(
      `Certificate issuance ${c.keyAlgorithm}: ${c.certsPerSecond.median.toFixed(1)} private certificates/s via RequestCertificate; ` +
        `key-pair generation alone ${c.keyPairsPerSecond.median.toFixed(1)}/s -> ${c.keyholdVsKeyGeneration.toFixed(2)} of the floor\n`,
    );
  }
  process.stdout.write(`\nTargets (issue #7), judged on this run:\n${formatVerdicts(targets)}\n`);
  process.stdout.write(`\nresults: ${out} (${result.elapsedSeconds.toFixed(0)} s)\n`);
}

// An interrupted run still exits through process.exit, so its data directories are removed (processes.ts).
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`bench failed: ${e.stack}\n`);
  process.exit(1);
});
