// Opens the state of a data directory: lock, unseal the root key (creating the keyring on first use
// when allowed), metadata and blob stores, barrier, identities. Shared by `keyhold serve` and the
// offline `keyhold admin` commands so both unseal and lock exactly the same way.
import { chmodSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Barrier } from '../barrier/barrier.js';
import { createKeyring, keyringExists, openKeyring } from '../barrier/keyring.js';
import { sealFromEnv } from '../barrier/seal-from-env.js';
import type { RootKey } from '../barrier/root-key.js';
import { SealError } from '../barrier/seal.js';
import { IdentityStore } from '../iam/identity-store.js';
import { LocalDiskBlobStore } from '../storage/blob/local-disk.js';
import { SqliteKvStore } from '../storage/kv/sqlite.js';
import { DataDirLock } from './data-dir-lock.js';
import type { Logger } from './logger.js';

export interface DataDirState {
  dataDir: string;
  root: RootKey;
  kv: SqliteKvStore;
  blobs: LocalDiskBlobStore;
  barrier: Barrier;
  identity: IdentityStore;
  close(): Promise<void>;
}

/**
 * `lock: false` is for the worker processes of a cluster (--workers): the primary process holds the
 * data-directory lock for all of them.
 */
export async function openState(dataDirArg: string, env: NodeJS.ProcessEnv, opts: { create: boolean; log?: Logger; lock?: boolean }): Promise<DataDirState> {
  const dataDir = resolve(dataDirArg);
  if (!opts.create && !keyringExists(dataDir))
    throw new SealError(`${dataDir} is not a Keyhold data directory (no keyring.json); start the server on it first`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const lock = opts.lock === false ? undefined : DataDirLock.acquire(dataDir);
  const closers: Array<() => unknown> = [() => lock?.release()];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const seal = sealFromEnv(dataDir, env);
    let root: RootKey;
    if (keyringExists(dataDir)) root = await openKeyring(dataDir, seal);
    else {
      root = await createKeyring(dataDir, seal);
      if (seal.kind === 'keyfile') {
        opts.log?.warn(
          { dataDir },
          'root key sealed with a key file in the data directory: fine for development; set KEYHOLD_SEAL_PASSPHRASE for real deployments',
        );
      }
    }
    closers.push(() => root.destroy());
    const kv = new SqliteKvStore(join(dataDir, 'keyhold.db'));
    closers.push(() => kv.close());
    const blobs = new LocalDiskBlobStore(join(dataDir, 'blobs'), { sweepTemp: opts.lock !== false });
    closers.push(() => blobs.close());
    const barrier = new Barrier(root);
    const identity = await IdentityStore.open(kv, barrier);
    return { dataDir, root, kv, blobs, barrier, identity, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
