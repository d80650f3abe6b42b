// Keeps `npm run bench` working: runs its smoke profile (seconds, no peer) and checks the JSON it writes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/server.js';

const benchDirs = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('keyhold-bench-')));

it('npm run bench (smoke profile) produces every part, and leaves no data directory behind', async () => {
  const before = benchDirs();
  const out = join(tempDir(), 'bench.json');
  const { stdout } = await promisify(execFile)(process.execPath, [join(REPO_ROOT, 'dist', 'bench', 'run.js'), '--smoke', '--out', out], { timeout: 240_000 });
  assert.match(stdout, /keyhold\/ceiling/);
  assert.deepEqual(
    [...benchDirs()].filter((d) => !before.has(d)),
    [],
    'every keyhold-bench-* directory of the run is removed',
  );
  const r = JSON.parse(readFileSync(out, 'utf8'));
  for (const op of ['Encrypt', 'Decrypt', 'GenerateDataKey']) {
    const o = r.parts.kms.ops[op];
    assert.ok(o.keyhold.rps.median > 0, op);
    assert.equal(o.keyhold.errors, 0, `${op} had errors`);
    assert.equal(o.keyhold.throttled, 0, `${op} was throttled under the default quotas`);
    assert.ok(o.keyholdVsCeiling > 0);
    // The reference handler answers every operation, each request verified with SigV4.
    assert.ok(o.reference.rps.median > 0 && o.reference.errors === 0, `${op} reference`);
    // Cluster mode (--workers auto) is measured whenever the machine has more than one CPU.
    if (availableParallelism() > 1) {
      assert.ok(o.keyholdAllCores.rps.median > 0, `${op} all cores`);
      assert.equal(o.keyholdAllCores.errors, 0, `${op} all cores had errors`);
    }
  }
  for (const part of ['objects', 'smallObjects', 'throttling', 'certificates']) assert.ok(part in r.parts, part);
  assert.ok(r.parts.objects.throughput.length >= 3);
  for (const row of r.parts.objects.throughput) assert.ok(row.putMiBps.median > 0 && row.getMiBps.median > 0, row.mode);
  // The memory part streams its big object through a Keyhold of its own, the throughput server's RSS beside it.
  const m = r.parts.objects.memory;
  assert.equal(m.errors, 0);
  assert.ok(m.peakRssPutMiB >= m.rssBeforeMiB && m.peakRssGetMiB > 0 && m.afterLoadRssMiB > 0, JSON.stringify(m));
  assert.ok(r.parts.smallObjects.kmsCallSaving > 0.5, 'bucket keys save KMS calls');
  assert.equal(r.parts.throttling.throttled, 0);
  assert.ok(r.parts.authorization.userDecisionMicros > 0);
  // Every target is judged, and a missed one says by how much.
  assert.match(stdout, /Targets \(issue #7\)/);
  assert.ok(r.targets.length >= 7);
  for (const t of r.targets) assert.ok(typeof t.met === 'boolean' && (t.met || t.shortBy !== undefined), t.target);
  assert.deepEqual(
    r.parts.certificates.map((c: { keyAlgorithm: string }) => c.keyAlgorithm),
    ['EC_prime256v1', 'RSA_2048'],
  );
  for (const c of r.parts.certificates) assert.ok(c.certsPerSecond.median > 0 && c.keyholdVsKeyGeneration > 0, c.keyAlgorithm);
  assert.ok(r.parts.authorization.userShareOfDecrypt < 0.1, 'authorization adds under 10% to a Decrypt');
});
