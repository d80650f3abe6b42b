// Crash-safe small-file writes: temp file in the same directory -> fsync(file) -> rename -> fsync(dir).
// A rename without the fsyncs can leave an empty or old file after power loss (Pillai et al., OSDI 2014).
import { closeSync, constants, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileDurable(path: string, data: Buffer, mode = 0o600): void {
  const dir = dirname(path);
  const tmp = join(dir, `.tmp-${basename(path)}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dir);
}

/** Copies `from` to a new file `to` (never over an existing one) with `from`'s mode, and flushes it (backups). */
export async function copyFileDurable(from: string, to: string): Promise<void> {
  await copyFile(from, to, constants.COPYFILE_EXCL);
  await syncPath(to);
}

/** fsync of a file or a directory by its path, on the thread pool. */
export async function syncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
