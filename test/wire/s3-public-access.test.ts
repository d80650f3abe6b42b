// Unsigned (anonymous) S3 requests and Block Public Access: every bucket is private until its owner turns the
// block off and grants "*" in the bucket policy; even then, only what the policy grants, and never SSE-KMS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeletePublicAccessBlockCommand,
  GetObjectCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { readAuditDir } from '../../src/audit/reader.js';
import { openKeyringForTest } from '../helpers/audit.js';
import { rawHttps } from '../helpers/raw-https.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 anonymous requests and Block Public Access', () => {
  let s: TestServer;
  const bucket = 'public-assets';
  const publicRead = (Bucket: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*`, ...extra }],
    });
  const anon = (method: string, path: string, body?: string) =>
    rawHttps(s, method, path, body ? { 'content-length': String(Buffer.byteLength(body)) } : {}, body);
  const code = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  /** A second account and an S3 client signed by its root. */
  const otherAccount = async (name: string) => {
    const account = await s.kh.identity.createAccount(name);
    const key = await s.kh.identity.createAccessKey(account.accountId, undefined);
    return { accountId: account.accountId, s3: s.s3({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } }) };
  };

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
    await s.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'logo.svg', Body: '<svg/>', ContentType: 'image/svg+xml' }));
    await s.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'secret.txt', Body: 'kms', ServerSideEncryption: 'aws:kms' }));
  });
  after(() => s.stop());

  it("a new bucket has S3's Block Public Access, all four on: BlockPublicPolicy refuses public policies, RestrictPublicBuckets unsigned requests", async () => {
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    assert.deepEqual((await s.s3().send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration, all);
    const refused = await failure(s.s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicRead(bucket) })));
    assert.equal(refused.name, 'AccessDenied');
    assert.match(refused.message, /BlockPublicPolicy/);
    // A policy pinned to a source network is not public, so it is accepted while the block is on.
    const pinned = publicRead(bucket, { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    await s.s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: pinned }));
    assert.equal((await s.s3().send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus?.IsPublic, false);
    // With BlockPublicPolicy off, a public policy is accepted, and RestrictPublicBuckets still refuses unsigned calls.
    await s.s3().send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { ...all, BlockPublicPolicy: false } }));
    await s.s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicRead(bucket) }));
    const denied = await anon('GET', `/${bucket}/logo.svg`);
    assert.equal(denied.status, 403);
    assert.equal(code(denied.body), 'AccessDenied');
    assert.equal((await anon('GET', '/no-such-public-bucket/x')).status, 404, 'a missing bucket is NoSuchBucket to anyone, as on S3');
    assert.equal((await anon('GET', '/')).status, 403, 'ListBuckets needs a signature');
    assert.equal((await anon('PUT', '/anon-new-bucket')).status, 403, 'so does CreateBucket');
  });

  it('a bucket without a configuration (made before decision 89, or with --s3-legacy-defaults) refuses unsigned requests even under a public policy', async () => {
    const legacy = await startTestServer({ config: { s3LegacyDefaults: true } });
    try {
      await legacy.s3().send(new CreateBucketCommand({ Bucket: 'unconfigured' }));
      await legacy.s3().send(new PutObjectCommand({ Bucket: 'unconfigured', Key: 'logo.svg', Body: '<svg/>' }));
      assert.equal(await errorName(legacy.s3().send(new GetPublicAccessBlockCommand({ Bucket: 'unconfigured' }))), 'NoSuchPublicAccessBlockConfiguration');
      await legacy.s3().send(new PutBucketPolicyCommand({ Bucket: 'unconfigured', Policy: publicRead('unconfigured') }));
      const denied = await rawHttps(legacy, 'GET', '/unconfigured/logo.svg', {});
      assert.equal(denied.status, 403);
      assert.equal(code(denied.body), 'AccessDenied');
    } finally {
      await legacy.stop();
    }
  });

  it('with the block off and a public-read policy: unsigned GETs of SSE-S3 objects work, nothing else does', async () => {
    await s.s3().send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    assert.equal(await errorName(s.s3().send(new GetPublicAccessBlockCommand({ Bucket: bucket }))), 'NoSuchPublicAccessBlockConfiguration');
    await s.s3().send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicRead(bucket) }));
    assert.equal((await s.s3().send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus?.IsPublic, true);
    const got = await anon('GET', `/${bucket}/logo.svg`);
    assert.equal(got.status, 200, got.body);
    assert.equal(got.body, '<svg/>');
    assert.equal(got.headers['content-type'], 'image/svg+xml');
    assert.equal((await anon('HEAD', `/${bucket}/logo.svg`)).status, 200);
    const kms = await anon('GET', `/${bucket}/secret.txt`);
    assert.equal(kms.status, 400, 'SSE-KMS objects need a signed request');
    assert.equal(code(kms.body), 'InvalidArgument');
    assert.equal((await anon('GET', `/${bucket}/missing`)).status, 403, 'no s3:ListBucket for "*": a missing key is 403');
    assert.equal((await anon('GET', `/${bucket}`)).status, 403, 'listing is not granted');
    assert.equal((await anon('PUT', `/${bucket}/defaced.txt`, 'x')).status, 403, 'writing is not granted');
    assert.equal((await anon('DELETE', `/${bucket}/logo.svg`)).status, 403);
    assert.equal((await anon('GET', `/${bucket}?policy`)).status, 403);
  });

  it('RestrictPublicBuckets shuts unsigned access again without touching the policy; the audit trail names the anonymous caller', async () => {
    await s.s3().send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true },
      }),
    );
    assert.equal((await anon('GET', `/${bucket}/logo.svg`)).status, 403);
    await s
      .s3()
      .send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicPolicy: false, RestrictPublicBuckets: false } }));
    assert.equal((await anon('GET', `/${bucket}/logo.svg`)).status, 200);
    const root = await openKeyringForTest(s.dataDir);
    const events = [...readAuditDir(root.derive('audit-v1'), `${s.dataDir}/audit`)].flatMap((r) => ('event' in r ? [r.event] : []));
    root.destroy();
    const read = events.find((e) => e.eventName === 'GetObject' && e.userIdentity.type === 'AWSAccount' && !e.errorCode);
    assert.ok(read, 'an anonymous GetObject is recorded');
    assert.equal(read.userIdentity.accountId, 'anonymous');
    assert.equal(read.recipientAccountId, s.kh.accountId, "recorded for the bucket owner's account");
  });

  it('a policy naming an account does not admit anonymous callers; an explicit Deny for "*" shuts them out', async () => {
    const b = 'named-only';
    await s.s3().send(new CreateBucketCommand({ Bucket: b }));
    await s.s3().send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'v' }));
    await s.s3().send(new DeletePublicAccessBlockCommand({ Bucket: b }));
    const account = s.kh.accountId;
    const named = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }],
    };
    await s.s3().send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify(named) }));
    assert.equal((await anon('GET', `/${b}/k`)).status, 403);
    const both = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` },
        { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/k` },
      ],
    };
    await s.s3().send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify(both) }));
    assert.equal((await anon('GET', `/${b}/k`)).status, 403);
  });

  it('an unsigned POST form uploads only to a bucket whose policy lets "*" write, and not with SSE-KMS', async () => {
    const b = 'public-drop';
    await s.s3().send(new CreateBucketCommand({ Bucket: b }));
    const boundary = 'anonform123';
    const form = (fields: Array<[string, string]>, content: string) =>
      Buffer.from(
        `${fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\n${content}\r\n--${boundary}--\r\n`,
      );
    const post = (fields: Array<[string, string]>, content = 'dropped') => {
      const body = form(fields, content);
      return rawHttps(s, 'POST', `/${b}`, { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) }, body);
    };
    assert.equal((await post([['key', 'drop/a.txt']])).status, 403, 'a bucket never opened refuses unsigned forms');
    await s.s3().send(new DeletePublicAccessBlockCommand({ Bucket: b }));
    const drop = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${b}/drop/*` }] };
    await s.s3().send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify(drop) }));
    const ok = await post([['key', 'drop/a.txt']]);
    assert.equal(ok.status, 204, ok.body);
    assert.equal((await post([['key', 'elsewhere.txt']])).status, 403, 'only where the policy grants');
    const kms = await post([
      ['key', 'drop/k.txt'],
      ['x-amz-server-side-encryption', 'aws:kms'],
    ]);
    assert.equal(code(kms.body), 'InvalidArgument');
  });

  it("RestrictPublicBuckets also withholds a public policy's grants from other accounts, named ones included", async () => {
    const b = 'shared-with-partner';
    await s.s3().send(new CreateBucketCommand({ Bucket: b }));
    await s.s3().send(new PutObjectCommand({ Bucket: b, Key: 'report.csv', Body: 'a,b' }));
    const { s3: partnerS3, ...partner } = await otherAccount('partner');
    const read = () => partnerS3.send(new GetObjectCommand({ Bucket: b, Key: 'report.csv' }));
    const grants = (statements: Array<Record<string, unknown>>) =>
      s.s3().send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
    const toPartner = {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${partner.accountId}:root` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${b}/*`,
    };
    const toAll = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/public/*` };
    // BlockPublicPolicy off (a new bucket has it on), RestrictPublicBuckets still on.
    await s.s3().send(
      new PutPublicAccessBlockCommand({
        Bucket: b,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true },
      }),
    );
    await grants([toPartner]);
    assert.equal((await read()).$metadata.httpStatusCode, 200, 'a non-public policy shares with the named account');
    await grants([toPartner, toAll]);
    assert.equal(await errorName(read()), 'AccessDenied', 'a public policy under RestrictPublicBuckets grants other accounts nothing');
    await s
      .s3()
      .send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicPolicy: false, RestrictPublicBuckets: false } }));
    assert.equal((await read()).$metadata.httpStatusCode, 200);
  });

  it("listings name the bucket owner as every object's owner, to another account too, and no DisplayName", async () => {
    const b = 'listed-to-partner';
    const s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'a.txt', Body: 'a' }));
    const ownerId = (await s3.send(new ListBucketsCommand({}))).Owner!.ID!;
    const { s3: partnerS3, ...partner } = await otherAccount('lister');
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: b,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${partner.accountId}:root` },
              Action: ['s3:ListBucket', 's3:ListBucketVersions'],
              Resource: `arn:aws:s3:::${b}`,
            },
          ],
        }),
      }),
    );
    for (const client of [s3, partnerS3]) {
      const v2 = await client.send(new ListObjectsV2Command({ Bucket: b, FetchOwner: true }));
      const v1 = await client.send(new ListObjectsCommand({ Bucket: b }));
      const versions = await client.send(new ListObjectVersionsCommand({ Bucket: b }));
      for (const owner of [v2.Contents?.[0]?.Owner, v1.Contents?.[0]?.Owner, versions.Versions?.[0]?.Owner]) assert.deepEqual(owner, { ID: ownerId });
    }
    assert.equal((await partnerS3.send(new ListBucketsCommand({}))).Owner?.DisplayName, undefined);
    // Initiator keeps its DisplayName (the principal's name), as AWS still answers; Owner has none.
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp' }));
    const parts = await s3.send(new ListPartsCommand({ Bucket: b, Key: 'mp', UploadId }));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
    for (const listed of [parts, uploads.Uploads?.[0]]) {
      assert.deepEqual(listed?.Initiator, { ID: ownerId, DisplayName: ownerId });
      assert.deepEqual(listed?.Owner, { ID: ownerId });
    }
  });

  it('another account creating a name already taken gets BucketAlreadyExists (409), the owner BucketAlreadyOwnedByYou', async () => {
    await s.s3().send(new CreateBucketCommand({ Bucket: 'taken-name' }));
    const { s3: otherS3 } = await otherAccount('latecomer');
    const taken = await otherS3
      .send(new CreateBucketCommand({ Bucket: 'taken-name' }))
      .catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e);
    assert.equal((taken as { name: string }).name, 'BucketAlreadyExists');
    assert.equal((taken as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode, 409);
    assert.equal(
      await errorName(s.s3().send(new CreateBucketCommand({ Bucket: 'taken-name', CreateBucketConfiguration: { Tags: [{ Key: 'a', Value: 'b' }] } }))),
      'BucketAlreadyOwnedByYou',
    );
  });
});
