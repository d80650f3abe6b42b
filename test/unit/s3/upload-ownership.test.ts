// Who owns an upload's parts: the completion or the abort that removes the upload record as it read it. A
// stale removal (the record changed or is gone) is refused, so the loser never deletes or uses the parts.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { StoredPart, UploadRecord } from '../../../src/services/s3/model.js';
import { S3Store } from '../../../src/services/s3/store.js';
import { KvConflictError } from '../../../src/storage/kv/interface.js';
import { SqliteKvStore } from '../../../src/storage/kv/sqlite.js';
import { tempDir } from '../../helpers/server.js';

describe('S3 upload records', () => {
  const dir = tempDir('keyhold-upload-');
  const kv = new SqliteKvStore(join(dir, 'kv.db'));
  const store = new S3Store(kv);
  after(async () => {
    await kv.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const upload = (uploadId: string): UploadRecord => ({
    uploadId,
    bucket: 'b',
    key: 'k',
    initiated: 0,
    initiator: 'arn:aws:iam::111122223333:root',
    userMetadata: {},
    tags: [],
    sse: { mode: 'AES256' },
    parts: {},
  });

  it('an abort that read the upload before a completion took it cannot remove it again', async () => {
    const u = upload('u1');
    await store.putUpload(u, 0);
    const read = (await store.getUpload('b', 'u1'))!;
    await store.completeUpload('b', { key: 'k', versions: [] as never }, 0, u, read.version, 1, []);
    await assert.rejects(store.deleteUpload(u, read.version, 1), KvConflictError);
  });

  it('a completion that read the upload before an abort took it commits nothing', async () => {
    const u = upload('u2');
    await store.putUpload(u, 0);
    const read = (await store.getUpload('b', 'u2'))!;
    await store.deleteUpload(u, read.version, 1);
    await assert.rejects(store.completeUpload('b', { key: 'k2', versions: [{ versionId: 'null' }] as never }, 0, u, read.version, 1, []), KvConflictError);
    assert.equal(await store.getObject('b', 'k2'), undefined);
  });

  const part = (blobId: string): StoredPart => ({
    partNumber: 1,
    size: 1,
    etag: 'e',
    blobId,
    salt: 's',
    sse: { mode: 'AES256', masterVersion: 1, wrapped: '' },
    cipherSize: 17,
  });

  it('a part stored again after the completion read the parts makes the completion stale too', async () => {
    const u = upload('u3');
    await store.putUpload(u, 0);
    const read = (await store.getUpload('b', 'u3'))!;
    await store.putUploadPart(u, read.version, part('x'), 0);
    const parts = await store.uploadParts(u);
    assert.deepEqual(
      parts.map((p) => p.part.blobId),
      ['x'],
    );
    await store.putUploadPart(u, read.version, part('y'), parts[0]!.version);
    await assert.rejects(store.completeUpload('b', { key: 'k3', versions: [{ versionId: 'null' }] as never }, 0, u, read.version, 1, parts), KvConflictError);
    assert.equal(await store.getObject('b', 'k3'), undefined);
  });

  it('parts are stored on their own, never over a part stored meanwhile, and never after the upload ended', async () => {
    const u = upload('u4');
    await store.putUpload(u, 0);
    const read = (await store.getUpload('b', 'u4'))!;
    await store.putUploadPart(u, read.version, part('a'), 0);
    assert.equal((await store.getUpload('b', 'u4'))!.version, read.version, "the upload's record is not rewritten");
    await assert.rejects(store.putUploadPart(u, read.version, part('b'), 0), KvConflictError);
    await store.deleteUpload(u, read.version, 1);
    await assert.rejects(store.putUploadPart(u, read.version, part('c'), 1), KvConflictError);
    assert.deepEqual(await store.dropPartRecords(u), ['a']);
    assert.deepEqual(await store.uploadParts(u), []);
  });
});
