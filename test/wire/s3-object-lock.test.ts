// S3 Object Lock through the SDK: a locked version cannot be deleted or have its retention cut short, except
// governance mode by a caller allowed to bypass it; compliance mode and legal holds by no one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { userWithPolicy } from '../helpers/iam-user.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 Object Lock', () => {
  let s: TestServer;
  const bucket = 'worm-bucket';
  const inDays = (d: number) => new Date(Math.floor((Date.now() + d * 86_400_000) / 1000) * 1000);
  const put = async (Key: string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
    (await s.s3().send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'record', ...extra }))).VersionId!;
  const del = (Key: string, VersionId: string, bypass = false, client = s.s3()) =>
    client.send(new DeleteObjectCommand({ Bucket: bucket, Key, VersionId, ...(bypass ? { BypassGovernanceRetention: true } : {}) }));

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  });
  after(() => s.stop());

  it('is enabled at creation (versioning on for good) or on a versioned bucket; configurations are validated', async () => {
    assert.equal((await s.s3().send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status, 'Enabled');
    assert.deepEqual((await s.s3().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });
    const suspend = await failure(s.s3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } })));
    assert.deepEqual([suspend.name, suspend.status], ['InvalidBucketState', 409]);

    await s.s3().send(new CreateBucketCommand({ Bucket: 'worm-later' }));
    assert.equal(await errorName(s.s3().send(new GetObjectLockConfigurationCommand({ Bucket: 'worm-later' }))), 'ObjectLockConfigurationNotFoundError');
    const conf = { ObjectLockEnabled: 'Enabled' as const, Rule: { DefaultRetention: { Mode: 'GOVERNANCE' as const, Days: 1 } } };
    const unversioned = await failure(s.s3().send(new PutObjectLockConfigurationCommand({ Bucket: 'worm-later', ObjectLockConfiguration: conf })));
    assert.deepEqual([unversioned.name, unversioned.status], ['InvalidBucketState', 409]);
    await s.s3().send(new PutBucketVersioningCommand({ Bucket: 'worm-later', VersioningConfiguration: { Status: 'Enabled' } }));
    await s.s3().send(new PutObjectLockConfigurationCommand({ Bucket: 'worm-later', ObjectLockConfiguration: conf }));
    assert.deepEqual((await s.s3().send(new GetObjectLockConfigurationCommand({ Bucket: 'worm-later' }))).ObjectLockConfiguration, conf);

    const bad = (DefaultRetention: Record<string, unknown>, ObjectLockEnabled = 'Enabled') =>
      errorName(
        s.s3().send(
          new PutObjectLockConfigurationCommand({
            Bucket: 'worm-later',
            ObjectLockConfiguration: { ObjectLockEnabled, Rule: { DefaultRetention } } as never,
          }),
        ),
      );
    assert.equal(await bad({ Mode: 'GOVERNANCE', Days: 1, Years: 1 }), 'MalformedXML');
    assert.equal(await bad({ Mode: 'GOVERNANCE', Days: 0 }), 'InvalidRetentionPeriod');
    assert.equal(await bad({ Mode: 'GOVERNANCE', Years: -1 }), 'InvalidRetentionPeriod');
    assert.equal(await bad({ Mode: 'governance', Days: 1 }), 'MalformedXML');
    assert.equal(await bad({ Mode: 'GOVERNANCE', Days: 1 }, 'Disabled'), 'MalformedXML');
    // No document is its own error; an empty one is MalformedXML (moto's AWS-verified test_put_object_lock_misconfiguration).
    const noBody = await failure(s.s3().send(new PutObjectLockConfigurationCommand({ Bucket: 'worm-later' })));
    assert.deepEqual([noBody.name, noBody.message], ['MissingRequestBodyError', 'Request Body is empty']);
    assert.equal(await errorName(s.s3().send(new PutObjectLockConfigurationCommand({ Bucket: 'worm-later', ObjectLockConfiguration: {} }))), 'MalformedXML');
    const emptyRule = { ObjectLockEnabled: 'Enabled' as const, Rule: {} };
    assert.equal(
      await errorName(s.s3().send(new PutObjectLockConfigurationCommand({ Bucket: 'worm-later', ObjectLockConfiguration: emptyRule }))),
      'MalformedXML',
    );
    assert.deepEqual(
      (await s.s3().send(new GetObjectLockConfigurationCommand({ Bucket: 'worm-later' }))).ObjectLockConfiguration,
      conf,
      'refusals change nothing',
    );
  });

  it('keeps a governance-mode version until the retention ends, unless bypassed by a caller allowed to', async () => {
    const until = inDays(30);
    const v = await put('gov', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until });
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'gov' }));
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    assert.equal(head.ObjectLockRetainUntilDate?.getTime(), until.getTime());
    const refused = await failure(del('gov', v));
    assert.deepEqual([refused.name, refused.status], ['AccessDenied', 403]);
    // Without a version id, a delete marker is added: nothing is destroyed.
    const marker = await s.s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gov' }));
    assert.equal(marker.DeleteMarker, true);
    await del('gov', marker.VersionId!);

    const operator = s.s3({ credentials: await userWithPolicy(s, 'worm-operator', [{ Effect: 'Allow', Action: ['s3:DeleteObjectVersion'], Resource: '*' }]) });
    assert.equal(await errorName(del('gov', v, true, operator)), 'AccessDenied', 'bypassing needs s3:BypassGovernanceRetention');
    await del('gov', v, true);
    assert.equal(await errorName(s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'gov', VersionId: v }))), 'NotFound');
  });

  it('lets a retention be lengthened, never shortened or changed without the bypass; compliance not even with it', async () => {
    const v = await put('ret');
    assert.equal(await errorName(s.s3().send(new GetObjectRetentionCommand({ Bucket: bucket, Key: 'ret' }))), 'NoSuchObjectLockConfiguration');
    const set = (Mode: 'GOVERNANCE' | 'COMPLIANCE', RetainUntilDate: Date, bypass = false) =>
      s.s3().send(
        new PutObjectRetentionCommand({
          Bucket: bucket,
          Key: 'ret',
          VersionId: v,
          Retention: { Mode, RetainUntilDate },
          ...(bypass ? { BypassGovernanceRetention: true } : {}),
        }),
      );
    await set('GOVERNANCE', inDays(10));
    await set('GOVERNANCE', inDays(20));
    assert.equal(await errorName(set('GOVERNANCE', inDays(5))), 'AccessDenied');
    assert.equal(await errorName(set('COMPLIANCE', inDays(20))), 'AccessDenied', 'changing the mode needs the bypass');
    // One date for the request and the check: computed twice, the two could fall either side of a second.
    const fiveDays = inDays(5);
    await set('GOVERNANCE', fiveDays, true);
    const got = await s.s3().send(new GetObjectRetentionCommand({ Bucket: bucket, Key: 'ret', VersionId: v }));
    assert.deepEqual(got.Retention, { Mode: 'GOVERNANCE', RetainUntilDate: fiveDays });
    await set('COMPLIANCE', inDays(6), true);
    assert.equal(await errorName(set('COMPLIANCE', inDays(1), true)), 'AccessDenied');
    assert.equal(await errorName(set('GOVERNANCE', inDays(9), true)), 'AccessDenied');
    assert.equal(await errorName(del('ret', v, true)), 'AccessDenied', 'compliance mode cannot be bypassed');
    await set('COMPLIANCE', inDays(7));
    assert.equal(await errorName(set('COMPLIANCE', new Date(Date.now() - 1000))), 'InvalidArgument');

    await s.s3().send(new CreateBucketCommand({ Bucket: 'worm-none' }));
    await s.s3().send(new PutObjectCommand({ Bucket: 'worm-none', Key: 'k', Body: 'x' }));
    const none = await failure(
      s.s3().send(new PutObjectRetentionCommand({ Bucket: 'worm-none', Key: 'k', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: inDays(1) } })),
    );
    assert.deepEqual([none.name, none.message], ['InvalidRequest', 'Bucket is missing Object Lock Configuration']);
    assert.equal(
      await errorName(s.s3().send(new PutObjectCommand({ Bucket: 'worm-none', Key: 'k2', Body: 'x', ObjectLockLegalHoldStatus: 'ON' }))),
      'InvalidRequest',
    );
    // Malformed lock headers are InvalidArgument before the bucket's missing configuration is looked at (S3's
    // answers as versitygw issues 1733, 1734 and 2028 report them).
    const badHeaders: Array<[Partial<ConstructorParameters<typeof PutObjectCommand>[0]>, string]> = [
      [{ ObjectLockLegalHoldStatus: 'test' as never }, "Legal Hold must be either of 'ON' or 'OFF'"],
      [{ ObjectLockMode: 'GOVERNANCE' }, 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied'],
      [{ ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(Date.now() - 86_400_000) }, 'The retain until date must be in the future!'],
    ];
    for (const [headers, message] of badHeaders) {
      const bad = await failure(s.s3().send(new PutObjectCommand({ Bucket: 'worm-none', Key: 'k3', Body: 'x', ...headers })));
      assert.deepEqual([bad.name, bad.message], ['InvalidArgument', message]);
    }
  });

  it('removes a governance retention only with the bypass: an empty Retention, or an empty Mode as the Go SDK v1 sends it', async () => {
    for (const [i, Retention] of [{}, { Mode: '' }].entries()) {
      const Key = `unretained-${i}`;
      const v = await put(Key, { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(3) });
      const remove = (bypass: boolean) =>
        s.s3().send(
          new PutObjectRetentionCommand({
            Bucket: bucket,
            Key,
            VersionId: v,
            Retention: Retention as never,
            ...(bypass ? { BypassGovernanceRetention: true } : {}),
          }),
        );
      assert.equal(await errorName(remove(false)), 'AccessDenied', JSON.stringify(Retention));
      await remove(true);
      assert.equal(await errorName(s.s3().send(new GetObjectRetentionCommand({ Bucket: bucket, Key, VersionId: v }))), 'NoSuchObjectLockConfiguration');
      await del(Key, v);
    }
  });

  it('keeps a version under legal hold whatever its retention, until the hold is off', async () => {
    const v = await put('held', { ObjectLockLegalHoldStatus: 'ON' });
    assert.equal((await s.s3().send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'held' }))).LegalHold?.Status, 'ON');
    assert.equal(await errorName(del('held', v, true)), 'AccessDenied');
    assert.equal(
      await errorName(s.s3().send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'held', LegalHold: { Status: 'MAYBE' as 'ON' } }))),
      'MalformedXML',
    );
    await s.s3().send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'held', VersionId: v, LegalHold: { Status: 'OFF' } }));
    assert.equal((await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'held' }))).ObjectLockLegalHoldStatus, 'OFF');
    await del('held', v);
  });

  it('applies the default retention to new versions (multipart too), which then need an integrity check', async () => {
    const b = 'worm-default';
    await s.s3().send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
    await s.s3().send(
      new PutObjectLockConfigurationCommand({
        Bucket: b,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2 } } },
      }),
    );
    await s.s3().send(new PutObjectCommand({ Bucket: b, Key: 'auto', Body: 'x' }));
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: b, Key: 'auto' }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
    assert.ok(Math.abs(head.ObjectLockRetainUntilDate!.getTime() - (Date.now() + 2 * 86_400_000)) < 60_000);
    const bare = s.s3({ checksums: 'WHEN_REQUIRED' });
    const unchecked = await failure(bare.send(new PutObjectCommand({ Bucket: b, Key: 'unchecked', Body: 'x' })));
    assert.equal(unchecked.name, 'InvalidRequest', 'a locked upload without Content-MD5 or a checksum is refused');
    await bare.send(new PutObjectCommand({ Bucket: b, Key: 'md5', Body: 'x', ContentMD5: 'ndTkYSaMgDT1yFZOFVxnpg==' }));

    const up = await s
      .s3()
      .send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(3) }));
    const part = await s.s3().send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: 'part' }));
    const done = await s.s3().send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: up.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    assert.equal((await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp' }))).ObjectLockMode, 'GOVERNANCE');
    assert.equal(await errorName(del('mp', done.VersionId!)), 'AccessDenied');
    await del('mp', done.VersionId!, true);
  });

  it('shows lock headers only to callers allowed to read them; a bucket policy can cap the retention asked', async () => {
    const v = await put('visible', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(2), ObjectLockLegalHoldStatus: 'ON' });
    const reader = s.s3({
      credentials: await userWithPolicy(s, 'plain-reader', [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectLegalHold'], Resource: '*' }]),
    });
    const seen = await reader.send(new HeadObjectCommand({ Bucket: bucket, Key: 'visible' }));
    assert.equal(seen.ObjectLockMode, undefined, 'no s3:GetObjectRetention: no retention headers');
    assert.equal(seen.ObjectLockLegalHoldStatus, 'ON');
    const owner = await s.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'visible' }));
    assert.equal(owner.ObjectLockMode, 'GOVERNANCE');

    await s.s3().send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObjectRetention',
              Resource: `arn:aws:s3:::${bucket}/*`,
              Condition: { NumericGreaterThan: { 's3:object-lock-remaining-retention-days': '30' } },
            },
          ],
        }),
      }),
    );
    const retain = (days: number) =>
      s
        .s3()
        .send(
          new PutObjectRetentionCommand({ Bucket: bucket, Key: 'visible', VersionId: v, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: inDays(days) } }),
        );
    assert.equal(await errorName(retain(60)), 'AccessDenied');
    await retain(10);
    await s.s3().send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    await s.s3().send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'visible', VersionId: v, LegalHold: { Status: 'OFF' } }));
    await del('visible', v, true);
  });

  it('DeleteObjects refuses locked versions one by one and deletes the rest', async () => {
    const locked = await put('multi-locked', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: inDays(1) });
    const free = await put('multi-free');
    const r = await s.s3().send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: [
            { Key: 'multi-locked', VersionId: locked },
            { Key: 'multi-free', VersionId: free },
          ],
        },
      }),
    );
    assert.deepEqual(
      r.Deleted?.map((d) => d.Key),
      ['multi-free'],
    );
    assert.deepEqual(
      r.Errors?.map((e) => [e.Key, e.VersionId, e.Code]),
      [['multi-locked', locked, 'AccessDenied']],
    );
    const bypassed = await s
      .s3()
      .send(new DeleteObjectsCommand({ Bucket: bucket, BypassGovernanceRetention: true, Delete: { Objects: [{ Key: 'multi-locked', VersionId: locked }] } }));
    assert.equal(bypassed.Deleted?.length, 1);
    assert.equal(bypassed.Errors, undefined);
  });
});
