// `keyhold backup` made while the server changes the data directory under it (docs/decisions.md 112): the copy
// holds exactly the blobs its metadata names, an object deleted between the snapshot and the copy of its blob
// makes the backup take a newer snapshot instead of keeping a reference to nothing, a blob lost before the
// backup is reported, and a refused or failed backup leaves nothing behind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BackupError, backupDataDir } from '../../src/server/backup/backup-data-dir.js';
import { openState } from '../../src/server/open-state.js';
import { sweepOrphanBlobs } from '../../src/services/s3/orphan-blobs.js';
import { storedBlobFiles } from '../helpers/blob-files.js';
import { pausedS3Get } from '../helpers/paused-get.js';
import { errorName, startTestServer, type TestServer, tempDir } from '../helpers/server.js';

let srv: TestServer;
let s3: S3Client;
const backups = tempDir('keyhold-backups-');
const Bucket = 'backed';

before(async () => {
  srv = await startTestServer();
  s3 = srv.s3();
  await s3.send(new CreateBucketCommand({ Bucket }));
});
after(() => srv.stop());

/** Puts an object and returns the path of the one blob file the put added. */
async function putNewBlob(Key: string, Body: string | Buffer): Promise<string> {
  const before = new Set(storedBlobFiles(srv.dataDir));
  await s3.send(new PutObjectCommand({ Bucket, Key, Body }));
  const added = storedBlobFiles(srv.dataDir).filter((f) => !before.has(f));
  assert.equal(added.length, 1);
  return added[0]!;
}

/** Deletes an object and waits for its blob file to go: unlinked once the deletion is durable. */
async function deleteAndAwaitUnlink(Key: string, blob: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket, Key }));
  while (existsSync(blob)) await turn();
}

/** The copy's blobs against its metadata: unreferenced files and references without a file. */
async function copyAgainstMetadata(dir: string): Promise<{ unreferenced: number; missing: number }> {
  const state = await openState(dir, process.env, { create: false });
  try {
    const { removed, missing } = await sweepOrphanBlobs(state.kv, state.blobs);
    return { unreferenced: removed, missing };
  } finally {
    await state.close();
  }
}

it('takes a newer snapshot when an object is deleted between the snapshot and the copy of its blob', async () => {
  const goneBlob = await putNewBlob('deleted-meanwhile', 'old');
  await putNewBlob('kept', 'kept data');
  const to = join(backups, 'raced');
  const report = await backupDataDir({
    dataDir: srv.dataDir,
    to,
    afterSnapshot: async (n) => {
      if (n !== 1) return;
      await deleteAndAwaitUnlink('deleted-meanwhile', goneBlob);
    },
  });
  assert.equal(report.snapshots, 2);
  assert.equal(report.missing, 0);
  assert.deepEqual(await copyAgainstMetadata(to), { unreferenced: 0, missing: 0 });

  const restored = await startTestServer({ dataDir: to });
  try {
    const r = restored.s3();
    assert.equal(await (await r.send(new GetObjectCommand({ Bucket, Key: 'kept' }))).Body!.transformToString(), 'kept data');
    assert.equal(await errorName(r.send(new GetObjectCommand({ Bucket, Key: 'deleted-meanwhile' }))), 'NoSuchKey');
  } finally {
    await restored.stop();
  }
});

it('leaves out the blobs copied for an older snapshot that the final one no longer names', async () => {
  const big = randomBytes(4 * 1024 * 1024);
  const oldBlob = await putNewBlob('replaced', big);
  const victim = await putNewBlob('victim', 'v');
  // A read in progress holds the old version's blob (decision 75), so it is still there to be copied after
  // the object is replaced.
  const reader = await pausedS3Get(srv, Bucket, 'replaced');
  const to = join(backups, 'replaced');
  const report = await backupDataDir({
    dataDir: srv.dataDir,
    to,
    afterSnapshot: async (n) => {
      if (n !== 1) return;
      await s3.send(new PutObjectCommand({ Bucket, Key: 'replaced', Body: 'new' }));
      await deleteAndAwaitUnlink('victim', victim);
    },
  });
  assert.ok(existsSync(oldBlob), 'the paused read keeps the old blob');
  assert.equal(Buffer.concat([reader.first, await reader.rest()]).equals(big), true);
  assert.equal(report.snapshots, 2);
  // The first pass copied the old version's blob; the final snapshot names only the new one.
  assert.deepEqual(await copyAgainstMetadata(to), { unreferenced: 0, missing: 0 });
  const restored = await startTestServer({ dataDir: to });
  try {
    assert.equal(await (await restored.s3().send(new GetObjectCommand({ Bucket, Key: 'replaced' }))).Body!.transformToString(), 'new');
  } finally {
    await restored.stop();
  }
});

it('finishes a copy of a data directory that had already lost a blob, and reports the loss', async () => {
  const lost = await putNewBlob('lost', 'gone before the backup');
  rmSync(lost);
  const to = join(backups, 'lossy');
  const report = await backupDataDir({ dataDir: srv.dataDir, to });
  // Missing in two snapshots in a row: lost, not being deleted.
  assert.equal(report.snapshots, 2);
  assert.equal(report.missing, 1);
  assert.deepEqual(await copyAgainstMetadata(to), { unreferenced: 0, missing: 1 });
  await s3.send(new DeleteObjectCommand({ Bucket, Key: 'lost' }));
});

it('refuses a destination that exists, a source that is no data directory and a copy into its own source', async () => {
  const exists = tempDir('keyhold-backup-exists-');
  const refused = async (dataDir: string, to: string) => {
    const err = await backupDataDir({ dataDir, to }).catch((e: unknown) => e);
    assert.ok(err instanceof BackupError, String(err));
    return err.message;
  };
  assert.match(await refused(srv.dataDir, exists), /already exists/);
  assert.match(await refused(tempDir('keyhold-not-data-'), join(backups, 'never')), /not a Keyhold data directory/);
  assert.match(await refused(srv.dataDir, join(srv.dataDir, 'inside')), /inside the data directory/);
  assert.match(await refused(srv.dataDir, join(backups, 'no', 'parent')), /does not exist/);
  assert.equal(existsSync(join(backups, 'never')), false);
});

it('leaves nothing behind when a backup fails part way', async () => {
  const to = join(backups, 'failed');
  const err = await backupDataDir({
    dataDir: srv.dataDir,
    to,
    afterSnapshot: async () => {
      throw new Error('disk gone');
    },
  }).catch((e: unknown) => e);
  assert.match(String(err), /disk gone/);
  assert.equal(existsSync(to), false);
  assert.deepEqual(
    readdirSync(dirname(to)).filter((n) => n.includes('partial')),
    [],
  );
});

it('removes what a backup killed part way left beside the same destination, not what a running one is writing', async () => {
  const to = join(backups, 'after-a-kill');
  const child = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
  const dead = join(backups, `.after-a-kill.partial-${child.pid}-0123456789ab`);
  const running = join(backups, `.after-a-kill.partial-${process.pid}-0123456789ab`);
  for (const d of [dead, running]) mkdirSync(join(d, 'blobs'), { recursive: true });
  await backupDataDir({ dataDir: srv.dataDir, to });
  assert.equal(existsSync(dead), false);
  assert.equal(existsSync(running), true);
  assert.equal(existsSync(to), true);
});
