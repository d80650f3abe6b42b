// Conformance suite every KvStore implementation must pass (SQLite now, PostgreSQL later).
// Usage from a test file: runKvConformance('sqlite', async () => ({ store, cleanup })).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type StoreFactory, withFreshStore } from '../with-fresh-store.js';
import { KvConflictError, type KvStore } from './interface.js';

export type KvFactory = StoreFactory<KvStore>;

const b = (s: string) => Buffer.from(s);

export function runKvConformance(name: string, factory: KvFactory): void {
  describe(`KvStore conformance: ${name}`, () => {
    const withStore = withFreshStore(factory);

    it(
      'round-trips values with versions',
      withStore(async (s) => {
        assert.equal(await s.get('ns', 'a'), undefined);
        await s.commit([{ type: 'put', namespace: 'ns', key: 'a', value: b('1') }]);
        assert.deepEqual(await s.get('ns', 'a'), { key: 'a', value: b('1'), version: 1 });
        await s.commit([{ type: 'put', namespace: 'ns', key: 'a', value: b('2') }]);
        assert.deepEqual(await s.get('ns', 'a'), { key: 'a', value: b('2'), version: 2 });
      }),
    );

    it(
      'keeps namespaces apart',
      withStore(async (s) => {
        await s.commit([{ type: 'put', namespace: 'x', key: 'k', value: b('x') }]);
        assert.equal(await s.get('y', 'k'), undefined);
      }),
    );

    it(
      'checks expected versions and applies all or nothing',
      withStore(async (s) => {
        await s.commit([{ type: 'put', namespace: 'ns', key: 'a', value: b('1'), expectVersion: 0 }]);
        await assert.rejects(s.commit([{ type: 'put', namespace: 'ns', key: 'a', value: b('x'), expectVersion: 0 }]), KvConflictError);
        await assert.rejects(
          s.commit([
            { type: 'put', namespace: 'ns', key: 'b', value: b('b') },
            { type: 'put', namespace: 'ns', key: 'a', value: b('y'), expectVersion: 7 },
          ]),
          KvConflictError,
        );
        assert.equal(await s.get('ns', 'b'), undefined, 'a failed commit must not leave partial writes');
        assert.equal((await s.get('ns', 'a'))?.value.toString(), '1');
        await s.commit([{ type: 'put', namespace: 'ns', key: 'a', value: b('z'), expectVersion: 1 }]);
        assert.equal((await s.get('ns', 'a'))?.version, 2);
      }),
    );

    it(
      'deletes, with and without expected versions',
      withStore(async (s) => {
        await s.commit([{ type: 'put', namespace: 'ns', key: 'a', value: b('1') }]);
        await assert.rejects(s.commit([{ type: 'delete', namespace: 'ns', key: 'a', expectVersion: 2 }]), KvConflictError);
        await s.commit([{ type: 'delete', namespace: 'ns', key: 'a', expectVersion: 1 }]);
        assert.equal(await s.get('ns', 'a'), undefined);
        await s.commit([{ type: 'delete', namespace: 'ns', key: 'missing' }]);
      }),
    );

    it(
      'checks a version without writing it: the commit lands only while the checked key is as read',
      withStore(async (s) => {
        await s.commit([{ type: 'put', namespace: 'head', key: 'h', value: b('1') }]);
        await s.commit([
          { type: 'check', namespace: 'head', key: 'h', expectVersion: 1 },
          { type: 'put', namespace: 'part', key: 'p1', value: b('x') },
        ]);
        assert.equal((await s.get('head', 'h'))?.version, 1, 'a check leaves the version as it was');
        await s.commit([
          { type: 'check', namespace: 'head', key: 'h', expectVersion: 1 },
          { type: 'put', namespace: 'part', key: 'p2', value: b('y') },
        ]);
        await s.commit([{ type: 'delete', namespace: 'head', key: 'h', expectVersion: 1 }]);
        await assert.rejects(
          s.commit([
            { type: 'check', namespace: 'head', key: 'h', expectVersion: 1 },
            { type: 'put', namespace: 'part', key: 'p3', value: b('z') },
          ]),
          KvConflictError,
        );
        assert.equal(await s.get('part', 'p3'), undefined, 'nothing of a refused commit is written');
        assert.deepEqual(
          (await s.list('part')).map((e) => e.key),
          ['p1', 'p2'],
        );
      }),
    );

    it(
      'lists in UTF-8 byte order with prefix, after and limit',
      withStore(async (s) => {
        const keys = ['b/2', 'a', 'b/1', 'b/\u{1F600}', 'b/\uFF61', 'c', 'b'];
        await s.commit(keys.map((k) => ({ type: 'put' as const, namespace: 'ns', key: k, value: b(k) })));
        const sorted = [...keys].sort((x, y) => Buffer.compare(b(x), b(y)));
        assert.deepEqual(
          (await s.list('ns')).map((e) => e.key),
          sorted,
        );
        assert.deepEqual(
          (await s.list('ns', { prefix: 'b/' })).map((e) => e.key),
          ['b/1', 'b/2', 'b/\uFF61', 'b/\u{1F600}'],
        );
        assert.deepEqual(
          (await s.list('ns', { prefix: 'b/', after: 'b/1', limit: 2 })).map((e) => e.key),
          ['b/2', 'b/\uFF61'],
        );
        assert.equal((await s.list('other')).length, 0);
      }),
    );

    it(
      'stores arbitrary bytes exactly',
      withStore(async (s) => {
        const value = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
        await s.commit([{ type: 'put', namespace: 'ns', key: 'bin', value }]);
        assert.deepEqual((await s.get('ns', 'bin'))?.value, value);
      }),
    );
  });
}
