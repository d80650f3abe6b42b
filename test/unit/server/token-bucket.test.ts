// KMS request quotas as token buckets (src/server/token-bucket.ts): a burst of one second's rate, refilled
// continuously, and a wall clock stepped back neither drains nor fills a bucket.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TokenBuckets } from '../../../src/server/token-bucket.js';

const takeN = (b: TokenBuckets, n: number, rate: number, now: number) => Array.from({ length: n }, () => b.take('g', rate, now)).filter(Boolean).length;

it('allows one second of burst, then refills at the rate', () => {
  const b = new TokenBuckets();
  assert.equal(takeN(b, 12, 10, 1_000_000), 10);
  assert.equal(takeN(b, 12, 10, 1_000_500), 5);
});

it('goes on serving at the rate after the clock steps back an hour', () => {
  const b = new TokenBuckets();
  const t = 1_796_000_000_000;
  assert.equal(takeN(b, 10, 10, t), 10);
  const back = t - 3_600_000;
  assert.equal(takeN(b, 5, 10, back), 0, 'no refill for time that went backwards');
  assert.equal(takeN(b, 12, 10, back + 1000), 10, 'one second later on the new clock, a second of tokens');
});
