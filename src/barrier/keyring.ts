// The keyring file (DIR/keyring.json) holds the root key wrapped under the seal's KEK.
// Format (docs/formats.md "keyring"): {"version":1,"seal":{kind,params},"rootKey":base64(iv|ct|tag)}
// AAD = "keyhold-keyring-v1" || seal kind, so a keyring cannot be re-labelled with another seal kind.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AeadError, GCM_IV_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal } from '../crypto/aead.js';
import { encodeParts } from '../crypto/encryption-context.js';
import { writeFileDurable } from '../storage/durable-file.js';
import { RootKey } from './root-key.js';
import { type Seal, type SealDescriptor, SealError } from './seal.js';

export const KEYRING_FILE = 'keyring.json';

interface KeyringFile {
  version: 1;
  seal: SealDescriptor;
  rootKey: string;
}

const aadFor = (kind: string) => encodeParts(['keyhold-keyring-v1', kind]);

export function keyringExists(dataDir: string): boolean {
  return existsSync(join(dataDir, KEYRING_FILE));
}

export function readKeyringSealKind(dataDir: string): string {
  return readKeyring(dataDir).seal.kind;
}

function readKeyring(dataDir: string): KeyringFile {
  const raw = JSON.parse(readFileSync(join(dataDir, KEYRING_FILE), 'utf8')) as KeyringFile;
  if (raw.version !== 1 || typeof raw.rootKey !== 'string' || typeof raw.seal?.kind !== 'string') {
    throw new SealError(`${join(dataDir, KEYRING_FILE)} is not a keyring file this version of Keyhold understands`);
  }
  return raw;
}

/** First start: generate the 256-bit root key and wrap it under a fresh KEK from the seal. */
export async function createKeyring(dataDir: string, seal: Seal): Promise<RootKey> {
  const root = randomBytes(32);
  const { kek, descriptor } = await seal.create();
  writeKeyring(dataDir, root, kek, descriptor);
  return new RootKey(root);
}

/**
 * Wraps the root key under a KEK and replaces the keyring file atomically (temp file, fsync, rename, fsync of
 * the directory): after a crash the file is the old keyring or the new one, never neither. Zeroes the KEK.
 */
function writeKeyring(dataDir: string, root: Buffer, kek: Buffer, descriptor: SealDescriptor): void {
  const { iv, ciphertext, tag } = gcmSeal(kek, root, aadFor(descriptor.kind));
  kek.fill(0);
  const file: KeyringFile = { version: 1, seal: descriptor, rootKey: Buffer.concat([iv, ciphertext, tag]).toString('base64') };
  writeFileDurable(join(dataDir, KEYRING_FILE), Buffer.from(`${JSON.stringify(file, null, 2)}\n`), 0o600);
}

/**
 * `keyhold admin reseal`: the same root key, wrapped under a new seal's KEK. Only the keyring file changes:
 * everything sealed under the root key (metadata, key material, the audit trail) stays as it is, so the
 * change is one atomic file replacement (docs/decisions.md 113).
 */
export async function resealKeyring(dataDir: string, current: Seal, next: Seal): Promise<void> {
  const root = await unwrapRootKey(dataDir, current);
  try {
    const { kek, descriptor } = await next.create();
    writeKeyring(dataDir, root, kek, descriptor);
  } finally {
    root.fill(0);
  }
}

/** Later starts: unwrap the root key; a wrong passphrase or key file fails here and changes nothing. */
export async function openKeyring(dataDir: string, seal: Seal): Promise<RootKey> {
  return new RootKey(await unwrapRootKey(dataDir, seal));
}

/** The root key's bytes, for a RootKey or a reseal (the only callers: the bytes never leave this module). */
async function unwrapRootKey(dataDir: string, seal: Seal): Promise<Buffer> {
  const file = readKeyring(dataDir);
  if (file.seal.kind !== seal.kind) {
    throw new SealError(
      file.seal.kind === 'passphrase'
        ? 'this data directory is sealed with a passphrase: set KEYHOLD_SEAL_PASSPHRASE'
        : `this data directory is sealed with the ${file.seal.kind} seal; unset KEYHOLD_SEAL_PASSPHRASE to use it`,
    );
  }
  const kek = await seal.open(file.seal);
  const blob = Buffer.from(file.rootKey, 'base64');
  try {
    return gcmOpen(
      kek,
      blob.subarray(0, GCM_IV_BYTES),
      blob.subarray(GCM_IV_BYTES, blob.length - GCM_TAG_BYTES),
      blob.subarray(blob.length - GCM_TAG_BYTES),
      aadFor(file.seal.kind),
    );
  } catch (err) {
    if (err instanceof AeadError) {
      throw new SealError(
        seal.kind === 'passphrase'
          ? 'wrong seal passphrase (KEYHOLD_SEAL_PASSPHRASE): the root key could not be unsealed; nothing was changed'
          : 'the seal key file does not open this keyring: the root key could not be unsealed; nothing was changed',
      );
    }
    throw err;
  } finally {
    kek.fill(0);
  }
}
