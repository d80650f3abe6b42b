// The `keyhold serve` contract automation relies on, exercised on a real child process: banner,
// generated credentials (0600, profile "keyhold"), /health, `keyhold env`, restart keeps credentials,
// CA and data, the data-directory lock, clean SIGTERM, and strict option validation.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { kmsFor, readCredentialsFile } from '../helpers/clients.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { jsonCall } from '../helpers/raw-request.js';
import { tempDir } from '../helpers/server.js';

const dirs: string[] = [];
const procs: ServerProcess[] = [];
const freshDir = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};

function health(endpoint: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${endpoint}/health`, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('keyhold serve (child process)', () => {
  after(async () => {
    const { rmSync } = await import('node:fs');
    for (const p of procs) p.proc.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('first start: generated credentials, banner, /health, env; restart keeps credentials, CA and data', async () => {
    const dir = freshDir();
    const env = { KEYHOLD_ROOT_ACCESS_KEY_ID: '', KEYHOLD_ROOT_SECRET_ACCESS_KEY: '' };
    const first = await startServerProcess(dir, env);
    procs.push(first);
    const out = first.stdout();
    assert.match(out, /endpoint\s+https:\/\/localhost:\d+/);
    assert.ok(out.includes(join(dir, 'ca.pem')), 'prints the CA path');
    assert.ok(out.includes(join(dir, 'credentials')), 'prints where the credentials are');
    const credPath = join(dir, 'credentials');
    assert.equal(statSync(credPath).mode & 0o777, 0o600);
    assert.match(readFileSync(credPath, 'utf8'), /^\[keyhold\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S+\n/);
    const creds = readCredentialsFile(credPath);
    assert.equal(out.includes(creds.secretAccessKey), false, 'the secret is written to the 0600 file, not printed');
    const ca = readFileSync(join(dir, 'ca.pem'));
    assert.equal(await health(first.endpoint, ca), 200);

    const envOut = await runCli(['env', '--data-dir', dir]);
    assert.equal(envOut.code, 0);
    for (const line of [
      `export AWS_ENDPOINT_URL='${first.endpoint}'`,
      "export AWS_REGION='us-east-1'",
      "export AWS_DEFAULT_REGION='us-east-1'",
      `export AWS_CA_BUNDLE='${join(dir, 'ca.pem')}'`,
      `export NODE_EXTRA_CA_CERTS='${join(dir, 'ca.pem')}'`,
      `export AWS_SHARED_CREDENTIALS_FILE='${credPath}'`,
      'export AWS_PROFILE=keyhold',
    ]) {
      assert.ok(envOut.stdout.includes(line), `env prints ${line}`);
    }

    const kms = kmsFor(first.endpoint, dir, { ...creds });
    const keyId = (await kms.send(new CreateKeyCommand({ Description: 'survives restarts' }))).KeyMetadata!.KeyId!;
    const blob = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;

    const second = await startServerProcess(dir, env).then(
      () => assert.fail('a second server on the same data directory must not start'),
      (e: Error) => e,
    );
    assert.match(second.message, /in use by another Keyhold process/);
    assert.equal(await health(first.endpoint, ca), 200, 'the first server keeps serving');

    assert.equal(await first.stop('SIGTERM'), 0);

    const again = await startServerProcess(dir, env);
    procs.push(again);
    assert.deepEqual(readFileSync(join(dir, 'ca.pem')), ca, 'same CA after restart');
    assert.deepEqual(readCredentialsFile(credPath), creds, 'same credentials after restart');
    const kms2 = kmsFor(again.endpoint, dir, { ...creds });
    assert.equal((await kms2.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Description, 'survives restarts');
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    assert.equal(Buffer.from((await kms2.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'kept');
    assert.equal(await again.stop('SIGINT'), 0);
  });

  it('SIGTERM finishes in-flight requests and exits 0', async () => {
    const dir = freshDir();
    const creds = { accessKeyId: 'AKIASIGTERMTEST00001', secretAccessKey: 'sigterm-test-secret-0123456789' };
    const srv = await startServerProcess(dir, { KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey });
    procs.push(srv);
    const kms = kmsFor(srv.endpoint, dir, { ...creds });
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    kms.destroy();
    const agent = new Agent({ ca: readFileSync(join(dir, 'ca.pem')), keepAlive: true, maxSockets: 4 });
    const body = JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from('x').toString('base64') });
    let signalled = false;
    const inflight = Array.from({ length: 40 }, () =>
      jsonCall(srv.endpoint, agent, 'TrentService.Encrypt', body, { credentials: creds }).then((r) => {
        // The first completed response means connections are open and requests are queued on them.
        if (!signalled) {
          signalled = true;
          srv.proc.kill('SIGTERM');
        }
        return r.status;
      }),
    );
    const results = await Promise.allSettled(inflight);
    assert.equal(await srv.exited, 0);
    const statuses = results.filter((r): r is PromiseFulfilledResult<number> => r.status === 'fulfilled').map((r) => r.value);
    assert.ok(statuses.length >= 4, `requests on open connections completed (${statuses.length})`);
    assert.ok(
      statuses.every((st) => st === 200),
      `no request was answered with an error: ${statuses}`,
    );
    agent.destroy();
  });

  it('validates options with clear messages and complete help', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const c of ['serve', 'env', 'admin', 'audit']) assert.match(help.stdout, new RegExp(`\\b${c}\\b`));
    const serveHelp = await runCli(['serve', '--help']);
    assert.equal(serveHelp.code, 0);
    for (const f of ['--data-dir', '--host', '--port', '--region', '--tls-name', '--http-port', 'KEYHOLD_PORT']) assert.ok(serveHelp.stdout.includes(f), f);
    // Durations read as a flag would give them, not in milliseconds.
    assert.match(serveHelp.stdout, /--acm-validity .*default 198d\)/);
    assert.match(serveHelp.stdout, /--acm-validation-interval .*default 1m\)/);
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--bogus'], /unknown option --bogus/],
      [['serve', '--port', '70000'], /0 to 65535/],
      [['serve', '--port', 'abc'], /whole number/],
      [['serve', '--region', 'Mars'], /not a region name/],
      [['serve', '--host', 'not-an-ip'], /not an IP address/],
      [['serve', '--tls-name', 'bad name!'], /not a DNS name/],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, msg, args.join(' '));
    }
    const envBad = await runCli(['serve'], { KEYHOLD_PORT: 'x' });
    assert.equal(envBad.code, 2);
    assert.match(envBad.stderr, /KEYHOLD_PORT/);
  });

  it('a wrong seal passphrase refuses to start and changes nothing', async () => {
    const dir = freshDir();
    const env = {
      KEYHOLD_SEAL_PASSPHRASE: 'the right passphrase',
      KEYHOLD_ROOT_ACCESS_KEY_ID: 'AKIAPASSPHRASETEST01',
      KEYHOLD_ROOT_SECRET_ACCESS_KEY: 'passphrase-test-secret-0123456789',
    };
    const srv = await startServerProcess(dir, env);
    procs.push(srv);
    assert.equal(await srv.stop(), 0);
    const { readdirSync } = await import('node:fs');
    const snapshot = () =>
      readdirSync(dir)
        .filter((f) => !f.startsWith('keyhold.lock'))
        .map((f) => {
          const st = statSync(join(dir, f));
          return `${f}:${st.isFile() ? readFileSync(join(dir, f)).toString('base64') : 'dir'}`;
        })
        .join('\n');
    const before = snapshot();
    const wrong = await runCli(['serve', '--data-dir', dir, '--port', '0'], { ...env, KEYHOLD_SEAL_PASSPHRASE: 'the wrong passphrase' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /wrong seal passphrase/);
    const none = await runCli(['serve', '--data-dir', dir, '--port', '0'], { ...env, KEYHOLD_SEAL_PASSPHRASE: '' });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /set KEYHOLD_SEAL_PASSPHRASE/);
    assert.equal(snapshot(), before, 'nothing in the data directory changed');
    const ok = await startServerProcess(dir, env);
    procs.push(ok);
    assert.equal(await ok.stop(), 0, ok.stdout() + ok.stderr());
  });
});
