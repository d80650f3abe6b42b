// keyhold admin reseal (docs/decisions.md 113): the same root key under a new seal. A directory begun with the
// development key file moves to a passphrase (the key file goes), the passphrase changes, and it goes back to a
// key file; after each step only the new seal opens it, and the KMS ciphertext made at the start still decrypts.
// A refused reseal (wrong current seal, no new passphrase, server running) leaves the keyring as it was.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { kmsFor } from '../helpers/clients.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';

const creds = { accessKeyId: 'AKIARESEALTEST000001', secretAccessKey: 'reseal-test-secret-0123456789abcdefghi' };
const rootEnv = { KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey };
const first = 'first passphrase, long enough';
const second = 'second passphrase, long enough';
const procs: ServerProcess[] = [];
after(() => {
  for (const p of procs) p.proc.kill('SIGKILL');
});

const dir = tempDir();
const keyring = () => readFileSync(join(dir, 'keyring.json'), 'utf8');
const sealKind = () => (JSON.parse(keyring()) as { seal: { kind: string } }).seal.kind;
const resealTo = (seal: string, env: NodeJS.ProcessEnv) =>
  runCli(['admin', 'reseal', '--data-dir', dir, '--seal', seal], { KEYHOLD_SEAL_PASSPHRASE: '', ...env });
const opensWith = async (passphrase: string) => (await runCli(['audit', 'read', '--data-dir', dir], { KEYHOLD_SEAL_PASSPHRASE: passphrase })).code === 0;

async function decryptsOnAServer(env: NodeJS.ProcessEnv, ciphertext: Uint8Array): Promise<string> {
  const srv = await startServerProcess(dir, { ...rootEnv, ...env });
  procs.push(srv);
  try {
    const out = await kmsFor(srv.endpoint, dir, creds).send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    return Buffer.from(out.Plaintext!).toString();
  } finally {
    assert.equal(await srv.stop(), 0);
  }
}

it('moves a key-file directory to a passphrase, changes the passphrase and goes back, refusing what it must', async () => {
  const srv = await startServerProcess(dir, rootEnv);
  procs.push(srv);
  const kms = kmsFor(srv.endpoint, dir, creds);
  const KeyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const ciphertext = (await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('sealed once') }))).CiphertextBlob!;
  assert.equal(await srv.stop(), 0);
  assert.equal(sealKind(), 'keyfile');

  // Refused, changing nothing.
  const start = keyring();
  const noNew = await resealTo('passphrase', {});
  assert.equal(noNew.code, 2);
  assert.match(noNew.stderr, /KEYHOLD_NEW_SEAL_PASSPHRASE/);
  assert.match((await resealTo('passphrase', { KEYHOLD_NEW_SEAL_PASSPHRASE: 'short' })).stderr, /at least 8 characters/);
  assert.match((await resealTo('keyfile', {})).stderr, /already sealed by its key file/);
  assert.match((await runCli(['admin', 'reseal', '--data-dir', dir])).stderr, /--seal passphrase/);
  assert.equal(keyring(), start);

  // Out of development mode: the key file goes, the passphrase opens the directory, nothing else does.
  const toPassphrase = await resealTo('passphrase', { KEYHOLD_NEW_SEAL_PASSPHRASE: first });
  assert.equal(toPassphrase.code, 0, toPassphrase.stderr);
  assert.equal(sealKind(), 'passphrase');
  assert.equal(existsSync(join(dir, 'seal.key')), false);
  assert.equal(await opensWith(''), false);
  assert.equal(await opensWith(first), true);

  // A wrong current passphrase changes nothing.
  const before = keyring();
  const wrong = await resealTo('passphrase', { KEYHOLD_SEAL_PASSPHRASE: second, KEYHOLD_NEW_SEAL_PASSPHRASE: second });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /wrong seal passphrase/);
  assert.equal(keyring(), before);

  // A new passphrase: the old one no longer opens it.
  assert.equal((await resealTo('passphrase', { KEYHOLD_SEAL_PASSPHRASE: first, KEYHOLD_NEW_SEAL_PASSPHRASE: second })).code, 0);
  assert.equal(await opensWith(first), false);
  assert.equal(await opensWith(second), true);

  // Not while a server holds the directory.
  const running = await startServerProcess(dir, { ...rootEnv, KEYHOLD_SEAL_PASSPHRASE: second });
  procs.push(running);
  const busy = await resealTo('keyfile', { KEYHOLD_SEAL_PASSPHRASE: second });
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /in use by another Keyhold process/);
  assert.equal(running.proc.exitCode, null);
  assert.equal(await running.stop(), 0);
  assert.equal(sealKind(), 'passphrase');
  assert.equal(await decryptsOnAServer({ KEYHOLD_SEAL_PASSPHRASE: second }, ciphertext), 'sealed once');

  // Back to a key file, for unattended starts.
  assert.equal((await resealTo('keyfile', { KEYHOLD_SEAL_PASSPHRASE: second })).code, 0);
  assert.equal(sealKind(), 'keyfile');
  assert.equal(statSync(join(dir, 'seal.key')).mode & 0o777, 0o600);
  assert.equal(await opensWith(second), false);
  assert.equal(await decryptsOnAServer({}, ciphertext), 'sealed once');
});
