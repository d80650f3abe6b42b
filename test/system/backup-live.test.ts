// `keyhold backup` against a running server under write load (docs/decisions.md 112): the CLI copies a
// passphrase-sealed data directory without the passphrase, and a server started on the copy (with it) serves
// every kind of state the original had: versions, SSE-S3, SSE-KMS and SSE-C objects, an unfinished multipart
// upload it can complete, a KMS ciphertext it decrypts, the audit trail, and every object the writers had
// stored when the snapshot was taken, each readable.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { kmsFor, s3For } from '../helpers/clients.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { tempDir } from '../helpers/server.js';
import { allowSseC, sseC } from '../helpers/sse-c.js';

const creds = { accessKeyId: 'AKIABACKUPTEST000001', secretAccessKey: 'backup-test-secret-0123456789abcdefghi' };
const passphrase = { KEYHOLD_SEAL_PASSPHRASE: 'backup test passphrase, long enough' };
const env = { KEYHOLD_ROOT_ACCESS_KEY_ID: creds.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey, ...passphrase };
const procs: ServerProcess[] = [];
after(() => {
  for (const p of procs) p.proc.kill('SIGKILL');
});

const text = async (s3: S3Client, Bucket: string, Key: string, extra: object = {}) =>
  (await s3.send(new GetObjectCommand({ Bucket, Key, ...extra }))).Body!.transformToString();

it('copies a running, passphrase-sealed data directory under load into one a server restores whole', async () => {
  const dir = tempDir();
  const to = join(tempDir('keyhold-backup-'), 'copy');
  const live = await startServerProcess(dir, env);
  procs.push(live);
  const s3 = s3For(live.endpoint, dir, creds);
  const kms = kmsFor(live.endpoint, dir, creds);

  const KeyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const ciphertext = (await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('kms secret'), EncryptionContext: { app: 'backup' } })))
    .CiphertextBlob!;
  await s3.send(new CreateBucketCommand({ Bucket: 'data' }));
  await allowSseC(s3, 'data');
  await s3.send(new PutBucketVersioningCommand({ Bucket: 'data', VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'doc', Body: 'version one' }));
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'doc', Body: 'version two' }));
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'kms', Body: 'under kms', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KeyId }));
  const customerKey = randomBytes(32);
  await s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'sse-c', Body: 'customer keyed', ...sseC(customerKey) }));
  const part1 = randomBytes(5 * 1024 * 1024);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'data', Key: 'mp' }));
  const { ETag: etag1 } = await s3.send(new UploadPartCommand({ Bucket: 'data', Key: 'mp', UploadId, PartNumber: 1, Body: part1 }));

  // Writers that replace and delete objects for as long as the backup runs.
  await s3.send(new CreateBucketCommand({ Bucket: 'churn' }));
  let stop = false;
  let writes = 0;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      await s3.send(new PutObjectCommand({ Bucket: 'churn', Key: `w${w}/k${i % 20}`, Body: `w${w} ${i}` }));
      writes++;
      if (i % 3 === 0) await s3.send(new DeleteObjectCommand({ Bucket: 'churn', Key: `w${w}/k${(i + 7) % 20}` }));
    }
  };
  const writers = [0, 1, 2].map(writer);
  while (writes < 30) await new Promise((r) => setTimeout(r, 5));
  // No passphrase in the backup's environment: it copies what is sealed as it is.
  const backup = await runCli(['backup', '--data-dir', dir, '--to', to], { KEYHOLD_SEAL_PASSPHRASE: '' });
  stop = true;
  await Promise.all(writers);
  assert.equal(backup.code, 0, backup.stderr);
  const report = JSON.parse(backup.stdout) as { missing: number; blobs: number; auditFiles: number };
  assert.equal(report.missing, 0);
  assert.ok(report.blobs > 0 && report.auditFiles > 0, backup.stdout);
  assert.equal(await live.stop(), 0);
  assert.equal(existsSync(join(to, 'credentials')), false, 'no secret in clear in a backup');

  // The trail opens only with the passphrase, and holds the calls made before the backup.
  assert.notEqual((await runCli(['audit', 'read', '--data-dir', to], { KEYHOLD_SEAL_PASSPHRASE: 'wrong passphrase, also long' })).code, 0);
  const audit = await runCli(['audit', 'read', '--data-dir', to], passphrase);
  assert.equal(audit.code, 0, audit.stderr);
  assert.match(audit.stdout, /"eventName":"CreateMultipartUpload"/);

  const restored = await startServerProcess(to, env);
  procs.push(restored);
  const r3 = s3For(restored.endpoint, to, creds);
  assert.equal(await text(r3, 'data', 'doc'), 'version two');
  const versions = await r3.send(new ListObjectVersionsCommand({ Bucket: 'data', Prefix: 'doc' }));
  assert.equal(versions.Versions?.length, 2);
  assert.equal(await text(r3, 'data', 'doc', { VersionId: versions.Versions!.find((v) => !v.IsLatest)!.VersionId }), 'version one');
  assert.equal(await text(r3, 'data', 'kms'), 'under kms');
  assert.equal(await text(r3, 'data', 'sse-c', sseC(customerKey)), 'customer keyed');
  const plaintext = (await kmsFor(restored.endpoint, to, creds).send(new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: { app: 'backup' } })))
    .Plaintext!;
  assert.equal(Buffer.from(plaintext).toString(), 'kms secret');
  const { ETag: etag2 } = await r3.send(new UploadPartCommand({ Bucket: 'data', Key: 'mp', UploadId, PartNumber: 2, Body: 'tail' }));
  await r3.send(
    new CompleteMultipartUploadCommand({
      Bucket: 'data',
      Key: 'mp',
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: etag1 },
          { PartNumber: 2, ETag: etag2 },
        ],
      },
    }),
  );
  const mp = Buffer.from(await (await r3.send(new GetObjectCommand({ Bucket: 'data', Key: 'mp' }))).Body!.transformToByteArray());
  assert.ok(mp.equals(Buffer.concat([part1, Buffer.from('tail')])));
  // Whatever the writers had stored at the snapshot is there, every object readable.
  const churned = (await r3.send(new ListObjectsV2Command({ Bucket: 'churn' }))).Contents ?? [];
  assert.ok(churned.length > 0);
  for (const o of churned) assert.match(await text(r3, 'churn', o.Key!), /^w\d \d+$/);
  assert.equal(await restored.stop(), 0);

  const check = await runCli(['admin', 'check-blobs', '--data-dir', to], passphrase);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  const { removed, missing } = JSON.parse(check.stdout) as { removed: number; missing: number };
  assert.deepEqual({ removed, missing }, { removed: 0, missing: 0 });
});

it('says what it needs: --to, a new directory, a data directory', async () => {
  const noTo = await runCli(['backup', '--data-dir', tempDir()]);
  assert.equal(noTo.code, 2);
  assert.match(noTo.stderr, /needs --to/);
  const notData = await runCli(['backup', '--data-dir', tempDir(), '--to', join(tempDir(), 'copy')]);
  assert.equal(notData.code, 1);
  assert.match(notData.stderr, /not a Keyhold data directory/);
  const help = await runCli(['backup', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--to/);
  assert.match((await runCli(['--help'])).stdout, /backup/);
});
