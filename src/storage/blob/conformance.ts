// Conformance suite every BlobStore implementation must pass (local disk now, S3 backend later).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { type StoreFactory, withFreshStore } from '../with-fresh-store.js';
import { BlobNotFoundError, type BlobStore } from './interface.js';

export type BlobFactory = StoreFactory<BlobStore>;

/** Copies each chunk as it arrives: a store may reuse a chunk's buffer once the next one is requested. */
async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function ids(s: BlobStore): Promise<string[]> {
  const out: string[] = [];
  for await (const id of s.list()) out.push(id);
  return out.sort();
}

async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

export function runBlobConformance(name: string, factory: BlobFactory): void {
  describe(`BlobStore conformance: ${name}`, () => {
    const withStore = withFreshStore(factory);

    it(
      'streams a multi-chunk blob in and out byte-exactly',
      withStore(async (s) => {
        const data = randomBytes(3 * 1024 * 1024 + 17);
        const { id, size } = await s.put(chunks(data, 64 * 1024));
        assert.equal(size, data.length);
        assert.equal(await s.size(id), data.length);
        assert.deepEqual(await collect(await s.get(id)), data);
      }),
    );

    it(
      'serves inclusive byte ranges',
      withStore(async (s) => {
        const data = randomBytes(10_000);
        const { id } = await s.put(chunks(data, 999));
        assert.deepEqual(await collect(await s.get(id, { start: 0, end: 0 })), data.subarray(0, 1));
        assert.deepEqual(await collect(await s.get(id, { start: 4095, end: 9999 })), data.subarray(4095));
        await assert.rejects(s.get(id, { start: 5, end: 10_000 }), RangeError);
        const big = randomBytes(3 * 1024 * 1024);
        const { id: bigId } = await s.put(chunks(big, 64 * 1024));
        const mid = { start: 100, end: 2 * 1024 * 1024 + 4321 };
        assert.deepEqual(await collect(await s.get(bigId, mid)), big.subarray(mid.start, mid.end + 1));
      }),
    );

    it(
      'stores empty blobs',
      withStore(async (s) => {
        const { id, size } = await s.put(chunks(Buffer.alloc(0), 1));
        assert.equal(size, 0);
        assert.equal((await collect(await s.get(id))).length, 0);
      }),
    );

    it(
      'gives every blob a fresh id and deletes idempotently',
      withStore(async (s) => {
        const a = await s.put(chunks(Buffer.from('a'), 1));
        const b = await s.put(chunks(Buffer.from('a'), 1));
        assert.notEqual(a.id, b.id);
        await s.delete(a.id);
        await s.delete(a.id);
        await assert.rejects(s.get(a.id), BlobNotFoundError);
        assert.equal(await s.size(a.id), undefined);
        assert.deepEqual(await collect(await s.get(b.id)), Buffer.from('a'));
      }),
    );

    it(
      'refuses ids it did not make (no path traversal)',
      withStore(async (s) => {
        for (const bad of ['../x', '/etc/passwd', 'a/../../b', '', '..', 'A'.repeat(32)]) {
          await assert.rejects(s.get(bad), BlobNotFoundError);
          assert.equal(await s.size(bad), undefined);
        }
      }),
    );

    it(
      'leaves nothing visible when the source fails mid-stream',
      withStore(async (s) => {
        async function* failing(): AsyncGenerator<Buffer> {
          yield Buffer.from('partial');
          throw new Error('client went away');
        }
        await assert.rejects(s.put(failing()), /client went away/);
        assert.deepEqual(await ids(s), []);
      }),
    );

    it(
      'lists the id of every finished blob, and no deleted one',
      withStore(async (s) => {
        assert.deepEqual(await ids(s), []);
        const made = await Promise.all([1, 2, 3].map((n) => s.put(chunks(Buffer.alloc(n), 1))));
        await s.delete(made[1]!.id);
        assert.deepEqual(await ids(s), [made[0]!.id, made[2]!.id].sort());
      }),
    );
  });
}
