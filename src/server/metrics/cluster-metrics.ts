// In cluster mode a scrape reaches one worker, which knows only its own figures: it asks the primary, the primary
// asks every worker for its snapshot, and the merged answer goes back (docs/decisions.md 117). A worker that does
// not answer within the time is left out of that scrape rather than holding it up.
import cluster, { type Worker } from 'node:cluster';
import { type MetricsSnapshot, mergeSnapshots } from './registry.js';

const GATHER = 'keyhold-metrics-gather';
const ASK = 'keyhold-metrics-ask';
const SNAPSHOT = 'keyhold-metrics-snapshot';
const GATHERED = 'keyhold-metrics-gathered';
const ANSWER_MS = 2000;

type Message = { type?: string; id?: number; snapshot?: MetricsSnapshot; snapshots?: MetricsSnapshot[] } | undefined;

/** A worker's side: it answers the primary's asks, and gathers the whole node's figures for a scrape. */
export function workerMetrics(snapshot: () => MetricsSnapshot): { gather(): Promise<MetricsSnapshot>; close(): void } {
  const pending = new Map<number, (snapshots: MetricsSnapshot[]) => void>();
  let seq = 0;
  const onMessage = (m: unknown) => {
    const msg = m as Message;
    if (msg?.type === ASK) process.send?.({ type: SNAPSHOT, id: msg.id, snapshot: snapshot() });
    else if (msg?.type === GATHERED && msg.id !== undefined) pending.get(msg.id)?.(msg.snapshots ?? []);
  };
  process.on('message', onMessage);
  return {
    gather: () =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the cluster primary did not answer for the metrics'));
        }, 2 * ANSWER_MS);
        pending.set(id, (snapshots) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(mergeSnapshots(snapshots));
        });
        process.send?.({ type: GATHER, id });
      }),
    close: () => process.off('message', onMessage),
  };
}

/** The primary's side, for each worker it starts: a gather from it is answered with every worker's snapshot. */
export function answerGathers(from: Worker): void {
  from.on('message', (m: unknown) => {
    const msg = m as Message;
    if (msg?.type !== GATHER) return;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    void Promise.all(workers.map(askFor)).then((snapshots) => {
      if (!from.isDead()) from.send({ type: GATHERED, id: msg.id, snapshots: snapshots.filter((s) => s !== undefined) });
    });
  });
}

let askSeq = 0;
function askFor(w: Worker): Promise<MetricsSnapshot | undefined> {
  return new Promise((resolve) => {
    const id = ++askSeq;
    const done = (s: MetricsSnapshot | undefined) => {
      clearTimeout(timer);
      w.off('message', onMessage);
      resolve(s);
    };
    const onMessage = (m: unknown) => {
      const msg = m as Message;
      if (msg?.type === SNAPSHOT && msg.id === id) done(msg.snapshot);
    };
    const timer = setTimeout(() => done(undefined), ANSWER_MS);
    w.on('message', onMessage);
    try {
      w.send({ type: ASK, id });
    } catch {
      done(undefined);
    }
  });
}
