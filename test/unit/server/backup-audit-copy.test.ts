// The copy of a live audit file ends after its last whole record (src/server/backup/audit-copy.ts): a record
// caught half-written and the zeros written ahead of the records are cut; whole files are kept as they are.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { copyAuditFiles, cutAfterLastRecord } from '../../../src/server/backup/audit-copy.js';
import { tempDir } from '../../helpers/server.js';

const dir = tempDir();
const cut = async (content: Buffer) => {
  const path = join(dir, 'f.jsonl');
  writeFileSync(path, content);
  const size = await cutAfterLastRecord(path);
  const kept = readFileSync(path);
  assert.equal(kept.length, size);
  return kept.toString('latin1');
};

it('cuts a half-written record and the zero tail, keeps whole records', async () => {
  assert.equal(await cut(Buffer.from('{"seq":1}\n{"seq":2}\n{"se')), '{"seq":1}\n{"seq":2}\n');
  assert.equal(await cut(Buffer.concat([Buffer.from('{"seq":1}\n'), Buffer.alloc(200_000)])), '{"seq":1}\n');
  assert.equal(await cut(Buffer.from('{"seq":1}\n')), '{"seq":1}\n');
  assert.equal(await cut(Buffer.from('{"seq":1')), '');
  assert.equal(await cut(Buffer.alloc(0)), '');
  // The last newline more than one scan window (64 KiB) before the end.
  assert.equal(await cut(Buffer.concat([Buffer.from('{"seq":1}\n'), Buffer.alloc(150_000, 0x41)])), '{"seq":1}\n');
});

it('copies only the trail files, each cut after its last record', async () => {
  const from = tempDir();
  writeFileSync(join(from, 'audit-1.jsonl'), '{"seq":1}\n');
  writeFileSync(join(from, 'audit-2.jsonl'), Buffer.concat([Buffer.from('{"seq":1}\n{"seq":2'), Buffer.alloc(100)]));
  writeFileSync(join(from, 'notes.txt'), 'not a trail file');
  const to = join(tempDir(), 'audit');
  assert.deepEqual(await copyAuditFiles(from, to), { files: 2, bytes: 20 });
  assert.equal(readFileSync(join(to, 'audit-2.jsonl'), 'utf8'), '{"seq":1}\n');
});
