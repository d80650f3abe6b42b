// An audit file that cannot grow (a full disk; here the file-size limit of `ulimit -f`, which fails writes
// with EFBIG as a full disk fails them with ENOSPC) makes the sink unhealthy; it then goes on in a new file
// once one can be written, without a restart, and the trail reads back whole: every acknowledged event, in
// order, no record reported missing or damaged (docs/decisions.md 103).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { readAuditDir } from '../../../src/audit/reader.js';
import { tempDir } from '../../helpers/server.js';

const sinkModule = join(dirname(fileURLToPath(import.meta.url)), '../../../src/audit/encrypted-jsonl-sink.js');

// Runs in a child process whose files may not grow past 1.5 MiB: the first file's second preallocation fails.
const script = `
import { EncryptedJsonlSink } from ${JSON.stringify(sinkModule)};
const [key, dir] = process.argv.slice(2);
const sink = new EncryptedJsonlSink(Buffer.from(key, 'hex'), { dir }, { retryAfterMs: 0 });
const event = (n) => ({ eventName: 'Op' + n, requestID: 'x'.repeat(16 * 1024) });
const acked = [];
let n = 0;
for (;;) {
  try { await sink.write(event(++n)); acked.push(n); } catch { break; }
}
const failed = { at: n, healthy: sink.healthy };
const recovered = await sink.retry();
for (let i = 0; i < 5; i++) { await sink.write(event(++n)); acked.push(n); }
await sink.close();
console.log(JSON.stringify({ acked, failed, recovered, healthy: sink.healthy }));
`;

it('a sink whose file cannot grow goes on in a new file, and the trail reads back whole', () => {
  const dir = tempDir();
  const key = randomBytes(32);
  const program = join(tempDir(), 'fill-audit.mjs');
  writeFileSync(program, script);
  const out = execFileSync('bash', ['-c', 'ulimit -f 1536 && exec "$0" "$@"', process.execPath, program, key.toString('hex'), dir], { encoding: 'utf8' });
  const r = JSON.parse(out) as { acked: number[]; failed: { at: number; healthy: boolean }; recovered: boolean; healthy: boolean };
  assert.ok(r.failed.at > 10, `the first file took ${r.failed.at - 1} events before it was full`);
  assert.equal(r.failed.healthy, false);
  assert.equal(r.recovered, true);
  assert.ok(!r.acked.includes(r.failed.at), 'the refused event is not acknowledged');
  assert.equal(readdirSync(dir).length, 2, 'the trail went on in a second file');
  const read = [...readAuditDir(key, dir)];
  assert.deepEqual(
    read.map((x) => ('event' in x ? x.event.eventName : x.error)),
    r.acked.map((n) => `Op${n}`),
  );
});
