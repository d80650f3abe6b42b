// The audit sink starts a new file once the current one is full and at the first write of each UTC day
// (ROTATE_BYTES, docs/decisions.md 110): the trail reads back whole across files, every file but the newest
// ends at its last record, and a new file that cannot be opened leaves the records going to the current one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EncryptedJsonlSink } from '../../../src/audit/encrypted-jsonl-sink.js';
import type { AuditEvent } from '../../../src/audit/event.js';
import { readAuditDir } from '../../../src/audit/reader.js';
import { tempDir } from '../../helpers/server.js';

const event = (n: number) => ({ eventName: `Op${n}`, requestID: 'r'.repeat(200) }) as unknown as AuditEvent;

function readBack(key: Buffer, dir: string): string[] {
  const names: string[] = [];
  for (const r of readAuditDir(key, dir)) {
    assert.ok('event' in r && r.event, `every record reads: ${JSON.stringify(r)}`);
    names.push(r.event.eventName);
  }
  return names;
}

const files = (dir: string) =>
  readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort();

describe('audit file rotation', () => {
  it('goes on in a new file once the current one holds rotateBytes, and the trail reads back whole', async () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const sink = new EncryptedJsonlSink(key, { dir }, { rotateBytes: 4096 });
    for (let n = 1; n <= 100; n++) await sink.write(event(n));
    await sink.close();
    const names = files(dir);
    assert.ok(names.length >= 5, `${names.length} files`);
    // Each file but the newest was cut at its last record, past the limit by less than one record.
    for (const n of names.slice(0, -1)) assert.ok(statSync(join(dir, n)).size < 4096 + 1024, `${n} is ${statSync(join(dir, n)).size} bytes`);
    assert.deepEqual(
      readBack(key, dir),
      Array.from({ length: 100 }, (_, i) => `Op${i + 1}`),
    );
  });

  it('starts a new file at the first write of a new UTC day, named by when it started', async () => {
    const dir = tempDir();
    const key = randomBytes(32);
    let now = Date.parse('2026-11-30T23:59:59.500Z');
    const sink = new EncryptedJsonlSink(key, { dir }, { now: () => now });
    await sink.write(event(1));
    await sink.write(event(2));
    now = Date.parse('2026-12-01T00:00:00.250Z');
    await sink.write(event(3));
    await sink.close();
    const names = files(dir);
    assert.equal(names.length, 2);
    assert.match(names[0]!, /^audit-20261130T235959500Z-/);
    assert.match(names[1]!, /^audit-20261201T000000250Z-/);
    assert.deepEqual(readBack(key, dir), ['Op1', 'Op2', 'Op3']);
  });

  it('keeps writing the current file while no new one can be opened, and rotates once one can', async () => {
    const parent = tempDir();
    const dir = join(parent, 'audit');
    const key = randomBytes(32);
    let now = Date.parse('2026-11-30T12:00:00Z');
    const sink = new EncryptedJsonlSink(key, { dir }, { rotateBytes: 1024, retryAfterMs: 1000, now: () => now });
    await sink.write(event(1));
    await sink.write(event(2));
    await sink.write(event(3));
    const first = files(dir);
    // The directory is moved away and a file stands where it was: a new file cannot be created there.
    const moved = join(parent, 'moved');
    renameSync(dir, moved);
    writeFileSync(dir, 'not a directory');
    for (let n = 4; n <= 10; n++) await sink.write(event(n));
    assert.ok(sink.healthy, 'records went on into the open file');
    assert.equal(files(moved).length, first.length, 'no new file');
    // Once a file can be made again and the retry delay has passed, the next write starts one.
    rmSync(dir);
    renameSync(moved, dir);
    now += 1000;
    await sink.write(event(11));
    await sink.close();
    assert.equal(files(dir).length, first.length + 1);
    assert.deepEqual(
      readBack(key, dir),
      Array.from({ length: 11 }, (_, i) => `Op${i + 1}`),
    );
  });
});
