// kill -9 during concurrent S3 PUTs: every acknowledged object survives byte for byte, no object becomes
// visible half-written, and no temp file is left in the blob store after restart. A start after a crash also
// removes the blob files no object refers to (a blob named whose commit never happened); a start after a clean
// stop does not look.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { plantOrphanBlob, storedBlobFiles } from '../helpers/blob-files.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { tempDir } from '../helpers/server.js';

const creds = { accessKeyId: 'AKIAS3CRASHTEST00001', secretAccessKey: 's3-crash-test-secret-0123456789abc' };
const env = { KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey };
const dir = tempDir();
const procs: ServerProcess[] = [];
after(() => {
  for (const p of procs) p.proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

it('keeps every acknowledged object across kill -9 and shows no partial one', async () => {
  const acked = new Map<string, string>();
  const attempted = new Set<string>();
  let n = 0;
  for (let round = 0; round < 2; round++) {
    const srv = await startServerProcess(dir, env);
    procs.push(srv);
    const agent = new Agent({ ca: readFileSync(join(dir, 'ca.pem')), keepAlive: true });
    if (round === 0)
      assert.equal((await (await signedS3(srv.endpoint, agent, creds, 'PUT', '/crash', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).send()).status, 200);
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const key = `obj-${n++}`;
        const data = randomBytes(100_000 + (n % 7) * 50_000);
        attempted.add(key);
        try {
          const r = await (
            await signedS3(
              srv.endpoint,
              agent,
              creds,
              'PUT',
              `/crash/${key}`,
              { 'x-amz-content-sha256': createHash('sha256').update(data).digest('hex') },
              data,
            )
          ).send();
          if (r.status === 200) acked.set(key, createHash('sha256').update(data).digest('hex'));
        } catch {
          return;
        }
      }
    };
    const workers = [worker(), worker(), worker()];
    while (acked.size < (round + 1) * 10) await new Promise((r) => setTimeout(r, 10));
    srv.proc.kill('SIGKILL');
    stop = true;
    await srv.exited;
    await Promise.all(workers);
    agent.destroy();
  }
  // What a kill between a blob's rename and its object's commit leaves (the window is too short to hit reliably).
  const orphan = plantOrphanBlob(dir);
  const srv = await startServerProcess(dir, env);
  procs.push(srv);
  assert.deepEqual(readdirSync(join(dir, 'blobs', 'tmp')), [], 'temp files swept at start');
  assert.equal(existsSync(orphan), false, 'an unreferenced blob is removed at the start after a crash');
  const agent = new Agent({ ca: readFileSync(join(dir, 'ca.pem')), keepAlive: true });
  let present = 0;
  for (const key of attempted) {
    const r = await (await signedS3(srv.endpoint, agent, creds, 'GET', `/crash/${key}`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).send();
    if (r.status === 200) present++;
    if (acked.has(key)) {
      assert.equal(r.status, 200, `acknowledged ${key} lost`);
      assert.equal(createHash('sha256').update(r.raw).digest('hex'), acked.get(key), `${key} changed`);
    } else {
      // Unacknowledged: either absent or complete (the commit happened before the kill), never partial.
      assert.ok(r.status === 404 || (r.status === 200 && r.raw.length >= 100_000), `${key}: ${r.status}`);
    }
  }
  agent.destroy();
  assert.equal(storedBlobFiles(dir).length, present, 'one blob file per object present, none left over');
  assert.equal(await srv.stop(), 0);

  // After a clean stop the next start does not read the metadata to look for orphans.
  const planted = plantOrphanBlob(dir);
  const again = await startServerProcess(dir, env);
  procs.push(again);
  assert.ok(existsSync(planted), 'no sweep after a clean stop');
  assert.equal(await again.stop(), 0);
});
