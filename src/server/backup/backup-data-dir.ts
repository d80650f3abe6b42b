// `keyhold backup`: a consistent copy of a data directory, made while its servers keep serving (or while
// none runs). The copy is itself a data directory: stop the server, put the copy in place of the old one (or
// point --data-dir at it) and start. It needs no secret: the keyring is copied sealed, so a copy of a
// directory sealed by a passphrase opens only with that passphrase; a copy of one sealed by a development key
// file carries that file, and is as sensitive as the directory itself (docs/decisions.md 112).
//
// Consistency: the metadata is one SQLite snapshot (sqlite-snapshot.ts); the blobs copied are exactly those
// that snapshot refers to. A blob a server unlinks after the snapshot (its object deleted meanwhile) is not
// there to copy: then a newer snapshot is taken, which no longer refers to it, and only the blobs new to it
// are copied, until one snapshot's blobs are all there. Blobs copied for an older snapshot that the final one
// does not refer to are removed, so the copy holds exactly what its metadata names. A blob missing in two
// snapshots in a row is not being deleted but lost (files removed outside Keyhold): the copy is finished
// and the loss reported, as `keyhold admin check-blobs` reports it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { SEAL_KEY_FILE } from '../../barrier/keyfile-seal.js';
import { KEYRING_FILE, keyringExists } from '../../barrier/keyring.js';
import { S3Store } from '../../services/s3/store.js';
import { blobFilePath } from '../../storage/blob/local-disk.js';
import { SqliteKvStore } from '../../storage/kv/sqlite.js';
import { snapshotSqlite } from '../../storage/kv/sqlite-snapshot.js';
import { CA_FILE } from '../bootstrap.js';
import { copyAuditFiles } from './audit-copy.js';
import { BlobCopier } from './blob-copy.js';
import { copyFileDurable, syncPath } from '../../storage/durable-file.js';

const DB_FILE = 'keyhold.db';
/** Snapshots taken before the backup gives up on a store that changes faster than it is copied. */
const MAX_SNAPSHOTS = 10;

export class BackupError extends Error {}

export interface BackupOptions {
  dataDir: string;
  to: string;
  /** Test hook: runs after each snapshot's blob list is read, before its blobs are copied. */
  afterSnapshot?: (attempt: number) => Promise<void>;
}

export interface BackupReport {
  to: string;
  snapshots: number;
  blobs: number;
  blobBytes: number;
  auditFiles: number;
  auditBytes: number;
  /** Blobs the metadata refers to that the data directory does not have: data lost before the backup. */
  missing: number;
}

export async function backupDataDir(opts: BackupOptions): Promise<BackupReport> {
  const from = resolve(opts.dataDir);
  const to = resolve(opts.to);
  if (!keyringExists(from)) throw new BackupError(`${from} is not a Keyhold data directory (no ${KEYRING_FILE})`);
  if (existsSync(to)) throw new BackupError(`${to} already exists: a backup is written to a new directory`);
  if (!existsSync(dirname(to))) throw new BackupError(`${dirname(to)} does not exist`);
  if (!relative(from, to).startsWith('..')) throw new BackupError(`${to} is inside the data directory it would copy`);
  // Written under another name and renamed once whole: a directory named `to` is always a finished backup. The
  // name carries the process id, so that what a backup killed part way left is found and removed by the next
  // backup to the same place, while a backup still running there is left alone.
  await removeAbandoned(to);
  const work = join(dirname(to), `${partialPrefix(to)}${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(work, { mode: 0o700 });
  try {
    // Not the `credentials` file: it is the one secret the data directory holds in clear (the root access key
    // generated at first start, for the developer who ran it). The key itself is in the sealed metadata, so it
    // works on a restored copy; its holder keeps the secret, and the backup holds no secret in clear beyond
    // the development key file (seal.key), without which a key-file-sealed copy could never be opened.
    for (const name of [KEYRING_FILE, SEAL_KEY_FILE, CA_FILE]) {
      if (existsSync(join(from, name))) await copyFileDurable(join(from, name), join(work, name));
    }
    const blobs = new BlobCopier(join(from, 'blobs'), join(work, 'blobs'));
    await mkdir(join(work, 'blobs'), { mode: 0o700 });
    const snapshot = join(work, `${DB_FILE}.snapshot`);
    let referenced = new Set<string>();
    let missing: string[] = [];
    let snapshots = 0;
    for (let lostBefore = new Set<string>(); ; ) {
      if (++snapshots > MAX_SNAPSHOTS)
        throw new BackupError(`objects were deleted faster than their data could be copied (${MAX_SNAPSHOTS} snapshots); try again later`);
      for (const f of [snapshot, `${snapshot}-wal`, `${snapshot}-shm`]) await rm(f, { force: true });
      snapshotSqlite(join(from, DB_FILE), snapshot);
      referenced = await referencedBlobs(snapshot);
      await opts.afterSnapshot?.(snapshots);
      missing = await blobs.copy(referenced);
      if (missing.every((id) => lostBefore.has(id))) break;
      lostBefore = new Set(missing);
    }
    await blobs.keepOnly(referenced);
    await blobs.sync();
    await rename(snapshot, join(work, DB_FILE));
    await chmod(join(work, DB_FILE), 0o600);
    const audit = await copyAuditFiles(join(from, 'audit'), join(work, 'audit'));
    await syncPath(work);
    await rename(work, to);
    await syncPath(dirname(to));
    let blobBytes = 0;
    for (const id of blobs.copied) blobBytes += (await stat(blobFilePath(join(to, 'blobs'), id).file)).size;
    return { to, snapshots, blobs: blobs.copied.size, blobBytes, auditFiles: audit.files, auditBytes: audit.bytes, missing: missing.length };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

const partialPrefix = (to: string) => `.${basename(to)}.partial-`;

/** Removes the temporary directories of earlier backups to `to` whose process is gone (kill -9, power loss). */
async function removeAbandoned(to: string): Promise<void> {
  const prefix = partialPrefix(to);
  for (const name of await readdir(dirname(to))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && !alive(pid)) await rm(join(dirname(to), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user has the id, alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The blob ids a metadata snapshot refers to (objects, their versions' pages, upload parts). */
async function referencedBlobs(dbPath: string): Promise<Set<string>> {
  const kv = new SqliteKvStore(dbPath);
  try {
    return await new S3Store(kv).referencedBlobIds();
  } finally {
    await kv.close();
  }
}
