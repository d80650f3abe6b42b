// The pooled CSPRNG hands out every byte once: no two draws share bytes, sizes are exact, and large
// requests bypass the pool.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { csprng } from '../../../src/crypto/random.js';

it('never repeats a draw across pool refills and returns exact sizes', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const b = csprng(12);
    assert.equal(b.length, 12);
    const h = b.toString('hex');
    assert.equal(seen.has(h), false);
    seen.add(h);
  }
  assert.equal(csprng(1024).length, 1024);
  assert.equal(csprng(0).length, 0);
  const a = csprng(16);
  const b = csprng(16);
  a.fill(0);
  assert.notDeepEqual(b, Buffer.alloc(16), 'draws do not alias each other');
});
