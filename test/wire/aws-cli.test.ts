// Debian's AWS CLI v2 (`command -p aws`, installed by .ci/run) against a running Keyhold:
// KMS, ACM, STS and IAM commands, with --endpoint-url (2.9 predates AWS_ENDPOINT_URL).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';

describe('AWS CLI v2 (Debian) against Keyhold', {
  skip: !existsSync(AWS) && process.env.CI !== 'true' ? 'Debian awscli not installed (.ci/run installs it)' : false,
}, () => {
  let s: TestServer;
  let env: NodeJS.ProcessEnv;
  const aws = async (...args: string[]) => {
    const { stdout } = await run(AWS, ['--endpoint-url', s.endpoint, '--output', 'json', ...args], { env });
    return stdout.trim() === '' ? {} : JSON.parse(stdout);
  };
  before(async () => {
    s = await startTestServer();
    const home = tempDir();
    env = {
      PATH: '/usr/bin:/bin',
      HOME: home,
      AWS_ACCESS_KEY_ID: s.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CA_BUNDLE: s.kh.caPath,
      AWS_PAGER: '',
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    };
  });
  after(() => s.stop());

  it('create-key, encrypt, decrypt, generate-data-key, aliases', async () => {
    const created = await aws('kms', 'create-key', '--description', 'from the cli');
    const keyId = created.KeyMetadata.KeyId as string;
    assert.equal(created.KeyMetadata.Description, 'from the cli');
    await aws('kms', 'create-alias', '--alias-name', 'alias/cli', '--target-key-id', keyId);
    const dir = tempDir();
    writeFileSync(join(dir, 'msg.txt'), 'hello from the aws cli');
    const enc = await aws('kms', 'encrypt', '--key-id', 'alias/cli', '--plaintext', `fileb://${join(dir, 'msg.txt')}`, '--encryption-context', 'purpose=test');
    assert.equal(enc.KeyId, created.KeyMetadata.Arn);
    writeFileSync(join(dir, 'ct.bin'), Buffer.from(enc.CiphertextBlob, 'base64'));
    const dec = await aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${join(dir, 'ct.bin')}`, '--encryption-context', 'purpose=test');
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'hello from the aws cli');
    await assert.rejects(
      aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${join(dir, 'ct.bin')}`, '--encryption-context', 'purpose=other'),
      /InvalidCiphertextException/,
    );
    const gdk = await aws('kms', 'generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256');
    assert.equal(Buffer.from(gdk.Plaintext, 'base64').length, 32);
    const listed = await aws('kms', 'list-keys');
    assert.ok(listed.Keys.some((k: { KeyId: string }) => k.KeyId === keyId));
    await aws('kms', 'enable-key-rotation', '--key-id', keyId);
    const st = await aws('kms', 'get-key-rotation-status', '--key-id', keyId);
    assert.equal(st.KeyRotationEnabled, true);
  });

  it('s3api put-object --server-side-encryption aws:kms:dsse, head-object, and s3 cp back (DSSE-KMS)', async () => {
    const dir = tempDir();
    const body = randomBytes(100_000);
    writeFileSync(join(dir, 'body.bin'), body);
    await aws('s3api', 'create-bucket', '--bucket', 'cli-dsse');
    const put = await aws(
      's3api',
      'put-object',
      '--bucket',
      'cli-dsse',
      '--key',
      'o.bin',
      '--body',
      join(dir, 'body.bin'),
      '--server-side-encryption',
      'aws:kms:dsse',
    );
    assert.equal(put.ServerSideEncryption, 'aws:kms:dsse');
    const head = await aws('s3api', 'head-object', '--bucket', 'cli-dsse', '--key', 'o.bin');
    assert.deepEqual([head.ServerSideEncryption, head.ContentLength, head.SSEKMSKeyId], ['aws:kms:dsse', body.length, put.SSEKMSKeyId]);
    await run(AWS, ['--endpoint-url', s.endpoint, 's3', 'cp', 's3://cli-dsse/o.bin', join(dir, 'back.bin')], { env });
    assert.deepEqual(readFileSync(join(dir, 'back.bin')), body);
  });

  it('HMAC keys: create-key --key-spec HMAC_256, generate-mac, verify-mac', async () => {
    const created = await aws('kms', 'create-key', '--key-spec', 'HMAC_256', '--key-usage', 'GENERATE_VERIFY_MAC');
    const keyId = created.KeyMetadata.KeyId as string;
    assert.deepEqual(created.KeyMetadata.MacAlgorithms, ['HMAC_SHA_256']);
    const dir = tempDir();
    writeFileSync(join(dir, 'msg.txt'), 'authenticate me');
    const made = await aws('kms', 'generate-mac', '--key-id', keyId, '--message', `fileb://${join(dir, 'msg.txt')}`, '--mac-algorithm', 'HMAC_SHA_256');
    writeFileSync(join(dir, 'mac.bin'), Buffer.from(made.Mac, 'base64'));
    const verify = (message: string) =>
      aws(
        'kms',
        'verify-mac',
        '--key-id',
        keyId,
        '--message',
        `fileb://${join(dir, message)}`,
        '--mac-algorithm',
        'HMAC_SHA_256',
        '--mac',
        `fileb://${join(dir, 'mac.bin')}`,
      );
    assert.equal((await verify('msg.txt')).MacValid, true);
    writeFileSync(join(dir, 'other.txt'), 'something else');
    await assert.rejects(verify('other.txt'), /KMSInvalidMacException/);
  });

  it('imports key material as the AWS documentation shows (get-parameters-for-import, openssl pkeyutl, import-key-material)', async () => {
    const keyId = (await aws('kms', 'create-key', '--origin', 'EXTERNAL')).KeyMetadata.KeyId as string;
    const params = await aws(
      'kms',
      'get-parameters-for-import',
      '--key-id',
      keyId,
      '--wrapping-algorithm',
      'RSAES_OAEP_SHA_256',
      '--wrapping-key-spec',
      'RSA_2048',
    );
    const dir = tempDir();
    const file = (name: string) => join(dir, name);
    writeFileSync(file('pub.der'), Buffer.from(params.PublicKey, 'base64'));
    writeFileSync(file('token.bin'), Buffer.from(params.ImportToken, 'base64'));
    writeFileSync(file('material.bin'), randomBytes(32));
    await run('openssl', [
      'pkeyutl',
      '-encrypt',
      '-in',
      file('material.bin'),
      '-out',
      file('wrapped.bin'),
      '-inkey',
      file('pub.der'),
      '-keyform',
      'DER',
      '-pubin',
      '-pkeyopt',
      'rsa_padding_mode:oaep',
      '-pkeyopt',
      'rsa_oaep_md:sha256',
    ]);
    await aws(
      'kms',
      'import-key-material',
      '--key-id',
      keyId,
      '--encrypted-key-material',
      `fileb://${file('wrapped.bin')}`,
      '--import-token',
      `fileb://${file('token.bin')}`,
      '--expiration-model',
      'KEY_MATERIAL_DOES_NOT_EXPIRE',
    );
    const described = await aws('kms', 'describe-key', '--key-id', keyId);
    assert.deepEqual([described.KeyMetadata.KeyState, described.KeyMetadata.Origin], ['Enabled', 'EXTERNAL']);
    writeFileSync(file('msg.txt'), 'sealed under imported material');
    const enc = await aws('kms', 'encrypt', '--key-id', keyId, '--plaintext', `fileb://${file('msg.txt')}`);
    writeFileSync(file('ct.bin'), Buffer.from(enc.CiphertextBlob, 'base64'));
    const dec = await aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${file('ct.bin')}`);
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'sealed under imported material');
  });

  it('acm request-certificate (private), describe, list, get, export, tags, renew, delete', async () => {
    const caArn = `arn:aws:acm-pca:us-east-1:${s.kh.accountId}:certificate-authority/keyhold-us-east-1`;
    const req = await aws(
      'acm',
      'request-certificate',
      '--domain-name',
      'cli.example.test',
      '--certificate-authority-arn',
      caArn,
      '--key-algorithm',
      'EC_prime256v1',
    );
    const arn = req.CertificateArn as string;
    assert.match(arn, /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/);
    const d = (await aws('acm', 'describe-certificate', '--certificate-arn', arn)).Certificate;
    assert.equal(d.Status, 'ISSUED');
    assert.equal(d.KeyAlgorithm, 'EC-prime256v1');
    const listed = await aws('acm', 'list-certificates', '--includes', 'keyTypes=EC_prime256v1');
    assert.ok(listed.CertificateSummaryList.some((c: { CertificateArn: string }) => c.CertificateArn === arn));
    const got = await aws('acm', 'get-certificate', '--certificate-arn', arn);
    assert.match(got.Certificate, /^-----BEGIN CERTIFICATE-----/);
    assert.match(got.CertificateChain, /-----BEGIN CERTIFICATE-----/);
    const dir = tempDir();
    writeFileSync(join(dir, 'pass.txt'), 'cli passphrase 1');
    const exported = await aws('acm', 'export-certificate', '--certificate-arn', arn, '--passphrase', `fileb://${join(dir, 'pass.txt')}`);
    assert.match(exported.PrivateKey, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    await aws('acm', 'add-tags-to-certificate', '--certificate-arn', arn, '--tags', 'Key=team,Value=cli');
    const tags = await aws('acm', 'list-tags-for-certificate', '--certificate-arn', arn);
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'cli' }]);
    await aws('acm', 'renew-certificate', '--certificate-arn', arn);
    const renewed = (await aws('acm', 'describe-certificate', '--certificate-arn', arn)).Certificate;
    assert.notEqual(renewed.Serial, d.Serial);
    await aws('acm', 'delete-certificate', '--certificate-arn', arn);
    await assert.rejects(aws('acm', 'describe-certificate', '--certificate-arn', arn), /ResourceNotFoundException/);
  });

  it('sts get-caller-identity and iam create-user / put-user-policy / create-access-key', async () => {
    const me = await aws('sts', 'get-caller-identity');
    assert.equal(me.Account, s.kh.accountId);
    assert.equal(me.Arn, `arn:aws:iam::${s.kh.accountId}:root`);
    const created = await aws('iam', 'create-user', '--user-name', 'cli-user');
    assert.equal(created.User.Arn, `arn:aws:iam::${s.kh.accountId}:user/cli-user`);
    await aws(
      'iam',
      'put-user-policy',
      '--user-name',
      'cli-user',
      '--policy-name',
      'p',
      '--policy-document',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}',
    );
    const pol = await aws('iam', 'get-user-policy', '--user-name', 'cli-user', '--policy-name', 'p');
    assert.equal(pol.PolicyDocument.Statement[0].Action, 'kms:ListKeys');
    const key = await aws('iam', 'create-access-key', '--user-name', 'cli-user');
    const userEnv = { ...env, AWS_ACCESS_KEY_ID: key.AccessKey.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.AccessKey.SecretAccessKey };
    const asUser = async (...args: string[]) =>
      JSON.parse((await run(AWS, ['--endpoint-url', s.endpoint, '--output', 'json', ...args], { env: userEnv })).stdout);
    assert.equal((await asUser('sts', 'get-caller-identity')).Arn, created.User.Arn);
    assert.ok(Array.isArray((await asUser('kms', 'list-keys')).Keys));
    await assert.rejects(asUser('kms', 'create-key'), /AccessDeniedException/);
    await assert.rejects(asUser('iam', 'list-users'), /AccessDenied/);
    await assert.rejects(aws('iam', 'get-user', '--user-name', 'nobody'), /NoSuchEntity/);
  });
});
