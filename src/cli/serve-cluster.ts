// keyhold serve --workers N: the primary process of cluster mode (docs/architecture.md "Cluster mode").
//
// The primary serves nothing itself: it holds the data-directory lock for the whole node, starts one
// leader worker (the first start's set-up, schedulers, certificate renewal), then N-1 follower workers
// once the leader is ready, and stops them all on SIGTERM/SIGINT. node:cluster shares the listening
// socket: the primary accepts connections and hands them to the workers in turn (round-robin), so each
// worker is a complete Keyhold serving whole connections. The workers share the SQLite store and the blob
// directory; each keeps its own caches, kept coherent by the store's change feed, and its own audit file.
import cluster, { type Worker } from 'node:cluster';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { recordCleanStop, sweepAfterUncleanStop } from '../server/clean-stop.js';
import { DataDirLock, DataDirLockedError } from '../server/data-dir-lock.js';
import { createLogger, type Logger } from '../server/logger.js';
import type { ServeConfig } from '../server/serve-options.js';
import { LocalDiskBlobStore } from '../storage/blob/local-disk.js';
import { SqliteKvStore } from '../storage/kv/sqlite.js';
import { answerGathers } from '../server/metrics/cluster-metrics.js';

export const READY_MESSAGE = 'keyhold-worker-ready';
const MAX_RESTARTS_PER_MINUTE = 5;

type Role = 'leader' | 'follower';

export async function runClusterPrimary(config: ServeConfig, workers: number, stopRequested: Promise<string>): Promise<number> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let lock: DataDirLock;
  try {
    lock = DataDirLock.acquire(dataDir);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    process.stderr.write(`keyhold: ${err.message}\n`);
    return 1;
  }
  // The one moment no worker can be writing: sweep what a crash left, then start them.
  await sweepBeforeWorkers(dataDir, createLogger(config.logLevel));
  let stopping = false;
  // A clean stop is recorded only if no worker died along the way and every worker stopped cleanly.
  let everyWorkerClean = true;
  let failed: (reason: string) => void = () => undefined;
  const failure = new Promise<string>((r) => {
    failed = r;
  });
  const restarts: number[] = [];

  let banner = '';
  const start = (role: Role): Promise<Worker> =>
    new Promise((ready, reject) => {
      const w = cluster.fork({ KEYHOLD_CLUSTER_ROLE: role, KEYHOLD_CLUSTER_WORKERS: String(workers) });
      answerGathers(w);
      let up = false;
      w.on('message', (m: unknown) => {
        const msg = m as { type?: string; banner?: string } | undefined;
        if (msg?.type !== READY_MESSAGE) return;
        banner ||= msg.banner ?? '';
        up = true;
        ready(w);
      });
      w.once('exit', (code, signal) => {
        if (!up) return reject(new Error(`a ${role} worker exited during start-up (${signal ?? `code ${code}`})`));
        if (code !== 0) everyWorkerClean = false;
        if (stopping) return;
        // A worker that dies is replaced in its role (the leader's background work must go on), unless
        // workers keep dying: then the node stops rather than crash-looping.
        const now = Date.now();
        restarts.push(now);
        while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
        process.stderr.write(`keyhold: ${role} worker ${w.process.pid} exited (${signal ?? `code ${code}`}); starting another\n`);
        if (restarts.length > MAX_RESTARTS_PER_MINUTE) return failed(`workers exited ${restarts.length} times within a minute`);
        start(role).catch((e: Error) => failed(e.message));
      });
    });

  const stopAll = async () => {
    stopping = true;
    const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await Promise.all(
      all.map(
        (w) =>
          new Promise<void>((done) => {
            w.once('exit', () => done());
            w.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    await start('leader');
    await Promise.all(Array.from({ length: workers - 1 }, () => start('follower')));
    process.stdout.write(banner);
  } catch (err) {
    process.stderr.write(`keyhold: ${(err as Error).message}\n`);
    await stopAll();
    lock.release();
    return 1;
  }
  const reason = await Promise.race([stopRequested.then((s) => ({ signal: s })), failure.then((f) => ({ failure: f }))]);
  if ('signal' in reason) process.stderr.write(`keyhold: ${reason.signal} received, stopping ${workers} workers\n`);
  else process.stderr.write(`keyhold: ${reason.failure}; stopping\n`);
  await stopAll();
  if ('signal' in reason && everyWorkerClean) recordCleanStop(dataDir);
  lock.release();
  return 'signal' in reason ? 0 : 1;
}

/**
 * Before any worker starts: the blob store's constructor sweeps the temp files a crash left, and after an
 * unclean stop the blobs no metadata refers to are removed (src/server/clean-stop.ts).
 */
async function sweepBeforeWorkers(dataDir: string, log: Logger): Promise<void> {
  if (!existsSync(join(dataDir, 'blobs'))) return;
  const blobs = new LocalDiskBlobStore(join(dataDir, 'blobs'));
  const kv = new SqliteKvStore(join(dataDir, 'keyhold.db'));
  try {
    await sweepAfterUncleanStop(dataDir, kv, blobs, log);
  } finally {
    await kv.close();
    await blobs.close();
  }
}

/** The role of this process when it is a cluster worker, from the environment the primary gave it. */
export function workerRole(): { role: Role; workers: number } | undefined {
  if (!cluster.isWorker) return undefined;
  const role = process.env.KEYHOLD_CLUSTER_ROLE === 'leader' ? 'leader' : 'follower';
  return { role, workers: Number(process.env.KEYHOLD_CLUSTER_WORKERS ?? '1') };
}
