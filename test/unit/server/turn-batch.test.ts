// The turn batch (src/server/turn-batch.ts): requests that ask in the same event-loop turn are released
// together, in order, in that turn's check phase — before any timer or immediate scheduled after them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
