// The key last-use record behind GetKeyLastUsage: the later use wins whichever process or flush wrote first, a
// use of a key destroyed meanwhile is not written back, a failed write is kept for the next flush, and the
// tracking start survives restarts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KeyLastUsage, NS_USAGE } from '../../../src/services/kms/domain/key-last-usage.js';
import { createLogger } from '../../../src/server/logger.js';
import type { KvOp, KvStore } from '../../../src/storage/kv/interface.js';
import { SqliteKvStore } from '../../../src/storage/kv/sqlite.js';
import { tempDir } from '../../helpers/server.js';

const log = createLogger('silent');
const use = (operation: string, at: number) => ({ operation, at, eventId: `event-${at}`, requestId: `request-${at}` });

describe('KMS key last use', () => {
  const kv = new SqliteKvStore(join(tempDir(), 'kv.db'));
  after(() => kv.close());

  it('keeps the later use across processes sharing the store, and never writes an older one over it', async () => {
    let now = 1_000;
    const a = new KeyLastUsage(
      kv,
      () => now,
      log,
      async () => true,
    );
    const b = new KeyLastUsage(
      kv,
      () => now,
      log,
      async () => true,
    );
    await a.start();
    now = 5_000;
    await b.start();
    assert.equal(a.trackingStartFor(0), 1_000, 'the first start is the tracking start');
    assert.equal(b.trackingStartFor(0), 1_000, 'a later process keeps it');
    assert.equal(b.trackingStartFor(3_000), 3_000, 'or the key creation, whichever is later');

    a.note('arn:aws:kms:us-east-1:111122223333:key/k1', use('Encrypt', 2_000));
    b.note('k1', use('Decrypt', 3_000));
    assert.equal((await a.lastUse('k1'))?.operation, 'Encrypt', 'a pending use is answered before it is written');
    await b.flush();
    await a.flush();
    assert.deepEqual(await a.lastUse('k1'), use('Decrypt', 3_000));
    assert.deepEqual(JSON.parse((await kv.get(NS_USAGE, 'k1'))!.value.toString()), use('Decrypt', 3_000));
    a.note('k1', use('GenerateDataKey', 4_000));
    await a.close();
    assert.equal((await b.lastUse('k1'))?.operation, 'GenerateDataKey');
  });

  it('does not write back a use of a key destroyed meanwhile', async () => {
    const usage = new KeyLastUsage(
      kv,
      () => 0,
      log,
      async (keyId) => keyId !== 'gone',
    );
    usage.note('gone', use('Encrypt', 1));
    await usage.flush();
    assert.equal(await kv.get(NS_USAGE, 'gone'), undefined);
  });

  it('keeps uses whose write failed for the next flush', async () => {
    let failing = true;
    const flaky: KvStore = {
      get: (ns, key) => kv.get(ns, key),
      list: (ns, o) => kv.list(ns, o),
      commit: (ops: ReadonlyArray<KvOp>) => (failing ? Promise.reject(new Error('disk full')) : kv.commit(ops)),
      close: async () => undefined,
    };
    const usage = new KeyLastUsage(
      flaky,
      () => 0,
      log,
      async () => true,
    );
    usage.note('k2', use('Encrypt', 10));
    await usage.flush();
    assert.equal(await kv.get(NS_USAGE, 'k2'), undefined);
    assert.equal((await usage.lastUse('k2'))?.operation, 'Encrypt', 'still answered from memory');
    failing = false;
    await usage.close();
    assert.deepEqual(JSON.parse((await kv.get(NS_USAGE, 'k2'))!.value.toString()), use('Encrypt', 10));
  });
});
