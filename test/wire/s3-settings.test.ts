// Bucket and object settings Keyhold answers without implementing them: ACLs disabled as on every S3 bucket
// since April 2023 (reads show the owner's FULL_CONTROL, only owner-only ACLs can be set), and the bucket
// settings a bucket has none of (the "not configured" answer of each Get, a no-op Delete; Put stays
// NotImplemented). Clients that read every setting of a bucket (Terraform, s3cmd info) rely on these.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  DeleteBucketInventoryConfigurationCommand,
  GetBucketMetricsConfigurationCommand,
  ListBucketAnalyticsConfigurationsCommand,
  ListBucketIntelligentTieringConfigurationsCommand,
  ListBucketInventoryConfigurationsCommand,
  ListBucketMetricsConfigurationsCommand,
  DeleteBucketLifecycleCommand,
  DeleteBucketReplicationCommand,
  DeleteBucketWebsiteCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAccelerateConfigurationCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand,
  DeleteBucketOwnershipControlsCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketReplicationCommand,
  GetBucketRequestPaymentCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketAclCommand,
  PutBucketWebsiteCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';
import { randomVersionId } from '../../src/services/s3/api/object-common.js';

describe('S3 ACLs and unconfigured bucket settings (wire)', () => {
  let s: TestServer;
  let s3: S3Client;
  let owner: string;
  const Bucket = 'settings-bucket';
  before(async () => {
    s = await startTestServer();
    s3 = s.s3();
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' }));
    owner = (await s3.send(new GetBucketAclCommand({ Bucket }))).Owner?.ID ?? '';
  });
  after(() => s.stop());

  it('reads a bucket or object ACL as the owner FULL_CONTROL, of an existing object only', async () => {
    assert.match(owner, /^\d{12}$/);
    for (const acl of [await s3.send(new GetBucketAclCommand({ Bucket })), await s3.send(new GetObjectAclCommand({ Bucket, Key: 'k' }))]) {
      assert.equal(acl.Owner?.ID, owner);
      assert.deepEqual(
        acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission]),
        [['CanonicalUser', owner, 'FULL_CONTROL']],
      );
    }
    assert.equal(await errorName(s3.send(new GetObjectAclCommand({ Bucket, Key: 'missing' }))), 'NoSuchKey');
    assert.equal(await errorName(s3.send(new GetBucketAclCommand({ Bucket: 'no-such-bucket-here' }))), 'NoSuchBucket');
  });

  it('versioned objects: the ACL of a version, NoSuchVersion for an unknown one', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'settings-versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'settings-versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'settings-versioned', Key: 'k', Body: 'v' }));
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: 'settings-versioned', Key: 'k', VersionId: put.VersionId }));
    assert.equal(acl.Grants?.[0]?.Permission, 'FULL_CONTROL');
    assert.equal(await errorName(s3.send(new GetObjectAclCommand({ Bucket: 'settings-versioned', Key: 'k', VersionId: randomVersionId() }))), 'NoSuchVersion');
    assert.equal(await errorName(s3.send(new GetObjectAclCommand({ Bucket: 'settings-versioned', Key: 'k', VersionId: 'A'.repeat(32) }))), 'InvalidArgument');
    assert.equal(await errorName(s3.send(new GetObjectAclCommand({ Bucket: 'settings-versioned', Key: 'k', VersionId: 'nope' }))), 'InvalidArgument');
  });

  it('sets only owner-only ACLs; any other grant is AccessControlListNotSupported', async () => {
    await s3.send(new PutBucketAclCommand({ Bucket, ACL: 'private' }));
    await s3.send(new PutObjectAclCommand({ Bucket, Key: 'k', ACL: 'bucket-owner-full-control' }));
    await s3.send(new PutBucketAclCommand({ Bucket, GrantFullControl: `id="${owner}"` }));
    const ownerOnly = {
      Owner: { ID: owner },
      Grants: [{ Grantee: { Type: 'CanonicalUser' as const, ID: owner }, Permission: 'FULL_CONTROL' as const }],
    };
    await s3.send(new PutBucketAclCommand({ Bucket, AccessControlPolicy: ownerOnly }));
    await s3.send(new PutObjectAclCommand({ Bucket, Key: 'k', AccessControlPolicy: ownerOnly }));
    const refused = [
      new PutBucketAclCommand({ Bucket, ACL: 'public-read' }),
      new PutObjectAclCommand({ Bucket, Key: 'k', ACL: 'public-read-write' }),
      new PutBucketAclCommand({ Bucket, GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }),
      new PutBucketAclCommand({ Bucket, GrantFullControl: 'id="999999999999"' }),
      new PutObjectAclCommand({
        Bucket,
        Key: 'k',
        AccessControlPolicy: {
          Owner: { ID: owner },
          Grants: [...ownerOnly.Grants, { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }],
        },
      }),
    ];
    for (const cmd of refused) assert.equal(await errorName(s3.send(cmd as never)), 'AccessControlListNotSupported');
    assert.equal(await errorName(s3.send(new PutObjectAclCommand({ Bucket, Key: 'missing', ACL: 'private' }))), 'NoSuchKey');
    // Still readable, and still owner-only.
    assert.equal((await s3.send(new GetBucketAclCommand({ Bucket }))).Grants?.length, 1);
  });

  it('writes with an ACL beyond the owner are AccessControlListNotSupported and store nothing; owner-only ACLs are accepted', async () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html: "In your PUT
    // operations, you must either specify bucket owner full control ACLs or not specify an ACL."
    await s3.send(new PutObjectCommand({ Bucket, Key: 'acl-private', Body: 'v', ACL: 'private' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'acl-bofc', Body: 'v', ACL: 'bucket-owner-full-control' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: 'acl-owner-grant', Body: 'v', GrantFullControl: `id="${owner}"` }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: 'acl-copy-ok', CopySource: `${Bucket}/k`, ACL: 'bucket-owner-full-control' }));
    const refused = [
      new PutObjectCommand({ Bucket, Key: 'acl-refused', Body: 'v', ACL: 'public-read' }),
      new PutObjectCommand({ Bucket, Key: 'acl-refused', Body: 'v', GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }),
      new PutObjectCommand({ Bucket, Key: 'acl-refused', Body: 'v', GrantFullControl: 'id="999999999999"' }),
      new CopyObjectCommand({ Bucket, Key: 'acl-refused', CopySource: `${Bucket}/k`, ACL: 'authenticated-read' }),
      new CreateMultipartUploadCommand({ Bucket, Key: 'acl-refused', ACL: 'public-read-write' }),
    ];
    for (const cmd of refused) assert.equal(await errorName(s3.send(cmd as never)), 'AccessControlListNotSupported');
    assert.equal(await errorName(s3.send(new HeadObjectCommand({ Bucket, Key: 'acl-refused' }))), 'NotFound');
  });

  it('CreateBucket: a private ACL is accepted, any other ACL refused, another ownership mode is NotImplemented', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'acl-private-ok', ACL: 'private' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'owner-enforced-ok', ObjectOwnership: 'BucketOwnerEnforced' }));
    assert.equal(await errorName(s3.send(new CreateBucketCommand({ Bucket: 'acl-public', ACL: 'public-read' }))), 'InvalidBucketAclWithObjectOwnership');
    assert.equal(
      await errorName(s3.send(new CreateBucketCommand({ Bucket: 'acl-grant', GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }))),
      'InvalidBucketAclWithObjectOwnership',
    );
    assert.equal(await errorName(s3.send(new CreateBucketCommand({ Bucket: 'owner-writer', ObjectOwnership: 'ObjectWriter' }))), 'NotImplemented');
    for (const Bucket of ['acl-public', 'acl-grant', 'owner-writer'])
      assert.equal(await errorName(s3.send(new HeadBucketCommand({ Bucket }))), 'NotFound', `${Bucket} not created`);
    assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'owner-enforced-ok' }))).OwnershipControls?.Rules, [
      { ObjectOwnership: 'BucketOwnerEnforced' },
    ]);
    // PutBucketOwnershipControls: the setting every bucket has is accepted (Terraform sets it); another is not.
    const enforced = { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' as const }] };
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'owner-enforced-ok', OwnershipControls: enforced }));
    const writer = { Rules: [{ ObjectOwnership: 'ObjectWriter' as const }] };
    assert.equal(await errorName(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'owner-enforced-ok', OwnershipControls: writer }))), 'NotImplemented');
    // DeleteBucketOwnershipControls removes the setting (Terraform's destroy waits for Get to say so); ACLs
    // stay disabled, and putting the setting back restores it.
    const deleted = await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'owner-enforced-ok' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    assert.equal(await errorName(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'owner-enforced-ok' }))), 'OwnershipControlsNotFoundError');
    assert.equal(
      await errorName(s3.send(new PutObjectCommand({ Bucket: 'owner-enforced-ok', Key: 'public', Body: 'x', ACL: 'public-read' }))),
      'AccessControlListNotSupported',
    );
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'owner-enforced-ok', OwnershipControls: enforced }));
    assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'owner-enforced-ok' }))).OwnershipControls?.Rules, enforced.Rules);
  });

  it('answers the settings a bucket has none of as S3 does', async () => {
    assert.equal((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules?.[0]?.ObjectOwnership, 'BucketOwnerEnforced');
    const missing: Array<[unknown, string]> = [
      [new GetBucketCorsCommand({ Bucket }), 'NoSuchCORSConfiguration'],
      [new GetBucketLifecycleConfigurationCommand({ Bucket }), 'NoSuchLifecycleConfiguration'],
      [new GetBucketWebsiteCommand({ Bucket }), 'NoSuchWebsiteConfiguration'],
      [new GetObjectLockConfigurationCommand({ Bucket }), 'ObjectLockConfigurationNotFoundError'],
      [new GetBucketReplicationCommand({ Bucket }), 'ReplicationConfigurationNotFoundError'],
    ];
    for (const [cmd, code] of missing) assert.equal(await errorName(s3.send(cmd as never)), code);
    // Block Public Access is a setting every new bucket has (all four on, as S3 makes buckets since 2023); once
    // deleted it is one the bucket has none of.
    const all = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration, all);
    assert.equal((await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled, undefined);
    const notif = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
    assert.equal(notif.TopicConfigurations, undefined);
    assert.equal(notif.$metadata.httpStatusCode, 200);
    assert.equal((await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket }))).Status, undefined);
    assert.equal((await s3.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer, 'BucketOwner');
    for (const cmd of [
      new DeleteBucketCorsCommand({ Bucket }),
      new DeleteBucketLifecycleCommand({ Bucket }),
      new DeleteBucketWebsiteCommand({ Bucket }),
      new DeletePublicAccessBlockCommand({ Bucket }),
      new DeleteBucketReplicationCommand({ Bucket }),
    ]) {
      assert.equal((await s3.send(cmd as never as DeleteBucketCorsCommand)).$metadata.httpStatusCode, 204);
    }
    assert.equal(await errorName(s3.send(new GetPublicAccessBlockCommand({ Bucket }))), 'NoSuchPublicAccessBlockConfiguration');
    // Named configuration sets: none listed, a named one does not exist (to read or to delete).
    assert.deepEqual((await s3.send(new ListBucketAnalyticsConfigurationsCommand({ Bucket }))).AnalyticsConfigurationList, undefined);
    assert.equal((await s3.send(new ListBucketMetricsConfigurationsCommand({ Bucket }))).IsTruncated, false);
    assert.equal((await s3.send(new ListBucketInventoryConfigurationsCommand({ Bucket }))).$metadata.httpStatusCode, 200);
    assert.equal((await s3.send(new ListBucketIntelligentTieringConfigurationsCommand({ Bucket }))).$metadata.httpStatusCode, 200);
    assert.equal(await errorName(s3.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: 'all' }))), 'NoSuchConfiguration');
    assert.equal(await errorName(s3.send(new DeleteBucketInventoryConfigurationCommand({ Bucket, Id: 'weekly' }))), 'NoSuchConfiguration');
    // Setting one is not implemented, and says so (CORS, lifecycle and Object Lock are: their own tests).
    const website = new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } });
    assert.equal(await errorName(s3.send(website)), 'NotImplemented');
    assert.equal(await errorName(s3.send(new GetBucketCorsCommand({ Bucket: 'no-such-bucket-here' }))), 'NoSuchBucket');
  });

  it('authorizes each with its own S3 action (a bucket policy can deny it)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'settings-denied' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:GetBucketAcl', 's3:GetBucketCORS', 's3:PutBucketCORS'],
          Resource: 'arn:aws:s3:::settings-denied',
        },
      ],
    };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'settings-denied', Policy: JSON.stringify(policy) }));
    assert.equal(await errorName(s3.send(new GetBucketAclCommand({ Bucket: 'settings-denied' }))), 'AccessDenied');
    assert.equal(await errorName(s3.send(new GetBucketCorsCommand({ Bucket: 'settings-denied' }))), 'AccessDenied');
    assert.equal(await errorName(s3.send(new DeleteBucketCorsCommand({ Bucket: 'settings-denied' }))), 'AccessDenied');
    assert.equal(await errorName(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'settings-denied' }))), 'NoSuchLifecycleConfiguration');
  });
});
