// Copies the audit trail's files into a backup. Every file but the newest is complete (the sink rotates,
// docs/decisions.md 110); the newest may be written while it is copied, so its copy is cut after its last
// whole record: what follows is a record caught half-written, or the zeros the sink writes ahead of its
// records (src/audit/encrypted-jsonl-sink.ts). A copy therefore reads as the trail did at one moment, with
// no record that fails to parse, and the reader checks the sequence of what is kept.
import { mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { copyFileDurable, syncPath } from '../../storage/durable-file.js';

const SCAN_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export async function copyAuditFiles(fromDir: string, toDir: string): Promise<{ files: number; bytes: number }> {
  await mkdir(toDir, { recursive: true, mode: 0o700 });
  const names = (await readdir(fromDir).catch(() => [] as string[])).filter((n) => n.endsWith('.jsonl')).sort();
  let bytes = 0;
  for (const name of names) {
    const to = join(toDir, name);
    await copyFileDurable(join(fromDir, name), to);
    bytes += await cutAfterLastRecord(to);
  }
  await syncPath(toDir);
  return { files: names.length, bytes };
}

/** Truncates a file just after its last newline (to nothing if it has none) and flushes it; returns its size. */
export async function cutAfterLastRecord(path: string): Promise<number> {
  const fh = await open(path, 'r+');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(SCAN_BYTES);
    let keep = 0;
    for (let end = size; end > 0 && keep === 0; ) {
      const start = Math.max(0, end - SCAN_BYTES);
      const { bytesRead } = await fh.read(buf, 0, end - start, start);
      const at = buf.subarray(0, bytesRead).lastIndexOf(NEWLINE);
      if (at >= 0) keep = start + at + 1;
      end = start;
    }
    if (keep < size) {
      await fh.truncate(keep);
      await fh.sync();
    }
    return keep;
  } finally {
    await fh.close();
  }
}
