// After a scripted run, no secret appears in clear anywhere in the data directory or the server's logs:
// not the root key, the secret access keys, KMS key material, data keys, plaintexts, or TLS/CA private
// keys (including a certificate-manager key) — as raw bytes, hex (both cases), base64 or base64url.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Barrier } from '../../src/barrier/barrier.js';
import { openKeyring } from '../../src/barrier/keyring.js';
import { KeyFileSeal } from '../../src/barrier/keyfile-seal.js';
import { GCM_IV_BYTES, GCM_TAG_BYTES, gcmOpen } from '../../src/crypto/aead.js';
import { encodeParts } from '../../src/crypto/encryption-context.js';
import { SqliteKvStore } from '../../src/storage/kv/sqlite.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { jsonCall } from '../helpers/raw-request.js';
import { tempDir } from '../helpers/server.js';
import { filesUnder } from '../helpers/paths.js';

function encodings(secret: Buffer): Buffer[] {
  const b64 = secret.toString('base64');
  return [
    secret,
    Buffer.from(secret.toString('hex')),
    Buffer.from(secret.toString('hex').toUpperCase()),
    Buffer.from(b64),
    Buffer.from(secret.toString('base64url')),
    Buffer.from(b64.slice(0, -4)),
  ].filter((b) => b.length >= 12);
}

describe('secret scan of the data directory and logs', () => {
  const dir = tempDir();
  const procs: ServerProcess[] = [];
  after(() => {
    for (const p of procs) p.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds no secret in clear', async () => {
    const creds = { accessKeyId: 'AKIASECRETSCAN000001', secretAccessKey: 'scan-me-if-you-can-0123456789abcdefXYZ' };
    const srv = await startServerProcess(dir, {
      KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId,
      KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey,
      KEYHOLD_LOG_LEVEL: 'trace',
    });
    procs.push(srv);
    const agent = new Agent({ ca: readFileSync(join(dir, 'ca.pem')) });
    const call = async (op: string, body: unknown) =>
      JSON.parse((await jsonCall(srv.endpoint, agent, `TrentService.${op}`, JSON.stringify(body), { credentials: creds })).body);
    const secrets: Array<[string, Buffer]> = [['root secret access key', Buffer.from(creds.secretAccessKey)]];
    const keyId = (await call('CreateKey', {})).KeyMetadata.KeyId;
    const plaintext = Buffer.from('PLAINTEXT-MARKER-7f3a9c1e-do-not-store');
    secrets.push(['plaintext', plaintext]);
    const blob = (await call('Encrypt', { KeyId: keyId, Plaintext: plaintext.toString('base64'), EncryptionContext: { k: 'v' } })).CiphertextBlob;
    await call('Decrypt', { CiphertextBlob: blob, EncryptionContext: { k: 'v' } });
    const gdk = await call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' });
    secrets.push(['data key', Buffer.from(gdk.Plaintext, 'base64')]);
    await call('Decrypt', { CiphertextBlob: gdk.CiphertextBlob });
    await call('RotateKeyOnDemand', { KeyId: keyId });
    await call('Encrypt', { KeyId: keyId, Plaintext: plaintext.toString('base64') });
    await call('Decrypt', { CiphertextBlob: 'AAAA' });
    await jsonCall(srv.endpoint, agent, 'TrentService.ListKeys', '{}', { credentials: { ...creds, secretAccessKey: 'wrong-wrong-wrong-wrong' } });
    // A certificate-manager private key: issued, exported under a passphrase (so the test knows it), and
    // then searched for as DER, as its private scalar and as the scalar-bearing line of its PEM.
    const account = (await call('DescribeKey', { KeyId: keyId })).KeyMetadata.AWSAccountId;
    const acmCall = async (op: string, body: unknown) =>
      JSON.parse((await jsonCall(srv.endpoint, agent, `CertificateManager.${op}`, JSON.stringify(body), { credentials: creds, service: 'acm' })).body);
    const { CertificateArn } = await acmCall('RequestCertificate', {
      DomainName: 'scan.example.test',
      KeyAlgorithm: 'EC_prime256v1',
      CertificateAuthorityArn: `arn:aws:acm-pca:us-east-1:${account}:certificate-authority/keyhold-us-east-1`,
    });
    const exported = await acmCall('ExportCertificate', { CertificateArn, Passphrase: Buffer.from('scan-passphrase').toString('base64') });
    const certKey = createPrivateKey({ key: exported.PrivateKey, passphrase: 'scan-passphrase' });
    const certKeyPem = certKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    secrets.push(['certificate private key (DER)', certKey.export({ type: 'pkcs8', format: 'der' })]);
    secrets.push(['certificate private scalar', Buffer.from(certKey.export({ format: 'jwk' }).d!, 'base64url')]);
    secrets.push(['certificate private key (PEM line)', Buffer.from(certKeyPem.split('\n')[2]!)]);
    agent.destroy();
    assert.equal(await srv.stop(), 0);

    const admin = await runCli(['admin', 'create-user', '--data-dir', dir, '--user', 'alice']);
    assert.equal(admin.code, 0, admin.stderr);
    const key = await runCli(['admin', 'create-access-key', '--data-dir', dir, '--user', 'alice']);
    assert.equal(key.code, 0, key.stderr);
    secrets.push(['user secret access key', Buffer.from(JSON.parse(key.stdout).secretAccessKey)]);

    // Recover the root key, key material and private keys the way only the server can, to search for them.
    const kek = Buffer.from(readFileSync(join(dir, 'seal.key'), 'utf8').trim(), 'base64');
    const ring = Buffer.from(JSON.parse(readFileSync(join(dir, 'keyring.json'), 'utf8')).rootKey, 'base64');
    const rootBytes = gcmOpen(
      kek,
      ring.subarray(0, GCM_IV_BYTES),
      ring.subarray(GCM_IV_BYTES, ring.length - GCM_TAG_BYTES),
      ring.subarray(ring.length - GCM_TAG_BYTES),
      encodeParts(['keyhold-keyring-v1', 'keyfile']),
    );
    secrets.push(['root key', rootBytes]);
    const root = await openKeyring(dir, new KeyFileSeal(dir));
    const barrier = new Barrier(root);
    const kv = new SqliteKvStore(join(dir, 'keyhold.db'));
    const materials = await kv.list('kms/material');
    // The customer key's two versions (after RotateKeyOnDemand) and alias/aws/acm, which seals the
    // certificate manager's private keys, including the default listener certificate's.
    assert.equal(materials.length, 3);
    for (const m of materials) secrets.push([`key material ${m.key}`, barrier.open({ namespace: 'kms/material', id: m.key, version: 1 }, m.value)]);
    for (const e of await kv.list('pki/listener')) {
      const rec = JSON.parse(e.value.toString());
      secrets.push([`private key ${e.key}`, barrier.open({ namespace: 'pki/listener', id: e.key, version: e.version }, Buffer.from(rec.sealedKey, 'base64'))]);
    }
    await kv.close();
    root.destroy();

    const haystacks: Array<[string, Buffer]> = [
      ...filesUnder(dir)
        .filter((f) => !f.endsWith('seal.key'))
        .map((f): [string, Buffer] => [f, readFileSync(f)]),
      ['server stdout', Buffer.from(srv.stdout())],
      ['server stderr', Buffer.from(srv.stderr())],
    ];
    assert.ok(haystacks.some(([n]) => n.endsWith('keyhold.db')));
    for (const [what, secret] of secrets) {
      for (const needle of encodings(secret)) {
        for (const [where, hay] of haystacks) assert.equal(hay.includes(needle), false, `${what} found in ${where}`);
      }
    }
  });
});
