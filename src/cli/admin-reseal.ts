// keyhold admin reseal: wraps the data directory's root key under a new seal. The way out of the development key
// file that `npm start` begins with (--seal passphrase), a passphrase change (--seal passphrase again), or back to
// a key file for unattended starts (--seal keyfile). The current seal comes from the environment as for every
// command (KEYHOLD_SEAL_PASSPHRASE, or the key file); the new passphrase from KEYHOLD_NEW_SEAL_PASSPHRASE, never
// from a flag, which any user on the machine could read in the process list (docs/decisions.md 113).
import { unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KeyFileSeal, SEAL_KEY_FILE } from '../barrier/keyfile-seal.js';
import { keyringExists, readKeyringSealKind, resealKeyring } from '../barrier/keyring.js';
import { PassphraseSeal } from '../barrier/passphrase-seal.js';
import { SealError } from '../barrier/seal.js';
import { sealFromEnv } from '../barrier/seal-from-env.js';
import { DataDirLock } from '../server/data-dir-lock.js';
import { fsyncDir } from '../storage/durable-file.js';
import { UsageError } from './options.js';

export async function reseal(dataDirArg: string, to: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (to !== 'passphrase' && to !== 'keyfile') throw new UsageError('reseal needs --seal passphrase (from KEYHOLD_NEW_SEAL_PASSPHRASE) or --seal keyfile');
  const dataDir = resolve(dataDirArg);
  if (!keyringExists(dataDir)) throw new SealError(`${dataDir} is not a Keyhold data directory (no keyring.json)`);
  // A key file replaced before the keyring that needs it is rewritten would lock the directory for good if the
  // rewrite never happened (a crash): a new key file is only ever made beside a keyring sealed otherwise.
  if (to === 'keyfile' && readKeyringSealKind(dataDir) === 'keyfile') throw new UsageError('the data directory is already sealed by its key file');
  let next: KeyFileSeal | PassphraseSeal;
  if (to === 'passphrase') {
    const passphrase = env.KEYHOLD_NEW_SEAL_PASSPHRASE;
    if (!passphrase) throw new UsageError('reseal --seal passphrase reads the new passphrase from KEYHOLD_NEW_SEAL_PASSPHRASE, which is not set');
    next = new PassphraseSeal(passphrase);
  } else next = new KeyFileSeal(dataDir);
  const lock = DataDirLock.acquire(dataDir);
  try {
    await resealKeyring(dataDir, sealFromEnv(dataDir, env), next);
    // The key file opened the old keyring only; removed once the new one is durable. (Backups made before keep
    // their own copy, and open with it as they did.)
    if (next.kind !== 'keyfile') {
      try {
        unlinkSync(join(dataDir, SEAL_KEY_FILE));
        fsyncDir(dataDir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  } finally {
    lock.release();
  }
  return next.kind === 'passphrase'
    ? 'resealed: the data directory now opens with the new passphrase (set KEYHOLD_SEAL_PASSPHRASE to it); no key file is left in it'
    : `resealed: the data directory now opens with its key file (${join(dataDir, SEAL_KEY_FILE)}); unset KEYHOLD_SEAL_PASSPHRASE`;
}
