// Which seal opens a data directory, from the environment: a passphrase when KEYHOLD_SEAL_PASSPHRASE is set,
// the development key file in the directory otherwise. One place, so that serve, admin and audit agree.
import { KeyFileSeal } from './keyfile-seal.js';
import { PassphraseSeal } from './passphrase-seal.js';
import type { Seal } from './seal.js';

export function sealFromEnv(dataDir: string, env: NodeJS.ProcessEnv): Seal {
  return env.KEYHOLD_SEAL_PASSPHRASE ? new PassphraseSeal(env.KEYHOLD_SEAL_PASSPHRASE) : new KeyFileSeal(dataDir);
}
