// kill -9 during writes (CreateKey, Encrypt, RotateKeyOnDemand, CreateAlias) loses no acknowledged key,
// key version or alias; every ciphertext ever returned still decrypts; SQLite passes integrity_check; and the
// audit trail, whose files a killed server leaves with their preallocated zero tails (decision 70), reads back
// without a damaged record and holds every acknowledged Encrypt.
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { jsonCall } from '../helpers/raw-request.js';
import { tempDir } from '../helpers/server.js';

const creds = { accessKeyId: 'AKIACRASHTEST0000001', secretAccessKey: 'crash-test-secret-0123456789abcdef' };
const env = {
  KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId,
  KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey,
  KEYHOLD_KMS_QUOTAS: 'CreateKey=100000,CreateAlias=100000,RotateKeyOnDemand=100000',
};

describe('crash safety (kill -9 during writes)', () => {
  const dir = tempDir();
  const procs: ServerProcess[] = [];
  after(() => {
    for (const p of procs) p.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged key, rotation, alias and ciphertext across 3 kill -9 rounds', async () => {
    const keys = new Set<string>();
    const aliases = new Map<string, string>();
    const ciphertexts: Array<{ blob: string; plaintext: string }> = [];
    let counter = 0;
    for (let round = 0; round < 3; round++) {
      const srv = await startServerProcess(dir, env);
      procs.push(srv);
      const agent = new Agent({ ca: readFileSync(join(dir, 'ca.pem')), keepAlive: true });
      const call = (op: string, body: unknown) => jsonCall(srv.endpoint, agent, `TrentService.${op}`, JSON.stringify(body), { credentials: creds });
      // Everything acknowledged before the kill must survive it.
      let acked = 0;
      let stop = false;
      const worker = async () => {
        while (!stop) {
          const n = counter++;
          try {
            const ck = await call('CreateKey', {});
            if (ck.status !== 200) continue;
            const keyId = JSON.parse(ck.body).KeyMetadata.KeyId as string;
            keys.add(keyId);
            const alias = `alias/crash-${n}`;
            if ((await call('CreateAlias', { AliasName: alias, TargetKeyId: keyId })).status === 200) aliases.set(alias, keyId);
            const plaintext = Buffer.from(`p${n}`).toString('base64');
            const e1 = await call('Encrypt', { KeyId: keyId, Plaintext: plaintext });
            if (e1.status === 200) ciphertexts.push({ blob: JSON.parse(e1.body).CiphertextBlob, plaintext });
            await call('RotateKeyOnDemand', { KeyId: keyId });
            const e2 = await call('Encrypt', { KeyId: alias, Plaintext: plaintext });
            if (e2.status === 200) ciphertexts.push({ blob: JSON.parse(e2.body).CiphertextBlob, plaintext });
            acked++;
          } catch {
            return; // the server died under us
          }
        }
      };
      const workers = [worker(), worker(), worker()];
      while (acked < 8) await new Promise((r) => setTimeout(r, 20));
      srv.proc.kill('SIGKILL');
      stop = true;
      await srv.exited;
      await Promise.all(workers);
      agent.destroy();
      const db = new Database(join(dir, 'keyhold.db'));
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
    }

    const srv = await startServerProcess(dir, env);
    procs.push(srv);
    const agent = new Agent({ ca: readFileSync(join(dir, 'ca.pem')), keepAlive: true });
    const call = (op: string, body: unknown) => jsonCall(srv.endpoint, agent, `TrentService.${op}`, JSON.stringify(body), { credentials: creds });
    for (const keyId of keys) assert.equal((await call('DescribeKey', { KeyId: keyId })).status, 200, `key ${keyId}`);
    for (const [alias, keyId] of aliases) {
      const r = await call('DescribeKey', { KeyId: alias });
      assert.equal(JSON.parse(r.body).KeyMetadata?.KeyId, keyId, alias);
    }
    for (const c of ciphertexts) {
      const r = await call('Decrypt', { CiphertextBlob: c.blob });
      assert.equal(r.status, 200, r.body);
      assert.equal(JSON.parse(r.body).Plaintext, c.plaintext);
    }
    assert.ok(ciphertexts.length >= 24);
    agent.destroy();
    assert.equal(await srv.stop(), 0);

    const trail = await runCli(['audit', 'read', '--data-dir', dir]);
    assert.equal(trail.code, 0, trail.stderr);
    assert.equal(trail.stderr, '', 'no damaged audit record');
    const encrypts = trail.stdout.split('\n').filter((l) => l.includes('"eventName":"Encrypt"')).length;
    assert.ok(encrypts >= ciphertexts.length, `${encrypts} Encrypt events for ${ciphertexts.length} acknowledged`);
  });
});
