// Real S3 clients from Debian against a running Keyhold (installed by .ci/run): the AWS CLI v2 (s3 cp/sync,
// s3api put-object --sse), rclone (copy, check, multipart, SSE-KMS, v2_auth) and s3cmd (put/get, multipart, SSE, info, setacl,
// and the same with Signature Version 2).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const need = (bin: string) => (!existsSync(bin) && process.env.CI !== 'true' ? `${bin} not installed (.ci/run installs it)` : false);

describe('real S3 clients', () => {
  let s: TestServer;
  let work: string;
  let baseEnv: NodeJS.ProcessEnv;
  before(async () => {
    s = await startTestServer();
    work = tempDir();
    baseEnv = { PATH: '/usr/bin:/bin', HOME: work };
  });
  after(() => s.stop());

  it('AWS CLI v2: s3 mb/cp/sync/ls, s3api put-object --sse and get-object', { skip: need('/usr/bin/aws') }, async () => {
    const env = {
      ...baseEnv,
      AWS_ACCESS_KEY_ID: s.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CA_BUNDLE: s.kh.caPath,
      AWS_PAGER: '',
      AWS_CONFIG_FILE: join(work, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
    };
    const aws = async (...args: string[]) => {
      try {
        return (await run('/usr/bin/aws', ['--endpoint-url', s.endpoint, ...args], { env, maxBuffer: 1 << 24 })).stdout;
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${(err as { stderr?: string }).stderr ?? ''}`);
      }
    };
    const dir = join(work, 'cli');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const files: Record<string, Buffer> = { 'a.txt': Buffer.from('alpha'), 'sub/b.bin': randomBytes(9 * 1024 * 1024), 'sub/c.txt': Buffer.from('gamma') };
    for (const [n, d] of Object.entries(files)) writeFileSync(join(dir, n), d);
    await aws('s3', 'mb', 's3://cli-bucket');
    await aws('s3', 'sync', dir, 's3://cli-bucket/tree');
    const listed = await aws('s3', 'ls', '--recursive', 's3://cli-bucket');
    for (const n of Object.keys(files)) assert.ok(listed.includes(`tree/${n}`), n);
    const back = join(work, 'cli-back');
    await aws('s3', 'cp', '--recursive', 's3://cli-bucket/tree', back);
    for (const [n, d] of Object.entries(files)) assert.deepEqual(readFileSync(join(back, n)), d, n);
    const put = JSON.parse(
      await aws('s3api', 'put-object', '--bucket', 'cli-bucket', '--key', 'kms.txt', '--body', join(dir, 'a.txt'), '--server-side-encryption', 'aws:kms'),
    );
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    const got = JSON.parse(await aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'kms.txt', join(work, 'kms.out')));
    assert.equal(got.ServerSideEncryption, 'aws:kms');
    assert.equal(readFileSync(join(work, 'kms.out'), 'utf8'), 'alpha');
    await aws('s3', 'cp', join(dir, 'a.txt'), 's3://cli-bucket/sse.txt', '--sse', 'AES256');
    await aws('s3', 'rm', '--recursive', 's3://cli-bucket/tree');
  });

  it('rclone: mkdir, copy (with multipart), check, cat', { skip: need('/usr/bin/rclone') }, async () => {
    const env = {
      ...baseEnv,
      RCLONE_CONFIG_KH_TYPE: 's3',
      RCLONE_CONFIG_KH_PROVIDER: 'Other',
      RCLONE_CONFIG_KH_ENDPOINT: s.endpoint,
      RCLONE_CONFIG_KH_ACCESS_KEY_ID: s.credentials.accessKeyId,
      RCLONE_CONFIG_KH_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
      RCLONE_CONFIG_KH_REGION: 'us-east-1',
      RCLONE_CONFIG_KH_FORCE_PATH_STYLE: 'true',
      RCLONE_CONFIG: join(work, 'rclone.conf'),
    };
    const rclone = async (...args: string[]) =>
      (await run('/usr/bin/rclone', ['--ca-cert', s.kh.caPath, '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', ...args], { env, maxBuffer: 1 << 24 }))
        .stdout;
    const dir = join(work, 'rc');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'small.txt'), 'small file');
    writeFileSync(join(dir, 'big.bin'), randomBytes(12 * 1024 * 1024));
    await rclone('mkdir', 'kh:rclone-bucket');
    await rclone('copy', dir, 'kh:rclone-bucket/dir');
    await rclone('check', dir, 'kh:rclone-bucket/dir');
    assert.equal(await rclone('cat', 'kh:rclone-bucket/dir/small.txt'), 'small file');
    const ls = await rclone('lsf', 'kh:rclone-bucket/dir');
    assert.match(ls, /big\.bin/);
    // SSE-KMS, as rclone users configure it: the ETags of SSE-KMS objects are not MD5s (as on AWS), so rclone
    // keeps the MD5 in its md5chksum metadata and verifies copies against that.
    const kms = (...args: string[]) => rclone('--s3-server-side-encryption', 'aws:kms', ...args);
    await kms('mkdir', 'kh:rclone-kms');
    await kms('copy', dir, 'kh:rclone-kms/dir');
    await kms('check', dir, 'kh:rclone-kms/dir');
    const sums = await kms('md5sum', 'kh:rclone-kms/dir');
    assert.match(sums, new RegExp(`${createHash('md5').update('small file').digest('hex')}\\s+small\\.txt`));
    assert.equal(await kms('cat', 'kh:rclone-kms/dir/small.txt'), 'small file');
    for (const Key of ['dir/small.txt', 'dir/big.bin']) {
      const head = await s.s3().send(new HeadObjectCommand({ Bucket: 'rclone-kms', Key }));
      assert.equal(head.ServerSideEncryption, 'aws:kms', Key);
    }
    // The same client signing with Signature Version 2 (v2_auth): its Go signer sends "?uploads=" and signs "uploads".
    const v2 = (...args: string[]) => rclone('--s3-v2-auth', ...args);
    await v2('copy', dir, 'kh:rclone-bucket/v2');
    await v2('check', dir, 'kh:rclone-bucket/v2');
    assert.equal(await v2('cat', 'kh:rclone-bucket/v2/small.txt'), 'small file');
  });

  it('s3cmd: mb, put/get (single and multipart), ls, server-side encryption', { skip: need('/usr/bin/s3cmd') }, async () => {
    const host = new URL(s.endpoint).host;
    const cfg = join(work, 's3cfg');
    writeFileSync(
      cfg,
      `[default]\naccess_key = ${s.credentials.accessKeyId}\nsecret_key = ${s.credentials.secretAccessKey}\nhost_base = ${host}\nhost_bucket = ${host}\nuse_https = True\nca_certs_file = ${s.kh.caPath}\ncheck_ssl_certificate = True\ncheck_ssl_hostname = True\nsignature_v2 = False\nbucket_location = us-east-1\n`,
    );
    const s3cmd = async (...args: string[]) => (await run('/usr/bin/s3cmd', ['-c', cfg, ...args], { env: baseEnv, maxBuffer: 1 << 24 })).stdout;
    const small = join(work, 's3cmd-small.txt');
    const big = join(work, 's3cmd-big.bin');
    writeFileSync(small, 'hello s3cmd');
    writeFileSync(big, randomBytes(11 * 1024 * 1024));
    await s3cmd('mb', 's3://s3cmd-bucket');
    await s3cmd('put', small, 's3://s3cmd-bucket/small.txt');
    await s3cmd('put', '--multipart-chunk-size-mb=5', big, 's3://s3cmd-bucket/big.bin');
    await s3cmd('put', '--server-side-encryption', small, 's3://s3cmd-bucket/sse.txt');
    const ls = await s3cmd('ls', 's3://s3cmd-bucket');
    for (const k of ['small.txt', 'big.bin', 'sse.txt']) assert.ok(ls.includes(k), k);
    await s3cmd('get', '--force', 's3://s3cmd-bucket/big.bin', join(work, 'big.out'));
    assert.deepEqual(readFileSync(join(work, 'big.out')), readFileSync(big));
    await s3cmd('get', '--force', 's3://s3cmd-bucket/small.txt', join(work, 'small.out'));
    assert.equal(readFileSync(join(work, 'small.out'), 'utf8'), 'hello s3cmd');
    // info reads the ACL, policy, CORS and lifecycle of a bucket or object (ACLs disabled: the owner only).
    assert.match(await s3cmd('info', 's3://s3cmd-bucket/small.txt'), /ACL:\s+\d{12}: FULL_CONTROL/);
    const bucketInfo = await s3cmd('info', 's3://s3cmd-bucket');
    assert.match(bucketInfo, /ACL:\s+\d{12}: FULL_CONTROL/);
    assert.match(bucketInfo, /CORS:\s+none/);
    await s3cmd('setacl', '--acl-private', 's3://s3cmd-bucket/small.txt');
    await assert.rejects(s3cmd('setacl', '--acl-public', 's3://s3cmd-bucket/small.txt'), /AccessControlListNotSupported/);
    await assert.rejects(s3cmd('put', '--acl-public', small, 's3://s3cmd-bucket/public.txt'), /AccessControlListNotSupported/);
    // --bucket-location=EU: s3cmd signs for "EU", learns the Region S3 expects from the error (<Region>) and signs
    // again; the bucket is made in EU (eu-west-1), as at S3's global endpoint.
    assert.match(await s3cmd('mb', '--bucket-location=EU', 's3://s3cmd-eu-bucket'), /created/);
    assert.match(await s3cmd('info', 's3://s3cmd-eu-bucket'), /Location:\s+(EU|eu-west-1)/);
    // The same client signing with Signature Version 2 (--signature-v2, as older s3cmd configurations do).
    const v2 = (...args: string[]) => s3cmd('--signature-v2', ...args);
    await v2('put', '--multipart-chunk-size-mb=5', big, 's3://s3cmd-bucket/v2 big+.bin');
    await v2('put', small, 's3://s3cmd-bucket/v2-small.txt');
    assert.match(await v2('ls', 's3://s3cmd-bucket/v2'), /v2 big\+\.bin[\s\S]*v2-small\.txt/);
    await v2('get', '--force', 's3://s3cmd-bucket/v2 big+.bin', join(work, 'v2-big.out'));
    assert.deepEqual(readFileSync(join(work, 'v2-big.out')), readFileSync(big));
    await v2('del', 's3://s3cmd-bucket/v2-small.txt');
    assert.doesNotMatch(await v2('ls', 's3://s3cmd-bucket/v2'), /v2-small/);
  });
});
