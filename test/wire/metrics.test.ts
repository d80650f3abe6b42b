// GET /metrics (docs/decisions.md 117): with --metrics-token-file, a scrape bearing the token gets every audited
// call counted by service, operation and outcome, request durations by API protocol and the process's state, in
// Prometheus's text format; a wrong token is refused, and a GET /metrics without a bearer token is S3's.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { ListUsersCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { rawHttps } from '../helpers/raw-https.js';
import { errorName, startTestServer, type TestServer, tempDir } from '../helpers/server.js';

const TOKEN = 'scrape-token-0123456789abcdef';
let srv: TestServer;

before(async () => {
  const tokenFile = join(tempDir(), 'metrics-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  srv = await startTestServer({ config: { metricsTokenFile: tokenFile } });
});
after(() => srv.stop());

const scrape = (token = TOKEN) => rawHttps(srv, 'GET', '/metrics', { authorization: `Bearer ${token}` });

/** The value of one sample line, by its name and labels as written. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('counts audited calls by service, operation and outcome, and times requests by protocol', async () => {
  const kms = srv.kms();
  const KeyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  for (let i = 0; i < 3; i++) await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
  assert.equal(await errorName(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' }))), 'NotFoundException');
  const s3 = srv.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'metered' }));
  await s3.send(new PutObjectCommand({ Bucket: 'metered', Key: 'k', Body: 'v' }));
  await (await s3.send(new GetObjectCommand({ Bucket: 'metered', Key: 'k' }))).Body!.transformToString();
  await srv.iam().send(new ListUsersCommand({}));

  const r = await scrape();
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  const t = r.body;
  assert.equal(sample(t, 'keyhold_requests_total{service="kms",operation="Encrypt",outcome="OK"}'), 3);
  assert.equal(sample(t, 'keyhold_requests_total{service="kms",operation="CreateKey",outcome="OK"}'), 1);
  assert.equal(sample(t, 'keyhold_requests_total{service="kms",operation="DescribeKey",outcome="NotFoundException"}'), 1);
  assert.equal(sample(t, 'keyhold_requests_total{service="s3",operation="PutObject",outcome="OK"}'), 1);
  assert.equal(sample(t, 'keyhold_requests_total{service="s3",operation="GetObject",outcome="OK"}'), 1);
  assert.equal(sample(t, 'keyhold_requests_total{service="iam",operation="ListUsers",outcome="OK"}'), 1);
  assert.match(t, /# TYPE keyhold_requests_total counter\n/);
  assert.match(t, /# TYPE keyhold_request_duration_seconds histogram\n/);
  for (const [api, atLeast] of [
    ['json', 5],
    ['s3', 3],
    ['query', 1],
  ] as const) {
    const count = sample(t, `keyhold_request_duration_seconds_count{api="${api}"}`)!;
    assert.ok(count >= atLeast, `${api}: ${count}`);
    assert.equal(sample(t, `keyhold_request_duration_seconds_bucket{api="${api}",le="+Inf"}`), count);
    const buckets = t
      .split('\n')
      .filter((l) => l.startsWith(`keyhold_request_duration_seconds_bucket{api="${api}"`))
      .map((l) => Number(l.split(' ')[1]));
    assert.deepEqual(
      buckets,
      [...buckets].sort((a, b) => a - b),
      'cumulative buckets',
    );
  }
  assert.equal(sample(t, 'keyhold_audit_healthy'), 1);
  assert.ok(sample(t, 'process_resident_memory_bytes')! > 0);
  // A scrape is not a call of any service: it is not counted, nor audited.
  assert.equal(sample(await (await scrape()).body, 'keyhold_requests_total{service="kms",operation="Encrypt",outcome="OK"}'), 3);
});

it('refuses a wrong token; a GET /metrics without a bearer token is an S3 request', async () => {
  const wrong = await scrape('not-the-token-0123456789');
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers['www-authenticate'], 'Bearer');
  assert.doesNotMatch(wrong.body, /keyhold_/);
  const anonymous = await rawHttps(srv, 'GET', '/metrics', {});
  assert.match(anonymous.body, /<Error><Code>/);
});

it('will not start with a token too short to guess at', async () => {
  const tokenFile = join(tempDir(), 'short-token');
  writeFileSync(tokenFile, 'short\n');
  await assert.rejects(startTestServer({ config: { metricsTokenFile: tokenFile } }), /at least 16 characters/);
});
