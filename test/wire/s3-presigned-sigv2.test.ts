// botocore's default presigning against Keyhold: in us-east-1 it signs presigned URLs and POST forms with
// Signature Version 2 (AWSAccessKeyId, Expires, HMAC-SHA1), which AWS still accepts (docs/decisions.md 84); a
// botocore client configured for SigV2 Authorization headers (decision 90); and the headers S3 takes from a SigV4
// presigned URL's query.
// The URLs and form fields come from Debian's python3-botocore (installed with awscli by .ci/run); the requests
// are sent from here, as a browser or curl would send them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { auditEvents } from '../helpers/audit.js';
import { form } from '../helpers/form-data.js';
import { rawHttps } from '../helpers/raw-https.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';

/** A SigV4 presigned PUT whose query carries a metadata header and a write condition, as the Java SDK presigns them. */
const V4_QUERY = `
from botocore.awsrequest import AWSRequest
from botocore.auth import S3SigV4QueryAuth
from botocore.credentials import Credentials
req = AWSRequest(method='PUT', url=a['endpoint'] + '/' + a['bucket'] + '/v4-query', params={'x-amz-meta-colour': 'r—d', 'If-None-Match': '*'})
S3SigV4QueryAuth(Credentials(a['key'], a['secret']), 's3', 'us-east-1', expires=300).add_auth(req)
v4query = req.url
`;

/** Presigned requests made by botocore with its defaults (no signature_version configured). */
const SCRIPT = `
import json, sys, botocore.session
a = json.loads(sys.argv[1])
c = botocore.session.get_session().create_client('s3', region_name='us-east-1', endpoint_url=a['endpoint'],
    aws_access_key_id=a['key'], aws_secret_access_key=a['secret'], verify=a['ca'])
b, k = a['bucket'], a['objectKey']
${V4_QUERY}
print(json.dumps({
  'put': c.generate_presigned_url('put_object', Params={'Bucket': b, 'Key': k, 'Metadata': {'colour': 'blue'}, 'ServerSideEncryption': 'aws:kms'}),
  'typed': c.generate_presigned_url('put_object', Params={'Bucket': b, 'Key': 'typed', 'ContentType': 'text/plain'}),
  'get': c.generate_presigned_url('get_object', Params={'Bucket': b, 'Key': k, 'ResponseContentType': 'text/x-sigv2'}),
  'expired': c.generate_presigned_url('get_object', Params={'Bucket': b, 'Key': k}, ExpiresIn=-60),
  'post': c.generate_presigned_post(b, 'posted', Conditions=[['content-length-range', 1, 100]]),
  'v4query': v4query,
}))
`;

/**
 * S3 calls from a botocore client configured for SigV2 Authorization headers (signature_version "s3"). Not a
 * multipart upload: Debian's botocore 1.29 signs "?uploads" twice in SigV2 (newer botocore does not; s3cmd's
 * multipart upload with signature_v2 is in s3-clients.test.ts).
 */
const HEADER_SCRIPT = `
import json, sys, botocore.session
from botocore.config import Config
a = json.loads(sys.argv[1])
def client(secret):
    return botocore.session.get_session().create_client('s3', region_name='us-east-1', endpoint_url=a['endpoint'],
        aws_access_key_id=a['key'], aws_secret_access_key=secret, verify=a['ca'],
        config=Config(signature_version='s3', s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
c, b = client(a['secret']), a['bucket']
c.put_object(Bucket=b, Key='v2 header+key', Body=b'signed with v2', Metadata={'colour': 'green'}, ContentType='text/plain')
got = c.get_object(Bucket=b, Key='v2 header+key')
c.copy_object(Bucket=b, Key='v2-copy', CopySource={'Bucket': b, 'Key': 'v2 header+key'})
listed = [o['Key'] for o in c.list_objects(Bucket=b, Prefix='v2')['Contents']]
try:
    client('not-the-secret').head_object(Bucket=b, Key='v2 header+key')
    wrong = 'OK'
except Exception as e:
    wrong = e.response['Error']['Code']
print(json.dumps({'body': got['Body'].read().decode(), 'meta': got['Metadata'], 'type': got['ContentType'], 'listed': listed, 'wrong': wrong}))
`;

describe('S3 presigned URLs and POST forms signed with Signature Version 2 by botocore', {
  skip: !existsSync(PYTHON) && process.env.CI !== 'true' ? 'Debian python3-botocore not installed (.ci/run installs awscli)' : false,
}, () => {
  let s: TestServer;
  let signed: { put: string; typed: string; v4query: string; get: string; expired: string; post: { url: string; fields: Record<string, string> } };
  const bucket = 'sigv2-bucket';
  const objectKey = 'a key+ü';

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
    const args = { endpoint: s.endpoint, key: s.credentials.accessKeyId, secret: s.credentials.secretAccessKey, ca: s.kh.caPath, bucket, objectKey };
    const { stdout } = await run(PYTHON, ['-c', SCRIPT, JSON.stringify(args)], { env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } });
    signed = JSON.parse(stdout);
  });
  after(() => s.stop());

  it('botocore presigns with SigV2 by default in us-east-1', () => {
    for (const url of [signed.put, signed.get]) assert.match(url, /[?&]AWSAccessKeyId=[^&]+&Signature=[^&]+/);
    assert.deepEqual(Object.keys(signed.post.fields).sort(), ['AWSAccessKeyId', 'key', 'policy', 'signature']);
  });

  it('a presigned PUT stores the object with the metadata and encryption it signed; a GET reads it with its overrides', async () => {
    const put = await rawHttps(s, 'PUT', signed.put, { 'content-length': '9' }, 'something');
    assert.equal(put.status, 200, put.body);
    assert.equal(put.headers['x-amz-server-side-encryption'], 'aws:kms');
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
    assert.deepEqual([head.Metadata, head.ServerSideEncryption], [{ colour: 'blue' }, 'aws:kms']);
    const get = await rawHttps(s, 'GET', signed.get, {});
    assert.deepEqual([get.status, get.body, get.headers['content-type']], [200, 'something', 'text/x-sigv2']);
    // Recorded as CloudTrail records SigV2 query authentication.
    const events = (await auditEvents(s.dataDir)).filter((e) => e.eventName === 'GetObject' && e.requestParameters?.key === objectKey);
    assert.deepEqual(
      [events.at(-1)?.additionalEventData?.SignatureVersion, events.at(-1)?.additionalEventData?.AuthenticationMethod],
      ['SigV2', 'QueryString'],
    );
  });

  it('refuses a changed URL, an expired one, a changed header and an incomplete one, as S3 answers them', async () => {
    const code = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
    const tampered = await rawHttps(s, 'GET', signed.get.replace('text%2Fx-sigv2', 'text%2Fhtml'), {});
    assert.deepEqual([tampered.status, code(tampered.body)], [403, 'SignatureDoesNotMatch']);
    const expired = await rawHttps(s, 'GET', signed.expired, {});
    assert.deepEqual([expired.status, code(expired.body)], [403, 'AccessDenied']);
    assert.match(expired.body, /Request has expired/);
    const typed = await rawHttps(s, 'PUT', signed.put, { 'content-type': 'text/html', 'content-length': '1' }, 'x');
    assert.deepEqual([typed.status, code(typed.body)], [403, 'SignatureDoesNotMatch'], 'Content-Type is signed');
    // A URL signed for a Content-Type (botocore also copies it into the query) needs that header, as sent: without it
    // or with another S3 refuses it (AWS's recording, localstack test_s3_put_presigned_url_with_different_headers).
    assert.match(signed.typed, /[?&]content-type=text%2Fplain/);
    for (const headers of [{}, { 'content-type': 'text/xml' }] as Array<Record<string, string>>) {
      const r = await rawHttps(s, 'PUT', signed.typed, { ...headers, 'content-length': '1' }, 'x');
      assert.deepEqual([r.status, code(r.body)], [403, 'SignatureDoesNotMatch'], JSON.stringify(headers));
    }
    const plain = await rawHttps(s, 'PUT', signed.typed, { 'content-type': 'text/plain', 'content-length': '1' }, 'x');
    assert.equal(plain.status, 200, plain.body);
    assert.equal((await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'typed' }))).ContentType, 'text/plain');
    const incomplete = await rawHttps(s, 'GET', signed.get.replace(/&Signature=[^&]+/, ''), {});
    assert.deepEqual([incomplete.status, code(incomplete.body)], [403, 'AccessDenied']);
    assert.match(incomplete.body, /Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters/);
    const body = await s.s3().send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
    assert.equal(await body.Body?.transformToString(), 'something', 'nothing changed');
  });

  it('a botocore client signing SigV2 Authorization headers: writes, reads, copies, lists; a wrong secret refused', async () => {
    const args = { endpoint: s.endpoint, key: s.credentials.accessKeyId, secret: s.credentials.secretAccessKey, ca: s.kh.caPath, bucket };
    const { stdout } = await run(PYTHON, ['-c', HEADER_SCRIPT, JSON.stringify(args)], { env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } });
    assert.deepEqual(JSON.parse(stdout), {
      body: 'signed with v2',
      meta: { colour: 'green' },
      type: 'text/plain',
      listed: ['v2 header+key', 'v2-copy'],
      wrong: '403',
    });
    const events = (await auditEvents(s.dataDir)).filter((e) => e.eventName === 'PutObject' && e.requestParameters?.key === 'v2 header+key');
    assert.deepEqual([events.at(-1)?.additionalEventData?.SignatureVersion, events.at(-1)?.additionalEventData?.AuthenticationMethod], ['SigV2', 'AuthHeader']);
  });

  it("a SigV4 presigned URL's query headers act as headers: metadata and If-None-Match", async () => {
    assert.match(signed.v4query, /x-amz-meta-colour=r%E2%80%94d/);
    const first = await rawHttps(s, 'PUT', signed.v4query, { 'content-length': '2' }, 'v4');
    assert.equal(first.status, 200, first.body);
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'v4-query' }));
    assert.deepEqual(head.Metadata, { colour: '=?UTF-8?Q?r=E2=80=94d?=' });
    const again = await rawHttps(s, 'PUT', signed.v4query, { 'content-length': '2' }, 'v4');
    assert.equal(again.status, 412, "the query's If-None-Match: * holds");
  });

  it('a SigV2-signed request cannot declare a signed aws-chunked body (that needs a SigV4 signature chain)', async () => {
    // Signed here as the S3 guide's StringToSign says (Date line, then the x-amz-* headers, then the resource).
    const date = new Date().toUTCString();
    const amz = 'x-amz-content-sha256:STREAMING-AWS4-HMAC-SHA256-PAYLOAD\nx-amz-decoded-content-length:1\n';
    const toSign = `PUT\n\n\n${date}\n${amz}/${bucket}/chunked`;
    const signature = createHmac('sha1', s.credentials.secretAccessKey).update(toSign).digest('base64');
    const r = await rawHttps(
      s,
      'PUT',
      `/${bucket}/chunked`,
      {
        date,
        authorization: `AWS ${s.credentials.accessKeyId}:${signature}`,
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'x-amz-decoded-content-length': '1',
        'content-length': '3',
      },
      'x\r\n',
    );
    assert.deepEqual([r.status, /<Code>([^<]+)<\/Code>/.exec(r.body)?.[1]], [403, 'AccessDenied']);
  });

  it('SigV2 is refused for a bucket in a Region that takes only SigV4 (launched after January 2014), as S3 refuses it', async () => {
    // A Region named outside AWS's scheme is a self-hosted name, not a later AWS Region: SigV2 works there.
    await s
      .s3({ region: 'eu-central-1' })
      .send(new CreateBucketCommand({ Bucket: 'sigv2-frankfurt', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
    await s
      .s3({ region: 'home' })
      .send(new CreateBucketCommand({ Bucket: 'sigv2-home', CreateBucketConfiguration: { LocationConstraint: 'home' as 'eu-central-1' } }));
    await s
      .s3({ region: 'eu-west-1' })
      .send(new CreateBucketCommand({ Bucket: 'sigv2-ireland', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    const list = async (b: string) => {
      const date = new Date().toUTCString();
      const signature = createHmac('sha1', s.credentials.secretAccessKey).update(`GET\n\n\n${date}\n/${b}/`).digest('base64');
      return rawHttps(s, 'GET', `/${b}/`, { date, authorization: `AWS ${s.credentials.accessKeyId}:${signature}` });
    };
    const refused = await list('sigv2-frankfurt');
    assert.deepEqual([refused.status, /<Code>([^<]+)<\/Code>/.exec(refused.body)?.[1]], [400, 'InvalidRequest']);
    assert.match(refused.body, /The authorization mechanism you have provided is not supported\. Please use AWS4-HMAC-SHA256\./);
    for (const b of ['sigv2-home', 'sigv2-ireland', bucket]) assert.equal((await list(b)).status, 200, b);
    // A SigV2 POST form too (its signature is HMAC-SHA1 of the policy).
    const post = async (b: string) => {
      const policy = Buffer.from(
        JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket: b }, ['starts-with', '$key', '']] }),
      ).toString('base64');
      const signature = createHmac('sha1', s.credentials.secretAccessKey).update(policy).digest('base64');
      const f = form(
        [
          ['key', 'posted-v2'],
          ['AWSAccessKeyId', s.credentials.accessKeyId],
          ['policy', policy],
          ['signature', signature],
        ],
        { filename: 'f.txt', content: 'x' },
      );
      return rawHttps(s, 'POST', `/${b}`, { 'content-type': f.contentType, 'content-length': String(f.body.length) }, f.body);
    };
    const refusedPost = await post('sigv2-frankfurt');
    assert.deepEqual([refusedPost.status, /<Code>([^<]+)<\/Code>/.exec(refusedPost.body)?.[1]], [400, 'InvalidRequest']);
    assert.equal((await post('sigv2-ireland')).status, 204);
  });

  it('a SigV2 POST form uploads under its policy', async () => {
    const fields = Object.entries(signed.post.fields) as Array<[string, string]>;
    const ok = form(fields, { filename: 'f.txt', content: 'posted with sigv2' });
    const r = await rawHttps(s, 'POST', `/${bucket}`, { 'content-type': ok.contentType, 'content-length': String(ok.body.length) }, ok.body);
    assert.equal(r.status, 204, r.body);
    const got = await s.s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'posted' }));
    assert.equal(await got.Body?.transformToString(), 'posted with sigv2');
    const tooBig = form(fields, { filename: 'f.txt', content: 'x'.repeat(101) });
    const big = await rawHttps(s, 'POST', `/${bucket}`, { 'content-type': tooBig.contentType, 'content-length': String(tooBig.body.length) }, tooBig.body);
    assert.equal(big.status, 400, 'the policy still holds');
  });
});
