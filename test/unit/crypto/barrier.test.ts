// The barrier and the keyring: sealed records open only under their own identity; a wrong passphrase
// refuses to unseal and changes nothing on disk.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Barrier, BarrierError } from '../../../src/barrier/barrier.js';
import { KeyFileSeal } from '../../../src/barrier/keyfile-seal.js';
import { createKeyring, KEYRING_FILE, openKeyring } from '../../../src/barrier/keyring.js';
import { PassphraseSeal } from '../../../src/barrier/passphrase-seal.js';
import { RootKey } from '../../../src/barrier/root-key.js';
import { SealError } from '../../../src/barrier/seal.js';
import { tempDir } from '../../helpers/server.js';

const cheap = { N: 1 << 10, r: 8, p: 1 };

describe('barrier', () => {
  const barrier = new Barrier(new RootKey(Buffer.alloc(32, 7)));
  const id = { namespace: 'kms/material', id: 'k1/m1', version: 1 };

  it('round-trips and never emits the plaintext', () => {
    const secret = Buffer.from('top secret key material');
    const sealed = barrier.seal(id, secret);
    assert.equal(sealed.includes(secret), false);
    assert.deepEqual(barrier.open(id, sealed), secret);
    assert.notDeepEqual(barrier.seal(id, secret), sealed, 'fresh salt and IV per record');
  });

  it('refuses a record moved to another namespace, id or version', () => {
    const sealed = barrier.seal(id, Buffer.from('x'));
    for (const other of [
      { ...id, namespace: 'iam/access-key' },
      { ...id, id: 'k1/m2' },
      { ...id, version: 2 },
    ]) {
      assert.throws(() => barrier.open(other, sealed), BarrierError);
    }
  });

  it('detects every single-byte change', () => {
    const sealed = barrier.seal(id, Buffer.from('abcdefgh'));
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 0x01;
      assert.throws(() => barrier.open(id, bad), BarrierError, `byte ${i}`);
    }
    assert.throws(() => barrier.open(id, sealed.subarray(0, sealed.length - 1)), BarrierError);
  });

  it('gives different root keys different barriers', () => {
    const other = new Barrier(new RootKey(Buffer.alloc(32, 8)));
    assert.throws(() => other.open(id, barrier.seal(id, Buffer.from('x'))), BarrierError);
  });
});

describe('keyring and seals', () => {
  it('reopens with the same passphrase and refuses a wrong one without touching the file', async () => {
    const dir = tempDir();
    try {
      const root = await createKeyring(dir, new PassphraseSeal('correct horse battery', cheap));
      const probe = new Barrier(root).seal({ namespace: 'n', id: 'i', version: 1 }, Buffer.from('p'));
      const before = readFileSync(join(dir, KEYRING_FILE));
      await assert.rejects(
        openKeyring(dir, new PassphraseSeal('wrong horse battery', cheap)),
        (e: Error) => e instanceof SealError && /wrong seal passphrase/.test(e.message),
      );
      assert.deepEqual(readFileSync(join(dir, KEYRING_FILE)), before);
      const again = await openKeyring(dir, new PassphraseSeal('correct horse battery', cheap));
      assert.deepEqual(new Barrier(again).open({ namespace: 'n', id: 'i', version: 1 }, probe), Buffer.from('p'));
      await assert.rejects(openKeyring(dir, new KeyFileSeal(dir)), /sealed with a passphrase/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses a 0600 key file for the development seal', async () => {
    const dir = tempDir();
    try {
      await createKeyring(dir, new KeyFileSeal(dir));
      const { statSync } = await import('node:fs');
      assert.equal(statSync(join(dir, 'seal.key')).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, KEYRING_FILE)).mode & 0o777, 0o600);
      await openKeyring(dir, new KeyFileSeal(dir));
      rmSync(join(dir, 'seal.key'));
      await assert.rejects(openKeyring(dir, new KeyFileSeal(dir)), SealError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses passphrases shorter than 8 characters', () => {
    assert.throws(() => new PassphraseSeal('short'), SealError);
  });
});
