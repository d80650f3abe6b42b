// MD5 on the helper thread gives exactly node:crypto's digest, for interleaved streams, after an aborted
// one, and in-thread for small bodies; and a process that used it still exits on its own (the helper is
// unref'd: a leaked ref would hang every server and test process at exit).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { md5Stream, OFFLOAD_MIN_BYTES } from '../../../src/crypto/offloaded-md5.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function feed(s: ReturnType<typeof md5Stream>, data: Buffer, chunk: number): void {
  for (let i = 0; i < data.length; i += chunk) s.update(data.subarray(i, i + chunk));
}

it('digests interleaved large streams on the helper thread exactly as node:crypto does', async () => {
  const bodies = [randomBytes(OFFLOAD_MIN_BYTES), randomBytes(3 * OFFLOAD_MIN_BYTES + 17), Buffer.alloc(2 * OFFLOAD_MIN_BYTES)];
  const streams = bodies.map((b) => md5Stream(b.length));
  assert.ok(streams.every((s) => s.constructor.name === 'OffloadedMd5'));
  // Chunks of the three streams alternate, as concurrent uploads' chunks do.
  for (let off = 0; off < 4 * OFFLOAD_MIN_BYTES; off += 65_536) {
    bodies.forEach((b, i) => {
      if (off < b.length) streams[i]!.update(b.subarray(off, off + 65_536));
    });
  }
  const digests = await Promise.all(streams.map((s) => s.digest()));
  assert.deepEqual(
    digests.map((d) => d.toString('hex')),
    bodies.map(md5),
  );
});

it('keeps working after an aborted stream, and hashes small or unknown-length bodies in-thread', async () => {
  const dropped = md5Stream(OFFLOAD_MIN_BYTES);
  dropped.update(randomBytes(1000));
  dropped.abort();
  const data = randomBytes(OFFLOAD_MIN_BYTES + 1);
  const s = md5Stream(data.length);
  feed(s, data, 10_000);
  assert.equal((await s.digest()).toString('hex'), md5(data));
  for (const hint of [10, undefined]) {
    const small = md5Stream(hint);
    assert.equal(small.constructor.name, 'InlineMd5');
    feed(small, Buffer.from('hello'), 2);
    assert.equal((await small.digest()).toString('hex'), md5(Buffer.from('hello')));
  }
  const empty = md5Stream(OFFLOAD_MIN_BYTES);
  assert.equal((await empty.digest()).toString('hex'), md5(Buffer.alloc(0)));
});

it('does not keep a process alive once its work is done', async () => {
  const module = join(REPO_ROOT, 'dist', 'src', 'crypto', 'offloaded-md5.js');
  const script = `import { md5Stream } from ${JSON.stringify(module)};
    const s = md5Stream(${OFFLOAD_MIN_BYTES}); s.update(Buffer.alloc(${OFFLOAD_MIN_BYTES}));
    console.log((await s.digest()).toString('hex'));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
  assert.equal(stdout.trim(), md5(Buffer.alloc(OFFLOAD_MIN_BYTES)));
});
