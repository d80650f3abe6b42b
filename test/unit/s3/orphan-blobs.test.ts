// The orphan sweep removes exactly the blob files no metadata refers to: it keeps every version's data
// (current or not, single-part or multipart) and the parts of unfinished uploads, also past the first page
// of object entries. The clean-stop marker decides whether a start sweeps at all.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLEAN_STOP_FILE, recordCleanStop, sweepAfterUncleanStop, takeCleanStop } from '../../../src/server/clean-stop.js';
import type { ObjectEntry, UploadRecord, VersionRecord } from '../../../src/services/s3/model.js';
import { sweepOrphanBlobs } from '../../../src/services/s3/orphan-blobs.js';
import { S3Store } from '../../../src/services/s3/store.js';
import type { Logger } from '../../../src/server/logger.js';
import { LocalDiskBlobStore } from '../../../src/storage/blob/local-disk.js';
import type { KvStore } from '../../../src/storage/kv/interface.js';
import { SqliteKvStore } from '../../../src/storage/kv/sqlite.js';
import { tempDir } from '../../helpers/server.js';

async function* one(data: string): AsyncGenerator<Buffer> {
  yield Buffer.from(data);
}

async function stored(blobs: LocalDiskBlobStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of blobs.list()) ids.push(id);
  return ids.sort();
}

// Only the fields the sweep reads; the rest of a record does not matter to it.
const version = (v: Partial<VersionRecord>) => ({ versionId: 'null', ...v }) as VersionRecord;
const entry = (key: string, versions: VersionRecord[]): ObjectEntry => ({ key, versions });

describe('orphan blob sweep', () => {
  const dir = tempDir('keyhold-orphans-');
  const kv = new SqliteKvStore(join(dir, 'kv.db'));
  const blobs = new LocalDiskBlobStore(join(dir, 'blobs'));
  const store = new S3Store(kv);
  after(async () => {
    await kv.close();
    await blobs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes only the blobs that no object version or upload refers to', async () => {
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push((await blobs.put(one(`blob ${i}`))).id);
    const [current, noncurrent, part1, part2, uploadPart, lastPage, orphan1, orphan2] = ids as [string, ...string[]];
    await store.putObject('b', entry('single', [version({ blobId: current, versionId: 'v2' }), version({ blobId: noncurrent, versionId: 'v1' })]), 0);
    await store.putObject(
      'b',
      entry('multipart', [
        version({ parts: [{ blobId: part1 }, { blobId: part2 }] as VersionRecord['parts'] }),
        version({ isDeleteMarker: true } as Partial<VersionRecord>),
      ]),
      0,
    );
    await store.putUpload({ bucket: 'b', uploadId: 'u1', key: 'k', parts: { '1': { blobId: uploadPart } } } as unknown as UploadRecord, 0);
    // More entries than one page of the metadata listing, the last of them holding a blob.
    await kv.commit(
      Array.from({ length: 1200 }, (_, i) => ({
        type: 'put' as const,
        namespace: 's3/object',
        key: `c/${String(i).padStart(5, '0')}`,
        value: Buffer.from(JSON.stringify(entry(`${i}`, [version(i === 1199 ? { blobId: lastPage } : ({ isDeleteMarker: true } as Partial<VersionRecord>))]))),
      })),
    );

    assert.deepEqual(await sweepOrphanBlobs(kv, blobs), { removed: 2, kept: 6, missing: 0 });
    assert.deepEqual(await stored(blobs), [current, noncurrent, part1, part2, uploadPart, lastPage].sort());
    assert.ok(!(await stored(blobs)).includes(orphan1!) && !(await stored(blobs)).includes(orphan2!));
    assert.deepEqual(await sweepOrphanBlobs(kv, blobs), { removed: 0, kept: 6, missing: 0 });
    // A file lost outside Keyhold (a disk fault, a careless rm) is counted, and nothing else changes.
    await blobs.delete(part2!);
    assert.deepEqual(await sweepOrphanBlobs(kv, blobs), { removed: 0, kept: 5, missing: 1 });
  });

  it("keeps the blobs of versions stored in pages behind their key's head record", async () => {
    // A head of at most two versions, pages of one: four versions are a head of one and three pages.
    const paged = new S3Store(kv, { headMax: 2, headKeep: 1, pageVersions: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await blobs.put(one(`version ${i}`))).id);
    await paged.putObject(
      'p',
      entry(
        'deep',
        ids.map((blobId, i) => version({ blobId, versionId: `v${4 - i}` })),
      ),
      0,
    );
    assert.equal((await kv.list('s3/object-page', { prefix: 'p/' })).length, 3, 'three versions went to pages');
    const base = await sweepOrphanBlobs(kv, blobs);
    assert.equal(base.removed, 0, 'nothing of the paged versions is swept');
    const orphan = (await blobs.put(one('orphan'))).id;
    assert.deepEqual(await sweepOrphanBlobs(kv, blobs), { ...base, removed: 1 });
    for (const id of ids) assert.ok((await stored(blobs)).includes(id), `version blob ${id} kept`);
    assert.ok(!(await stored(blobs)).includes(orphan));
  });

  it('sweeps at start-up only when the last stop was not recorded as clean', async () => {
    const orphan = (await blobs.put(one('left by a crash'))).id;
    recordCleanStop(dir);
    await sweepAfterUncleanStop(dir, kv, blobs);
    assert.ok((await stored(blobs)).includes(orphan), 'a start after a clean stop does not sweep');
    assert.equal(existsSync(join(dir, CLEAN_STOP_FILE)), false, 'the marker is taken at start-up');
    await sweepAfterUncleanStop(dir, kv, blobs);
    assert.ok(!(await stored(blobs)).includes(orphan), 'a start without the marker sweeps');
    assert.equal(takeCleanStop(dir), false);
  });

  it('starts anyway, deleting nothing, when the metadata cannot be read', async () => {
    const kept = (await blobs.put(one('still here'))).id;
    const failing = { list: async () => Promise.reject(new Error('metadata unreadable')) } as unknown as KvStore;
    const logged: string[] = [];
    const log = { warn: () => undefined, error: (_: unknown, msg: string) => logged.push(msg) } as unknown as Logger;
    await sweepAfterUncleanStop(dir, failing, blobs, log);
    assert.ok((await stored(blobs)).includes(kept));
    assert.match(logged.join(), /sweep for unreferenced blob files failed/);
  });
});
