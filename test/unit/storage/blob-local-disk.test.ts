// The local-disk blob store passes the shared conformance suite and sweeps temp files at open.
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { runBlobConformance } from '../../../src/storage/blob/conformance.js';
import { LocalDiskBlobStore } from '../../../src/storage/blob/local-disk.js';
import { tempDir } from '../../helpers/server.js';

runBlobConformance('local-disk', async () => {
  const dir = tempDir();
  return { store: new LocalDiskBlobStore(dir), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

it('sweeps temp files left by a crash', () => {
  const dir = tempDir();
  new LocalDiskBlobStore(dir);
  writeFileSync(join(dir, 'tmp', 'deadbeef'), 'partial');
  new LocalDiskBlobStore(dir);
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  rmSync(dir, { recursive: true, force: true });
});

it('leaves temp files alone when other processes may be writing them (cluster workers)', () => {
  const dir = tempDir();
  new LocalDiskBlobStore(dir);
  writeFileSync(join(dir, 'tmp', 'cafebabe'), 'in flight elsewhere');
  new LocalDiskBlobStore(dir, { sweepTemp: false });
  assert.deepEqual(readdirSync(join(dir, 'tmp')), ['cafebabe']);
  rmSync(dir, { recursive: true, force: true });
});
