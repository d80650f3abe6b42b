// The encrypted audit trail: concurrent events share one sealed record per group commit (format v2),
// every event reads back in order, version 1 records still read, and tampering is reported, never skipped.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { auditAad, auditFileKey, auditIv, EncryptedJsonlSink, PREALLOCATE_BYTES } from '../../../src/audit/encrypted-jsonl-sink.js';
import type { AuditEvent } from '../../../src/audit/event.js';
import { readAuditDir } from '../../../src/audit/reader.js';
import { gcmSeal } from '../../../src/crypto/aead.js';
import { tempDir } from '../../helpers/server.js';

const event = (n: number) => ({ eventName: `Op${n}`, requestID: `req-${n}` }) as unknown as AuditEvent;

async function trail(events: number, waves = 1): Promise<{ key: Buffer; dir: string; file: string }> {
  const key = randomBytes(32);
  const dir = tempDir();
  const sink = new EncryptedJsonlSink(key, { dir });
  // Issued together: the first flushes alone, the rest queue behind it and share the next record.
  for (let w = 0, n = 0; w < waves; w++) await Promise.all(Array.from({ length: events / waves }, () => sink.write(event(++n))));
  await sink.close();
  return { key, dir, file: join(dir, readdirSync(dir)[0]!) };
}

it('seals concurrent events into one record per group commit and reads every event back in order', async () => {
  const { key, dir, file } = await trail(50);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.ok(lines.length < 50, `group commit wrote ${lines.length} records for 50 events`);
  for (const l of lines) assert.equal((JSON.parse(l) as { v: number }).v, 2);
  const read = [...readAuditDir(key, dir)];
  assert.deepEqual(
    read.map((r) => ('event' in r ? r.event.eventName : r.error)),
    Array.from({ length: 50 }, (_, i) => `Op${i + 1}`),
  );
  // A JSON fragment (quotes, colon) cannot appear by chance in the base64 of the ciphertext, as 'Op1' alone can.
  assert.ok(!readFileSync(file, 'utf8').includes('"eventName":"Op1"'), 'events are encrypted at rest');
});

it('reads version 1 records (one event each) written before group sealing', async () => {
  const { key, dir, file } = await trail(1);
  const name = file.split('/').pop()!;
  const { ciphertext, tag } = gcmSeal(auditFileKey(key, name), Buffer.from(JSON.stringify(event(99))), auditAad(name, 2, 1), auditIv(2));
  appendFileSync(file, `{"v":1,"seq":2,"d":"${Buffer.concat([ciphertext, tag]).toString('base64')}"}\n`);
  assert.deepEqual(
    [...readAuditDir(key, dir)].map((r) => ('event' in r ? r.event.eventName : r.error)),
    ['Op1', 'Op99'],
  );
});

it('reports a flipped byte, a deleted record and a wrong key instead of skipping them', async () => {
  const { key, dir, file } = await trail(30, 3);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.ok(lines.length >= 3);
  const rec = JSON.parse(lines[0]!) as { v: number; seq: number; d: string };
  const d = Buffer.from(rec.d, 'base64');
  d[3]! ^= 1;
  writeFileSync(file, `${[JSON.stringify({ ...rec, d: d.toString('base64') }), ...lines.slice(2)].join('\n')}\n`);
  const errors = [...readAuditDir(key, dir)].filter((r) => 'error' in r).map((r) => ('error' in r ? r.error : ''));
  assert.deepEqual(errors, ['record failed authentication', 'unexpected record (expected seq 2)']);
  assert.ok([...readAuditDir(randomBytes(32), dir)].every((r) => 'error' in r));
});

it('writes records into a zero tail written ahead of them, which close() cuts and the reader skips after a crash', async () => {
  const key = randomBytes(32);
  const dir = tempDir();
  const sink = new EncryptedJsonlSink(key, { dir });
  for (let n = 1; n <= 3; n++) await sink.write(event(n));
  // Still open, as after a crash: the file is one preallocation long, records first, then zeros.
  const file = join(dir, readdirSync(dir)[0]!);
  assert.equal(statSync(file).size, PREALLOCATE_BYTES);
  const names = () => [...readAuditDir(key, dir)].map((r) => ('event' in r ? r.event.eventName : r.error));
  assert.deepEqual(names(), ['Op1', 'Op2', 'Op3']);
  // A record cut short by the crash, then zeros: reported, not skipped with the zeros.
  const bytes = readFileSync(file);
  const end = bytes.indexOf(0);
  bytes.write('{"v":2,"seq":4,"d":"AAAA', end);
  writeFileSync(file, bytes);
  assert.deepEqual(names(), ['Op1', 'Op2', 'Op3', 'unparseable line (truncated write?)']);
  writeFileSync(file, bytes.subarray(0, end));
  await sink.close();
  // A record larger than what is left of the tail extends the file by whole preallocations.
  const big = new EncryptedJsonlSink(key, { dir: tempDir() });
  await big.write({ eventName: 'Big', requestID: 'x'.repeat(PREALLOCATE_BYTES) } as unknown as AuditEvent);
  const bigFile = big.path;
  // The event's JSON is just over 1 MiB, its base64 record about 1.4 MiB: two preallocations.
  assert.equal(statSync(bigFile).size, 2 * PREALLOCATE_BYTES);
  await big.close();
  assert.equal(readFileSync(bigFile, 'utf8').indexOf('\0'), -1, 'close() truncates the zero tail');
  assert.ok(readFileSync(bigFile, 'utf8').endsWith('\n'));
});

it('reads a file larger than its read chunk (1 MiB), records split across chunks, whole and in order', async () => {
  const key = randomBytes(32);
  const dir = tempDir();
  const sink = new EncryptedJsonlSink(key, { dir });
  const big = (n: number) => ({ ...event(n), requestParameters: { pad: `${n}`.repeat(100_000 / `${n}`.length) } }) as unknown as AuditEvent;
  for (let n = 1; n <= 30; n++) await sink.write(big(n));
  await sink.close();
  assert.ok(statSync(join(dir, readdirSync(dir)[0]!)).size > 3 * 1024 * 1024);
  const read = [...readAuditDir(key, dir)];
  assert.deepEqual(
    read.map((r) => ('event' in r ? `${r.event.eventName} ${(r.event.requestParameters as { pad: string }).pad.length}` : r.error)),
    Array.from({ length: 30 }, (_, i) => `Op${i + 1} ${(big(i + 1).requestParameters as { pad: string }).pad.length}`),
  );
});
