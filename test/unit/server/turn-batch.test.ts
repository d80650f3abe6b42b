// The turn batch (src/server/turn-batch.ts): requests that ask in the same event-loop turn are released
// together, in order, in that turn's check phase — before any timer or immediate scheduled after them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonEdge } from '../../../src/protocol/aws-json.js';
import type { QueryEdge } from '../../../src/protocol/aws-query.js';
import type { Logger } from '../../../src/server/logger.js';
import { createRouter } from '../../../src/server/router.js';
import { nextTurnBatch } from '../../../src/server/turn-batch.js';

test('requests asking in one turn are released together, in the order they asked', async () => {
  const order: number[] = [];
  let earlierImmediateRan = false;
  let laterImmediateRan = false;
  // Work the loop already had queued for this check phase (as the poll phase's reads queue it) comes first.
  setImmediate(() => {
    earlierImmediateRan = true;
  });
  const all = [1, 2, 3].map((n) => nextTurnBatch().then(() => order.push(n)));
  setImmediate(() => {
    laterImmediateRan = true;
  });
  await all[0];
  // The first release's continuation ran, and so did its batch-mates', before the immediate queued after them.
  await Promise.resolve();
  assert.deepEqual(order, [1, 2, 3]);
  assert.equal(earlierImmediateRan, true);
  assert.equal(laterImmediateRan, false);
  await Promise.all(all);
});

test('a request never waits for a timer', async () => {
  const timer = new Promise<string>((resolve) => setTimeout(() => resolve('timer'), 50));
  assert.equal(await Promise.race([nextTurnBatch().then(() => 'batch'), timer]), 'batch');
});

test('a request asking while a batch is being released joins the next batch', async () => {
  const order: string[] = [];
  const a = nextTurnBatch().then(() => {
    order.push('a');
    return nextTurnBatch().then(() => order.push('c'));
  });
  const b = nextTurnBatch().then(() => order.push('b'));
  await Promise.all([a, b]);
  assert.deepEqual(order, ['a', 'b', 'c']);
});

// The router's cluster coherence check (docs/architecture.md) runs once per batch, and every request of the
// batch waits for the cache reload it started.
test("the router checks other workers' commits once per batch, and each request of the batch waits for the reload", async () => {
  let syncs = 0;
  let reloadDone!: () => void;
  const handled: string[] = [];
  const route = createRouter({
    json: { handle: async (_req: unknown, _res: unknown, _ctx: unknown, target: string) => void handled.push(target) } as unknown as JsonEdge,
    query: {} as QueryEdge,
    log: { error: () => {} } as unknown as Logger,
    isReady: () => true,
    syncState: () => {
      syncs++;
      // The first batch finds a change and reloads; later ones find none.
      return syncs === 1 ? new Promise<void>((resolve) => (reloadDone = resolve)) : undefined;
    },
  });
  const request = (target: string) =>
    route({ url: '/', method: 'POST', headers: { 'x-amz-target': target } } as unknown as IncomingMessage, {} as ServerResponse, true);
  const batch = ['a', 'b', 'c'].map(request);
  await new Promise((r) => setImmediate(r));
  assert.equal(syncs, 1);
  assert.deepEqual(handled, [], 'no request of the batch runs before the reload ends');
  reloadDone();
  await Promise.all(batch);
  assert.deepEqual(handled, ['a', 'b', 'c']);
  await request('d');
  assert.equal(syncs, 2, 'a later batch checks again');
  assert.deepEqual(handled, ['a', 'b', 'c', 'd']);
});
