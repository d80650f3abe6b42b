// S3 lifecycle: configurations through the SDK, and the background sweep run at a later (injected) time:
// expirations in unversioned and versioned buckets, noncurrent versions, lone delete markers, transitions
// between storage classes, incomplete uploads, filters, disabled rules, and Object Lock's versions left alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type LifecycleRule,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  RestoreObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { KvPassThrough } from '../helpers/kv-pass-through.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;

describe('S3 lifecycle', () => {
  let s: TestServer;
  let offset = 0;
  const later = async (days: number) => {
    offset += days * DAY;
    try {
      return await s.s3Service().runLifecycle();
    } finally {
      offset = 0;
    }
  };
  const setRules = (Bucket: string, Rules: LifecycleRule[]) =>
    s.s3().send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));
  const put = async (Bucket: string, Key: string, extra: Record<string, unknown> = {}) =>
    (await s.s3().send(new PutObjectCommand({ Bucket, Key, Body: 'data', ...extra }))).VersionId;
  const exists = async (Bucket: string, Key: string) =>
    (await errorName(
      s
        .s3()
        .send(new HeadObjectCommand({ Bucket, Key }))
        .then(() => Promise.reject(Object.assign(new Error(), { name: 'Exists' }))),
    )) === 'Exists';
  const versions = async (Bucket: string, Prefix: string) => {
    const r = await s.s3().send(new ListObjectVersionsCommand({ Bucket, Prefix }));
    return { versions: (r.Versions ?? []).map((v) => v.VersionId), markers: (r.DeleteMarkers ?? []).map((m) => m.VersionId) };
  };

  /** A new versioned bucket with three versions of one key, oldest first. */
  const threeVersions = async (Bucket: string, Key: string) => {
    await s.s3().send(new CreateBucketCommand({ Bucket }));
    await s.s3().send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    return [await put(Bucket, Key), await put(Bucket, Key), await put(Bucket, Key)];
  };

  // The object records the sweep reads one by one (gets in s3/object), by bucket.
  const reads = new Map<string, number>();
  class ReadCounting extends KvPassThrough {
    override get(namespace: string, key: string) {
      if (namespace === 's3/object') reads.set(key.split('/')[0]!, (reads.get(key.split('/')[0]!) ?? 0) + 1);
      return super.get(namespace, key);
    }
  }

  before(async () => {
    s = await startTestServer({ start: { clock: () => Date.now() + offset, kvStore: (k) => new ReadCounting(k) } });
  });
  after(() => s.stop());

  it('stores, returns and deletes a configuration with transitions; refuses invalid rules and transitions', async () => {
    await s.s3().send(new CreateBucketCommand({ Bucket: 'lc-config' }));
    assert.equal(await errorName(s.s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' }))), 'NoSuchLifecycleConfiguration');
    const rules: LifecycleRule[] = [
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      {
        ID: 'old-versions',
        Status: 'Disabled',
        Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'tier', Value: 'cold' }], ObjectSizeGreaterThan: 1024 } },
        NoncurrentVersionExpiration: { NoncurrentDays: 10, NewerNoncurrentVersions: 2 },
      },
      { ID: 'markers', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { ExpiredObjectDeleteMarker: true } },
      // false reads back as false, not as an empty <Expiration/> (moto's test_lifecycle_with_eodm).
      { ID: 'no-markers', Status: 'Enabled', Filter: { Prefix: 'keep/' }, Expiration: { ExpiredObjectDeleteMarker: false } },
      {
        ID: 'tiers',
        Status: 'Enabled',
        Filter: { Prefix: 'archive/' },
        Expiration: { Days: 365 },
        // Zero days is a valid transition (straight to the class), unlike an expiration.
        Transitions: [
          { Days: 0, StorageClass: 'INTELLIGENT_TIERING' },
          { Days: 90, StorageClass: 'GLACIER' },
        ],
        NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'STANDARD_IA', NewerNoncurrentVersions: 2 }],
      },
      {
        ID: 'on-a-date',
        Status: 'Enabled',
        Filter: { Prefix: 'dated/' },
        Transitions: [{ Date: new Date('2031-01-01T00:00:00Z'), StorageClass: 'DEEP_ARCHIVE' }],
      },
    ];
    await setRules('lc-config', rules);
    const got = await s.s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' }));
    assert.deepEqual(got.Rules, rules);
    assert.equal(got.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
    const refused = async (r: LifecycleRule) => (await failure(setRules('lc-config', [r]))).name;
    // Transitions are checked as S3 checks them ("Constraints and considerations for transitions").
    const transition = (t: NonNullable<LifecycleRule['Transitions']>[number], Expiration: LifecycleRule['Expiration'] = { Days: 400 }) =>
      refused({ ID: 't', Status: 'Enabled', Filter: { Prefix: '' }, Expiration, Transitions: [t] });
    assert.equal(await transition({ Date: new Date('2030-01-01T12:00:00Z'), StorageClass: 'GLACIER' }, undefined), 'InvalidArgument');
    assert.equal(await transition({ Days: 30, StorageClass: 'COLD' as 'GLACIER' }), 'MalformedXML');
    assert.equal(await transition({ StorageClass: 'GLACIER' }), 'MalformedXML');
    assert.equal(await transition({ Days: 29, StorageClass: 'STANDARD_IA' }), 'InvalidArgument', 'thirty days before an IA class');
    assert.equal(await transition({ Days: 400, StorageClass: 'GLACIER' }), 'InvalidArgument', 'the expiration comes after the transitions');
    assert.equal(await transition({ Date: new Date('2030-01-01T00:00:00Z'), StorageClass: 'GLACIER' }), 'InvalidRequest', 'Days and Date mixed');
    assert.equal(
      await refused({
        ID: 'twice',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        Transitions: [
          { Days: 30, StorageClass: 'GLACIER' },
          { Days: 60, StorageClass: 'GLACIER' },
        ],
      }),
      'InvalidArgument',
      'each class once per rule',
    );
    assert.equal(
      await refused({ ID: 'nt', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionTransitions: [{ NoncurrentDays: -1, StorageClass: 'GLACIER' }] }),
      'InvalidArgument',
    );
    assert.equal(
      await refused({
        ID: 'nt',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        NoncurrentVersionTransitions: [{ NoncurrentDays: 10, StorageClass: 'ONEZONE_IA' }],
      }),
      'InvalidArgument',
    );
    assert.equal(await refused({ ID: 'none', Status: 'Enabled', Filter: { Prefix: '' } }), 'InvalidRequest');
    assert.equal(await refused({ ID: 'zero', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 0 } }), 'InvalidArgument');
    assert.equal(
      await refused({ ID: 'noon', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Date: new Date('2030-01-01T12:00:00Z') } }),
      'InvalidArgument',
    );
    assert.equal(await refused({ ID: 'x', Status: 'On' as 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }), 'MalformedXML');
    assert.equal(await refused({ ID: 'nofilter', Status: 'Enabled', Expiration: { Days: 1 } }), 'MalformedXML', 'neither Filter nor Prefix');
    const twice: LifecycleRule = { ID: 'same', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } };
    assert.equal((await failure(setRules('lc-config', [twice, twice]))).name, 'InvalidArgument');
    assert.deepEqual((await s.s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' }))).Rules, rules, 'refusals change nothing');
    assert.equal((await s.s3().send(new DeleteBucketLifecycleCommand({ Bucket: 'lc-config' }))).$metadata.httpStatusCode, 204);
    assert.equal(await errorName(s.s3().send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lc-config' }))), 'NoSuchLifecycleConfiguration');
  });

  it('reads again only the keys whose current version is due, when the rules are about current versions alone', async () => {
    const b = 'lc-reads';
    await s.s3().send(new CreateBucketCommand({ Bucket: b }));
    await setRules(b, [
      { ID: 'old', Status: 'Enabled', Filter: { Prefix: 'old/' }, Expiration: { Days: 1 } },
      // Its own size filter lets a small object move (S3 keeps objects under 128 KiB where they are otherwise).
      { ID: 'cold', Status: 'Enabled', Filter: { And: { Prefix: 'cold/', ObjectSizeGreaterThan: 0 } }, Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] },
    ]);
    for (const k of ['old/a', 'old/b', 'cold/c', 'new/d', 'new/e', 'new/f']) await put(b, k);
    reads.delete(b);
    await later(0.5);
    assert.equal(reads.get(b) ?? 0, 0, 'nothing is due: the listing decides');
    await later(2);
    // The three due keys are read (and written); the three no rule selects are not.
    assert.equal(reads.get(b), 3);
    assert.equal(await exists(b, 'old/a'), false);
    assert.equal((await s.s3().send(new HeadObjectCommand({ Bucket: b, Key: 'cold/c' }))).StorageClass, 'GLACIER');
    for (const k of ['new/d', 'new/e', 'new/f']) assert.equal(await exists(b, k), true, k);
    // A rule about noncurrent versions needs every key read whole.
    await setRules(b, [{ ID: 'nc', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }]);
    reads.delete(b);
    await later(0.5);
    assert.equal(reads.get(b), 4);
    await s.s3().send(new DeleteBucketLifecycleCommand({ Bucket: b }));
  });

  it('expires objects of an unversioned bucket at the midnight after their age, by prefix, tags and size', async () => {
    const b = 'lc-plain';
    await s.s3().send(new CreateBucketCommand({ Bucket: b }));
    await setRules(b, [
      { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 2 } },
      { ID: 'temp-tag', Status: 'Enabled', Filter: { Tag: { Key: 'temp', Value: 'yes' } }, Expiration: { Days: 1 } },
      { ID: 'small', Status: 'Enabled', Filter: { And: { Prefix: 'sized/', ObjectSizeLessThan: 10 } }, Expiration: { Days: 1 } },
      { ID: 'off', Status: 'Disabled', Filter: { Prefix: 'keep/' }, Expiration: { Days: 1 } },
    ]);
    await put(b, 'logs/a');
    await put(b, 'keep/b');
    await put(b, 'tagged', { Tagging: 'temp=yes' });
    await put(b, 'untagged');
    const small = await s.s3().send(new PutObjectCommand({ Bucket: b, Key: 'sized/small', Body: 'data' }));
    const large = await s.s3().send(new PutObjectCommand({ Bucket: b, Key: 'sized/large', Body: 'x'.repeat(100) }));
    const head = await s.s3().send(new HeadObjectCommand({ Bucket: b, Key: 'logs/a' }));
    const due = Math.ceil((head.LastModified!.getTime() + 2 * DAY) / DAY) * DAY;
    assert.equal(head.Expiration, `expiry-date="${new Date(due).toUTCString()}", rule-id="logs"`);
    // A write says it too (S3 API, PutObject: x-amz-expiration), when a rule selects the new object.
    assert.match(small.Expiration ?? '', /^expiry-date="[^"]+ GMT", rule-id="small"$/);
    assert.equal(large.Expiration, undefined, 'no rule selects it');

    assert.equal((await later(0.5)).expired, 0, 'nothing is due yet');
    // A one-day rule is due at the second midnight at the latest; a two-day rule not before two days.
    const r = await later(2);
    assert.equal(r.expired, 2);
    assert.equal(await exists(b, 'tagged'), false);
    assert.equal(await exists(b, 'sized/small'), false);
    assert.equal(await exists(b, 'logs/a'), true, 'two days have not passed midnight-rounded');
    await later(3);
    assert.equal(await exists(b, 'logs/a'), false);
    for (const k of ['keep/b', 'untagged', 'sized/large']) assert.equal(await exists(b, k), true, k);
  });

  it('in a versioned bucket: a delete marker for the current version, noncurrent versions after their days (keeping the newest), then the lone marker', async () => {
    const b = 'lc-versioned';
    const [v1, v2, v3] = await threeVersions(b, 'doc');
    await setRules(b, [
      { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 } },
      { ID: 'markers', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { ExpiredObjectDeleteMarker: true } },
    ]);
    await later(3);
    assert.deepEqual(await versions(b, 'doc'), { versions: [v3, v2], markers: [] }, 'the newest noncurrent version is kept');
    await setRules(b, [
      { ID: 'current', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } },
      { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
    ]);
    const r = await later(3);
    assert.equal(r.markersAdded, 1);
    const after1 = await versions(b, 'doc');
    assert.deepEqual(after1.versions, [v3], 'v2 expired as noncurrent; v3 became noncurrent just now');
    assert.equal(after1.markers.length, 1);
    await later(5);
    assert.deepEqual((await versions(b, 'doc')).versions, []);
    await setRules(b, [{ ID: 'markers', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { ExpiredObjectDeleteMarker: true } }]);
    await later(1);
    assert.deepEqual(await versions(b, 'doc'), { versions: [], markers: [] }, 'the lone delete marker is removed');
    assert.ok(v1);
  });

  it('moves versions down the storage classes when their transitions are due; archived ones are read once restored', async () => {
    const b = 'lc-tiers';
    await s.s3().send(new CreateBucketCommand({ Bucket: b }));
    const big = 'x'.repeat(200 * 1024);
    await put(b, 'big/a', { Body: big });
    await put(b, 'big/deep', { Body: big, StorageClass: 'DEEP_ARCHIVE' });
    await put(b, 'small/b');
    await put(b, 'sized/c');
    await setRules(b, [
      {
        ID: 'archive',
        Status: 'Enabled',
        Filter: { Prefix: 'big/' },
        Transitions: [
          { Days: 30, StorageClass: 'STANDARD_IA' },
          { Days: 60, StorageClass: 'GLACIER' },
        ],
      },
      // Objects under 128 KiB stay (TransitionDefaultMinimumObjectSize), unless the rule's size filter selects them.
      { ID: 'small', Status: 'Enabled', Filter: { Prefix: 'small/' }, Transitions: [{ Days: 0, StorageClass: 'GLACIER' }] },
      {
        ID: 'sized',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'sized/', ObjectSizeGreaterThan: 1 } },
        Transitions: [{ Days: 0, StorageClass: 'GLACIER_IR' }],
      },
    ]);
    const classes = async () => {
      const r = await s.s3().send(new ListObjectsV2Command({ Bucket: b }));
      return Object.fromEntries((r.Contents ?? []).map((o) => [o.Key, o.StorageClass]));
    };
    assert.equal((await later(0.1)).transitioned, 0, 'zero days means the next midnight');
    assert.equal((await later(1)).transitioned, 1);
    assert.deepEqual(await classes(), { 'big/a': 'STANDARD', 'big/deep': 'DEEP_ARCHIVE', 'small/b': 'STANDARD', 'sized/c': 'GLACIER_IR' });
    await later(31);
    assert.equal((await classes())['big/a'], 'STANDARD_IA');
    assert.equal((await s.s3().send(new HeadObjectCommand({ Bucket: b, Key: 'big/a' }))).StorageClass, 'STANDARD_IA');
    assert.equal(await (await s.s3().send(new GetObjectCommand({ Bucket: b, Key: 'big/a' }))).Body?.transformToString(), big);
    // Sixty days on, the deepest due class wins; nothing moves back up the waterfall (big/deep stays).
    assert.equal((await later(61)).transitioned, 1);
    assert.deepEqual([(await classes())['big/a'], (await classes())['big/deep']], ['GLACIER', 'DEEP_ARCHIVE']);
    assert.equal(await errorName(s.s3().send(new GetObjectCommand({ Bucket: b, Key: 'big/a' }))), 'InvalidObjectState', 'archived: restore first');
    await s.s3().send(new RestoreObjectCommand({ Bucket: b, Key: 'big/a', RestoreRequest: { Days: 1 } }));
    assert.equal(await (await s.s3().send(new GetObjectCommand({ Bucket: b, Key: 'big/a' }))).Body?.transformToString(), big);
    assert.equal((await later(90)).transitioned, 0, 'a sweep is idempotent');
    // varies_by_storage_class lets small objects go to GLACIER and DEEP_ARCHIVE.
    await s.s3().send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: b,
        TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
        LifecycleConfiguration: {
          Rules: [{ ID: 'small', Status: 'Enabled', Filter: { Prefix: 'small/' }, Transitions: [{ Days: 0, StorageClass: 'GLACIER' }] }],
        },
      }),
    );
    await later(1);
    assert.equal((await classes())['small/b'], 'GLACIER');
  });

  it('moves noncurrent versions after their noncurrent days, keeping the newest where they are', async () => {
    const b = 'lc-noncurrent-tiers';
    const [v1, v2, v3] = await threeVersions(b, 'doc');
    await setRules(b, [
      {
        ID: 'old',
        Status: 'Enabled',
        Filter: { ObjectSizeGreaterThan: 0 },
        NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'DEEP_ARCHIVE', NewerNoncurrentVersions: 1 }],
      },
    ]);
    assert.equal((await later(3)).transitioned, 1);
    const listed = await s.s3().send(new ListObjectVersionsCommand({ Bucket: b, Prefix: 'doc' }));
    assert.deepEqual(
      (listed.Versions ?? []).map((v) => [v.VersionId, v.StorageClass]),
      [
        [v3, 'STANDARD'],
        [v2, 'STANDARD'],
        [v1, 'DEEP_ARCHIVE'],
      ],
    );
    assert.equal(await errorName(s.s3().send(new GetObjectCommand({ Bucket: b, Key: 'doc', VersionId: v1 }))), 'InvalidObjectState');
  });

  it('never removes a locked version and aborts incomplete uploads after their days', async () => {
    const b = 'lc-locked';
    await s.s3().send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
    const locked = await put(b, 'record', { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(Date.now() + 30 * DAY) });
    await put(b, 'record');
    const up = await s.s3().send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'stalled' }));
    await setRules(b, [
      { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: '' }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
      { ID: 'uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
    ]);
    const r = await later(4);
    assert.equal(r.uploadsAborted, 1);
    assert.equal((await s.s3().send(new ListMultipartUploadsCommand({ Bucket: b }))).Uploads, undefined);
    assert.ok((await versions(b, 'record')).versions.includes(locked), 'the locked noncurrent version stays');
    assert.equal(await errorName(s.s3().send(new DeleteObjectCommand({ Bucket: b, Key: 'record', VersionId: locked }))), 'AccessDenied');
    assert.ok(up.UploadId);
  });

  it('remembers an ended upload for an hour: its abort answers 204 (a retry, a clean-up after complete), then the sweep forgets it', async () => {
    const Bucket = 'lc-ended';
    await s.s3().send(new CreateBucketCommand({ Bucket }));
    const abort = (Key: string, UploadId: string | undefined, client = s.s3()) => client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    const aborted = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key: 'aborted' }));
    assert.equal((await abort('aborted', aborted.UploadId)).$metadata.httpStatusCode, 204);
    assert.equal((await abort('aborted', aborted.UploadId)).$metadata.httpStatusCode, 204, 'a retried abort succeeds');
    assert.equal(await errorName(abort('another-key', aborted.UploadId)), 'NoSuchUpload', 'only under its own key');
    assert.equal(
      await errorName(s.s3().send(new UploadPartCommand({ Bucket, Key: 'aborted', UploadId: aborted.UploadId, PartNumber: 1, Body: 'x' }))),
      'NoSuchUpload',
      'an ended upload takes no parts',
    );
    const made = await s.s3().send(new CreateMultipartUploadCommand({ Bucket, Key: 'made' }));
    const part = await s.s3().send(new UploadPartCommand({ Bucket, Key: 'made', UploadId: made.UploadId, PartNumber: 1, Body: 'only part' }));
    const Parts = [{ PartNumber: 1, ETag: part.ETag }];
    await s.s3().send(new CompleteMultipartUploadCommand({ Bucket, Key: 'made', UploadId: made.UploadId, MultipartUpload: { Parts } }));
    await s.s3().send(new DeleteObjectCommand({ Bucket, Key: 'made' }));
    // boto3's AWS-run integration test (test_s3_multipart): complete, delete the object, then abort as clean-up.
    assert.equal((await abort('made', made.UploadId)).$metadata.httpStatusCode, 204);
    assert.equal((await s.s3().send(new ListMultipartUploadsCommand({ Bucket }))).Uploads, undefined, 'ended uploads are not listed');
    // Two hours on, the sweep has forgotten both, and their aborts are NoSuchUpload again.
    const r = await later(2 / 24);
    assert.ok(r.endedUploadsForgotten >= 2, `forgot ${r.endedUploadsForgotten}`);
    offset = 2 * 3_600_000;
    try {
      const laterClient = s.s3({ clockOffset: offset });
      assert.equal(await errorName(abort('aborted', aborted.UploadId, laterClient)), 'NoSuchUpload');
      assert.equal(await errorName(abort('made', made.UploadId, laterClient)), 'NoSuchUpload');
    } finally {
      offset = 0;
    }
  });
});
