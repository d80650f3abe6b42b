// Browser-based uploads (POST Object): forms made by the AWS SDK's createPresignedPost and by hand, sent as a
// browser sends them (multipart/form-data), against a running server.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { readAuditDir } from '../../src/audit/reader.js';
import { openKeyringForTest } from '../helpers/audit.js';
import { type RawAnswer, rawHttps } from '../helpers/raw-https.js';
import { type Field, type FilePart, form } from '../helpers/form-data.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 POST Object (browser-based uploads)', () => {
  let s: TestServer;
  const bucket = 'post-bucket';

  const post = (path: string, body: Buffer, contentType: string) =>
    rawHttps(s, 'POST', path, { 'content-type': contentType, 'content-length': String(body.length) }, body);
  const send = (fields: ReadonlyArray<Field>, file?: FilePart, after?: ReadonlyArray<Field>, path = `/${bucket}`) => {
    const f = form(fields, file, after);
    return post(path, f.body, f.contentType);
  };
  /** A form signed by the SDK for `key`, with extra fields and conditions. */
  const presigned = async (key: string, opts: { fields?: Record<string, string>; conditions?: unknown[]; expires?: number; bucketName?: string } = {}) => {
    const p = await createPresignedPost(s.s3(), {
      Bucket: opts.bucketName ?? bucket,
      Key: key,
      Fields: opts.fields ?? {},
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's Conditions type lists only the documented shapes; tests send malformed ones too.
      Conditions: (opts.conditions ?? []) as any,
      Expires: opts.expires ?? 600,
    });
    return { url: new URL(p.url), fields: Object.entries(p.fields) as Field[] };
  };
  const code = (a: RawAnswer) => /<Code>([^<]*)<\/Code>/.exec(a.body)?.[1];
  const message = (a: RawAnswer) => /<Message>([^<]*)<\/Message>/.exec(a.body)?.[1]?.replaceAll('&quot;', '"').replaceAll('&apos;', "'");
  const exists = async (key: string) =>
    (await errorName(
      s
        .s3()
        .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
        .then(() => Promise.reject(Object.assign(new Error(), { name: 'Exists' }))),
    )) === 'Exists';
  const text = async (key: string) =>
    Buffer.from(await (await s.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()).toString('utf8');

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s.stop());

  it('stores a file uploaded with a form from createPresignedPost, encrypted at rest, and answers 204 with its ETag', async () => {
    const p = await presigned('photos/cat.txt', { fields: { 'Content-Type': 'text/plain', 'x-amz-meta-owner': 'alice' } });
    assert.equal(p.url.pathname, `/${bucket}`, 'the SDK addresses the bucket (path style with forcePathStyle)');
    const content = 'meow, by form';
    const a = await send(p.fields, { filename: 'cat.txt', contentType: 'application/octet-stream', content });
    assert.equal(a.status, 204, a.body);
    assert.equal(a.headers.etag, `"${createHash('md5').update(content).digest('hex')}"`);
    assert.equal(a.headers['x-amz-server-side-encryption'], 'AES256');
    assert.match(String(a.headers.location), new RegExp(`/${bucket}/photos/cat\\.txt$`));
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'photos/cat.txt' }));
    assert.equal(head.ContentType, 'text/plain', "the Content-Type field counts, not the file part's own type");
    assert.deepEqual(head.Metadata, { owner: 'alice' });
    assert.equal(head.ServerSideEncryption, 'AES256');
    assert.equal(await text('photos/cat.txt'), content);
  });

  it('streams a multi-megabyte file intact (boundaries split across network chunks)', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const p = await presigned('big.bin');
    const a = await send(p.fields, { filename: 'big.bin', content: data });
    assert.equal(a.status, 204, a.body);
    const got = await s.s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    assert.equal(head.ContentType, 'binary/octet-stream');
  });

  it('fills ${filename} from the attached file; a file sent as a plain field keeps the key as written', async () => {
    const p = await presigned('uploads/${filename}');
    assert.equal((await send(p.fields, { filename: 'report.pdf', content: 'pdf' })).status, 204);
    assert.equal(await text('uploads/report.pdf'), 'pdf');
    const q = await presigned('as-field-${filename}');
    assert.equal((await send(q.fields, { content: 'no filename' })).status, 204);
    assert.equal(await text('as-field-${filename}'), 'no filename');
  });

  it('answers as success_action_status asks: 201 with a PostResponse document, 200 empty', async () => {
    const p = await presigned('status-201', { fields: { success_action_status: '201' } });
    const a = await send(p.fields, { filename: 'x', content: 'created' });
    assert.equal(a.status, 201, a.body);
    assert.match(
      a.body,
      /<PostResponse xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/"><Location>https:\/\/[^<]+\/post-bucket\/status-201<\/Location><Bucket>post-bucket<\/Bucket><Key>status-201<\/Key><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><\/PostResponse>/,
    );
    const b = await presigned('status-200', { fields: { success_action_status: '200' } });
    const r = await send(b.fields, { filename: 'x', content: 'ok' });
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
  });

  it('redirects (303) to success_action_redirect with bucket, key and ETag; an unusable URL is ignored', async () => {
    const p = await presigned('redirected', { fields: { success_action_redirect: 'https://app.example/done?from=upload' } });
    const a = await send(p.fields, { filename: 'x', content: 'r' });
    assert.equal(a.status, 303);
    const to = new URL(String(a.headers.location));
    assert.equal(to.origin + to.pathname, 'https://app.example/done');
    assert.equal(to.searchParams.get('from'), 'upload');
    assert.equal(to.searchParams.get('bucket'), bucket);
    assert.equal(to.searchParams.get('key'), 'redirected');
    assert.equal(to.searchParams.get('etag'), `"${createHash('md5').update('r').digest('hex')}"`);
    const q = await presigned('not-redirected', { fields: { success_action_redirect: '/relative/path' } });
    assert.equal((await send(q.fields, { filename: 'x', content: 'r' })).status, 204);
  });

  it('holds the file to content-length-range: too large or too small is refused with the sizes, nothing stored', async () => {
    const p = await presigned('sized', { conditions: [['content-length-range', 5, 10]] });
    const big = await send(p.fields, { filename: 'x', content: 'a'.repeat(12) });
    assert.equal(big.status, 400);
    assert.equal(code(big), 'EntityTooLarge');
    assert.match(big.body, /<ProposedSize>12<\/ProposedSize>/);
    assert.match(big.body, /<MaxSizeAllowed>10<\/MaxSizeAllowed>/);
    const small = await send(p.fields, { filename: 'x', content: 'a' });
    assert.equal(code(small), 'EntityTooSmall');
    assert.match(small.body, /<MinSizeAllowed>5<\/MinSizeAllowed>/);
    assert.equal(await exists('sized'), false);
    assert.equal((await send(p.fields, { filename: 'x', content: 'a'.repeat(10) })).status, 204);
    const words = await presigned('sized-words', { conditions: [['content-length-range', 'test', '10']] });
    const w = await send(words.fields, { filename: 'x', content: 'abc' });
    assert.equal(w.status, 403);
    assert.equal(message(w), 'Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]');
  });

  it('enforces every policy condition (eq, starts-with, case-insensitive names) and refuses fields the policy does not name', async () => {
    const p = await presigned('cond', {
      fields: { success_action_redirect: 'https://app.example/ok' },
      conditions: [['starts-with', '$success_action_redirect', 'https://app.']],
    });
    const changed = p.fields.map(([k, v]): Field => (k === 'success_action_redirect' ? [k, 'https://evil.example/'] : [k, v]));
    const a = await send(changed, { filename: 'x', content: 'c' });
    assert.equal(a.status, 403);
    assert.equal(code(a), 'AccessDenied');
    assert.equal(message(a), 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$success_action_redirect", "https://app."]');
    const renamedKey = p.fields.map(([k, v]): Field => (k === 'key' ? [k, 'other-key'] : [k, v]));
    assert.equal(
      message(await send(renamedKey, { filename: 'x', content: 'c' })),
      'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "cond"]',
    );
    const extra = await send([...p.fields, ['x-amz-meta-sneaky', 'yes']], { filename: 'x', content: 'c' });
    assert.equal(message(extra), 'Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
    assert.equal(await exists('cond'), false);
    const ignored = await send([...p.fields, ['x-ignore-note', 'fine']], { filename: 'x', content: 'c' });
    assert.equal(ignored.status, 303, 'x-ignore-* fields need no condition');
    const cased = await presigned('cased', { fields: { 'x-amz-meta-TEST-2': 'v' }, conditions: [['eq', '$X-Amz-Meta-Test-2', 'v']] });
    assert.equal((await send(cased.fields, { filename: 'x', content: 'c' })).status, 204);
  });

  it('refuses an expired policy, a tampered one, a wrong signature, an unknown access key and a session token', async () => {
    const expired = await presigned('late', { expires: -10 });
    assert.equal(message(await send(expired.fields, { filename: 'x', content: 'c' })), 'Invalid according to Policy: Policy expired.');
    const p = await presigned('tamper');
    const policy = p.fields.find(([k]) => k === 'Policy')![1];
    const doc = JSON.parse(Buffer.from(policy, 'base64').toString()) as { conditions: unknown[] };
    doc.conditions.push(['starts-with', '$x-amz-meta-extra', '']);
    const tampered = p.fields.map(([k, v]): Field => (k === 'Policy' ? [k, Buffer.from(JSON.stringify(doc)).toString('base64')] : [k, v]));
    const t = await send(tampered, { filename: 'x', content: 'c' });
    assert.equal(t.status, 403);
    assert.equal(code(t), 'SignatureDoesNotMatch');
    // What S3 says it signed, for the form: the policy (AWS's recording, test_post_request_malformed_policy).
    const tamperedPolicy = tampered.find(([k]) => k === 'Policy')![1];
    assert.ok(t.body.includes(`<StringToSign>${tamperedPolicy}</StringToSign>`), t.body);
    assert.match(t.body, new RegExp(`<AWSAccessKeyId>${s.credentials.accessKeyId}</AWSAccessKeyId>`));
    assert.match(t.body, /<SignatureProvided>[0-9a-f]{64}<\/SignatureProvided><StringToSignBytes>[0-9a-f]{2}( [0-9a-f]{2})*<\/StringToSignBytes>/);
    const wrongSig = p.fields.map(([k, v]): Field => (k === 'X-Amz-Signature' ? [k, '0'.repeat(64)] : [k, v]));
    assert.equal(code(await send(wrongSig, { filename: 'x', content: 'c' })), 'SignatureDoesNotMatch');
    const unknown = p.fields.map(([k, v]): Field => (k === 'X-Amz-Credential' ? [k, v.replace(/^[^/]+/, 'AKIAUNKNOWNKEY000000')] : [k, v]));
    const u = await send(unknown, { filename: 'x', content: 'c' });
    assert.equal(u.status, 403);
    assert.equal(code(u), 'InvalidAccessKeyId');
    // Keyhold's keys are all long-term: a session token in the form is refused, as for a signed header (decision 80).
    const withToken = await send([...p.fields, ['x-amz-security-token', 'FwoGZXIvYXdzEXAMPLE']], { filename: 'x', content: 'c' });
    assert.equal(withToken.status, 400);
    assert.equal(code(withToken), 'InvalidToken');
    assert.equal(await exists('tamper'), false);
  });

  it('names a missing signature field; a form without any is anonymous (refused); a Signature Version 2 form must sign its policy', async () => {
    const p = await presigned('missing');
    const noSig = await send(
      p.fields.filter(([k]) => k !== 'X-Amz-Signature'),
      { filename: 'x', content: 'c' },
    );
    assert.equal(noSig.status, 400);
    assert.equal(code(noSig), 'InvalidArgument');
    assert.equal(message(noSig), "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.");
    const anonymous = await send([['key', 'anon']], { filename: 'x', content: 'c' });
    assert.equal(anonymous.status, 403);
    assert.equal(code(anonymous), 'AccessDenied');
    const v2 = await send(
      [
        ['key', 'v2'],
        ['AWSAccessKeyId', s.credentials.accessKeyId],
        ['policy', 'e30='],
        ['signature', 'c2lnbmF0dXJl'],
      ],
      { filename: 'x', content: 'c' },
    );
    assert.equal(v2.status, 403);
    assert.equal(code(v2), 'SignatureDoesNotMatch');
    const v2Missing = await send(
      [
        ['key', 'v2'],
        ['AWSAccessKeyId', s.credentials.accessKeyId],
        ['policy', 'e30='],
      ],
      { filename: 'x', content: 'c' },
    );
    assert.deepEqual([v2Missing.status, code(v2Missing)], [400, 'InvalidArgument']);
    assert.equal(await exists('anon'), false);
    assert.equal(await exists('v2'), false);
  });

  it('refuses what is not a well-formed upload form, and keeps serving the connection', async () => {
    const p = await presigned('form-errors');
    const notForm = await post(`/${bucket}`, Buffer.from('key=x'), 'application/x-www-form-urlencoded');
    assert.equal(notForm.status, 412, notForm.body);
    assert.equal(code(notForm), 'PreconditionFailed');
    assert.match(notForm.body, /<Condition>Bucket POST must be of the enclosure-type multipart\/form-data<\/Condition>/);
    const noFile = await send(p.fields);
    assert.equal(code(noFile), 'InvalidArgument');
    assert.equal(message(noFile), 'POST requires exactly one file upload per request.');
    const whole = form(p.fields, { filename: 'x', content: 'truncated upload' });
    const truncated = await post(`/${bucket}`, whole.body.subarray(0, whole.body.length - 30), whole.contentType);
    assert.equal(truncated.status, 400);
    assert.equal(code(truncated), 'MalformedPOSTRequest');
    const bloated = await send([['x-ignore-padding', 'p'.repeat(21 * 1024)], ...p.fields], { filename: 'x', content: 'c' });
    assert.equal(code(bloated), 'MaxPostPreDataLengthExceeded');
    const noKey = await send(
      p.fields.filter(([k]) => k !== 'key'),
      { filename: 'x', content: 'c' },
    );
    assert.equal(code(noKey), 'InvalidArgument');
    assert.match(String(message(noKey)), /field named 'key'/);
    assert.equal(await exists('form-errors'), false);
    assert.equal(
      (await send(p.fields, { filename: 'x', content: 'after the errors' }, [['ignored-after-file', 'x']])).status,
      204,
      'fields after the file are ignored',
    );
    assert.equal(await text('form-errors'), 'after the errors');
  });

  it('encrypts with SSE-KMS when the form asks, and bucket policies on encryption and s3:authType apply to forms', async () => {
    const kmsKey = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const enc = 'post-encrypted';
    await s.s3().send(new CreateBucketCommand({ Bucket: enc }));
    await s.s3().send(
      new PutBucketPolicyCommand({
        Bucket: enc,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyNotKms',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: `arn:aws:s3:::${enc}/*`,
              Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
            },
            {
              Sid: 'NoFormsUnderLocked',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: `arn:aws:s3:::${enc}/locked/*`,
              Condition: { StringEquals: { 's3:authType': 'POST' } },
            },
          ],
        }),
      }),
    );
    const plain = await presigned('plain', { bucketName: enc });
    const refused = await send(plain.fields, { filename: 'x', content: 'c' }, [], `/${enc}`);
    assert.equal(refused.status, 403, refused.body);
    assert.equal(code(refused), 'AccessDenied');
    const kms = await presigned('kms', {
      bucketName: enc,
      fields: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': kmsKey },
    });
    const ok = await send(kms.fields, { filename: 'x', content: 'secret' }, [], `/${enc}`);
    assert.equal(ok.status, 204, ok.body);
    assert.equal(ok.headers['x-amz-server-side-encryption'], 'aws:kms');
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: enc, Key: 'kms' }));
    assert.equal(head.SSEKMSKeyId, kmsKey);
    const locked = await presigned('locked/a', { bucketName: enc, fields: { 'x-amz-server-side-encryption': 'aws:kms' } });
    assert.equal(code(await send(locked.fields, { filename: 'x', content: 'c' }, [], `/${enc}`)), 'AccessDenied', 's3:authType is POST for forms');
  });

  it('applies bucket default encryption, sets tags from the tagging document, and is audited as PostObject', async () => {
    const kmsKey = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const dflt = 'post-default-kms';
    await s.s3().send(new CreateBucketCommand({ Bucket: dflt }));
    await s.s3().send(
      new PutBucketEncryptionCommand({
        Bucket: dflt,
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey } }] },
      }),
    );
    const tagging = '<Tagging><TagSet><Tag><Key>team</Key><Value>blue green</Value></Tag></TagSet></Tagging>';
    const p = await presigned('tagged', { bucketName: dflt, fields: { tagging } });
    const a = await send(p.fields, { filename: 'x', content: 't' }, [], `/${dflt}`);
    assert.equal(a.status, 204, a.body);
    assert.equal(a.headers['x-amz-server-side-encryption'], 'aws:kms');
    const tags = await s.s3().send(new GetObjectTaggingCommand({ Bucket: dflt, Key: 'tagged' }));
    assert.deepEqual(tags.TagSet, [{ Key: 'team', Value: 'blue green' }]);
    const notXml = await presigned('tagged-bad', { bucketName: dflt, fields: { tagging: 'not-xml' } });
    assert.equal(code(await send(notXml.fields, { filename: 'x', content: 't' }, [], `/${dflt}`)), 'MalformedXML');
    const root = await openKeyringForTest(s.dataDir);
    const events = [...readAuditDir(root.derive('audit-v1'), `${s.dataDir}/audit`)].flatMap((r) => ('event' in r ? [r.event] : []));
    root.destroy();
    const recorded = events.find(
      (e) => e.eventName === 'PostObject' && !e.errorCode && (e.requestParameters as { key?: string } | undefined)?.key === 'tagged',
    );
    assert.ok(recorded, 'a PostObject data event names the key');
    assert.equal(recorded.eventCategory, 'Data');
    assert.equal(recorded.additionalEventData?.SSEApplied, 'Default_SSE_KMS', "the bucket's default SSE-KMS encrypted the upload");
  });

  it('keeps form metadata as given (no RFC 2047 decoding) and sends standard headers back in ISO-8859-1, as AWS does', async () => {
    const fields = {
      'Content-Disposition': 'filename="r\u00e9sum\u00e9\u2014cv.pdf"',
      'Cache-Control': 'no-cache, caf\u00e9',
      'x-amz-meta-b-encoded': '=?UTF-8?B?YWJj?=',
      'x-amz-meta-nonascii': '\u00c4M\u00c4Z\u00d5\u00d1 S3',
    };
    const p = await presigned('unicode-form', { fields });
    const a = await send(p.fields, { filename: 'x', content: 'unicode' });
    assert.equal(a.status, 204, a.body);
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'unicode-form' }));
    // Node reads header bytes as ISO-8859-1: "\u00e9" arrives as the one byte 0xE9; the dash outside it as a space.
    assert.equal(head.ContentDisposition, 'filename="r\u00e9sum\u00e9 cv.pdf"');
    assert.equal(head.CacheControl, 'no-cache, caf\u00e9');
    assert.equal(head.Metadata?.['b-encoded'], '=?UTF-8?B?YWJj?=', 'stored as given, not decoded');
    assert.equal(head.Metadata?.nonascii, '=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=', 'non-ASCII metadata returned RFC 2047-encoded, as AWS recorded');
  });
});
