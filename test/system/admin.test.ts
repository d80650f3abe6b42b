// `keyhold admin` (offline, server stopped): a second account with its own root access key, users and
// keys; the keys then work against the server, and a running server keeps admin out (lock). check-blobs
// removes blob files no object refers to and reports objects whose blob file is gone.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, unlinkSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { plantOrphanBlob, storedBlobFiles } from '../helpers/blob-files.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { send } from '../helpers/raw-request.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../helpers/sha256.js';
import { tempDir } from '../helpers/server.js';

const procs: ServerProcess[] = [];
const dir = tempDir();
after(() => {
  for (const p of procs) p.proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function callerArn(endpoint: string, creds: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
  const url = new URL(endpoint);
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'sts', sha256: NodeSha256 as never });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const r = await send(endpoint, new Agent({ ca: readFileSync(join(dir, 'ca.pem')) }), {
    method: 'POST',
    path: '/',
    headers: signed.headers as Record<string, string>,
    body,
  });
  assert.equal(r.status, 200, r.body);
  return /<Arn>([^<]+)<\/Arn>/.exec(r.body)![1]!;
}

it('creates a second account and users offline; their keys work once the server runs', async () => {
  const env = { KEYHOLD_ROOT_ACCESS_KEY_ID: 'AKIAADMINTEST0000001', KEYHOLD_ROOT_SECRET_ACCESS_KEY: 'admin-test-secret-0123456789abcdef' };
  const first = await startServerProcess(dir, env);
  procs.push(first);
  const locked = await runCli(['admin', 'list-accounts', '--data-dir', dir]);
  assert.equal(locked.code, 1);
  assert.match(locked.stderr, /in use by another Keyhold process/);
  assert.equal(await first.stop(), 0);

  const acct = JSON.parse((await runCli(['admin', 'create-account', '--data-dir', dir, '--name', 'second'])).stdout);
  assert.match(acct.accountId, /^\d{12}$/);
  const rootKey = JSON.parse((await runCli(['admin', 'create-access-key', '--data-dir', dir, '--account', acct.accountId])).stdout);
  assert.ok(rootKey.secretAccessKey);
  assert.equal((await runCli(['admin', 'create-user', '--data-dir', dir, '--account', acct.accountId, '--user', 'erin'])).code, 0);
  const userKey = JSON.parse((await runCli(['admin', 'create-access-key', '--data-dir', dir, '--account', acct.accountId, '--user', 'erin'])).stdout);
  const accounts = JSON.parse((await runCli(['admin', 'list-accounts', '--data-dir', dir])).stdout);
  assert.equal(accounts.length, 2);
  const bad = await runCli(['admin', 'create-user', '--data-dir', dir, '--user', 'bad name!']);
  assert.equal(bad.code, 1);

  const srv = await startServerProcess(dir, env);
  procs.push(srv);
  assert.equal(await callerArn(srv.endpoint, rootKey), `arn:aws:iam::${acct.accountId}:root`);
  assert.equal(await callerArn(srv.endpoint, userKey), `arn:aws:iam::${acct.accountId}:user/erin`);
  assert.equal(await srv.stop(), 0);
});

it('check-blobs removes unreferenced blob files, and exits 1 when an object has lost its blob file', async () => {
  const d = tempDir();
  const creds = { accessKeyId: 'AKIAADMINBLOBS000001', secretAccessKey: 'admin-blobs-secret-0123456789abcdef' };
  const srv = await startServerProcess(d, { KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey });
  procs.push(srv);
  const agent = new Agent({ ca: readFileSync(join(d, 'ca.pem')) });
  const unsigned = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  assert.equal((await (await signedS3(srv.endpoint, agent, creds, 'PUT', '/checked', unsigned)).send()).status, 200);
  assert.equal((await (await signedS3(srv.endpoint, agent, creds, 'PUT', '/checked/object', unsigned, 'data')).send()).status, 200);
  assert.equal(await srv.stop(), 0);

  const [objectBlob] = storedBlobFiles(d);
  plantOrphanBlob(d, 'left by a crash');

  const first = await runCli(['admin', 'check-blobs', '--data-dir', d]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), { removed: 1, kept: 1, missing: 0 });
  unlinkSync(objectBlob!);
  const second = await runCli(['admin', 'check-blobs', '--data-dir', d]);
  assert.equal(second.code, 1);
  assert.deepEqual(JSON.parse(second.stdout), { removed: 0, kept: 0, missing: 1 });
  rmSync(d, { recursive: true, force: true });
});
