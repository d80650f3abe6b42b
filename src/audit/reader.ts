// Reads and decrypts audit files (`keyhold audit read`). A line that fails to decrypt is reported,
// never silently skipped: it means tampering, truncation or a wrong root key.
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GCM_TAG_BYTES, gcmOpen } from '../crypto/aead.js';
import type { AuditEvent } from './event.js';
import { auditAad, auditFileKey, auditIv } from './encrypted-jsonl-sink.js';

const READ_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** One event, or one record that could not be read (seq is the record's sequence number). */
export type AuditReadResult = { file: string; seq: number } & ({ event: AuditEvent } | { error: string });

export function* readAuditFile(auditKey: Buffer, path: string): Generator<AuditReadResult> {
  const file = basename(path);
  const key = auditFileKey(auditKey, file);
  let expected = 1;
  for (const line of fileLines(path)) {
    if (line === '') continue;
    let rec: { v?: 1 | 2; seq?: number; d?: string };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      yield { file, seq: expected, error: 'unparseable line (truncated write?)' };
      continue;
    }
    const seq = rec.seq ?? -1;
    if ((rec.v !== 1 && rec.v !== 2) || typeof rec.d !== 'string' || seq !== expected) {
      yield { file, seq, error: `unexpected record (expected seq ${expected})` };
      expected = seq + 1;
      continue;
    }
    expected++;
    const blob = Buffer.from(rec.d, 'base64');
    let events: AuditEvent[];
    try {
      const aad = auditAad(file, seq, rec.v);
      const pt = gcmOpen(key, auditIv(seq), blob.subarray(0, blob.length - GCM_TAG_BYTES), blob.subarray(blob.length - GCM_TAG_BYTES), aad);
      // v1: one event per record; v2: the events of one group commit, one JSON per line.
      events = pt
        .toString('utf8')
        .split('\n')
        .map((l) => JSON.parse(l) as AuditEvent);
    } catch {
      yield { file, seq, error: 'record failed authentication' };
      continue;
    }
    for (const event of events) yield { file, seq, event };
  }
}

/**
 * A file's lines, read a chunk at a time: a file holds up to 256 MiB of records (the sink rotates there), which
 * read whole and split took about four times that in memory. A file the writer did not close ends in zeros it had
 * written ahead of its records (encrypted-jsonl-sink.ts, preallocation): they are dropped, but a record cut
 * short by a crash before them is still given, to be reported.
 */
function* fileLines(path: string): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(READ_BYTES);
    let carry = Buffer.alloc(0);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
        yield data.toString('utf8', start, nl);
        start = nl + 1;
      }
      // Copied: `chunk` is read into again.
      carry = Buffer.from(data.subarray(start));
    }
    let end = carry.length;
    while (end > 0 && carry[end - 1] === 0) end--;
    if (end > 0) yield carry.toString('utf8', 0, end);
  } finally {
    closeSync(fd);
  }
}

export function* readAuditDir(auditKey: Buffer, dir: string): Generator<AuditReadResult> {
  let names: string[] = [];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.jsonl'))
      .sort();
  } catch {
    return;
  }
  for (const n of names) yield* readAuditFile(auditKey, join(dir, n));
}
