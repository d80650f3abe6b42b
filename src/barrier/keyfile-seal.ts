// Development seal: the KEK is a random 256-bit key in a 0600 file inside the data directory.
// Anyone who can read the data directory can unseal it; use KEYHOLD_SEAL_PASSPHRASE in real deployments.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurable } from '../storage/durable-file.js';
import { type Seal, type SealDescriptor, SealError } from './seal.js';

export const SEAL_KEY_FILE = 'seal.key';

export class KeyFileSeal implements Seal {
  readonly kind = 'keyfile';
  constructor(private readonly dataDir: string) {}

  async create(): Promise<{ kek: Buffer; descriptor: SealDescriptor }> {
    const kek = randomBytes(32);
    writeFileDurable(join(this.dataDir, SEAL_KEY_FILE), Buffer.from(`${kek.toString('base64')}\n`), 0o600);
    return { kek, descriptor: { kind: this.kind, params: { file: SEAL_KEY_FILE } } };
  }

  async open(_descriptor: SealDescriptor): Promise<Buffer> {
    const path = join(this.dataDir, SEAL_KEY_FILE);
    if (!existsSync(path)) throw new SealError(`the seal key file ${path} is missing; the data directory cannot be unsealed`);
    const kek = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    if (kek.length !== 32) throw new SealError(`the seal key file ${path} is damaged`);
    return kek;
  }
}
