// KMS aliases and tags through @aws-sdk/client-kms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  type KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('KMS aliases and tags (wire)', () => {
  let s: TestServer;
  let kms: KMSClient;
  const newKey = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  before(async () => {
    s = await startTestServer();
    kms = s.kms();
  });
  after(() => s.stop());

  it('CreateAlias / UpdateAlias / DeleteAlias / ListAliases', async () => {
    const a = await newKey();
    const b = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }));
    assert.equal(await errorName(kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b.KeyId }))), 'AlreadyExistsException');
    let list = await kms.send(new ListAliasesCommand({}));
    const entry = list.Aliases?.find((x) => x.AliasName === 'alias/app');
    assert.equal(entry?.TargetKeyId, a.KeyId);
    assert.equal(entry?.AliasArn, `arn:aws:kms:us-east-1:${s.kh.accountId}:alias/app`);
    assert.ok(entry?.CreationDate instanceof Date);
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b.Arn }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata?.KeyId, b.KeyId);
    list = await kms.send(new ListAliasesCommand({ KeyId: a.KeyId }));
    assert.equal(list.Aliases?.length, 0);
    list = await kms.send(new ListAliasesCommand({ KeyId: b.KeyId }));
    assert.deepEqual(
      list.Aliases?.map((x) => x.AliasName),
      ['alias/app'],
    );
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/app' }));
    assert.equal(await errorName(kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))), 'NotFoundException');
    assert.equal(await errorName(kms.send(new DeleteAliasCommand({ AliasName: 'alias/app' }))), 'NotFoundException');
    assert.equal(await errorName(kms.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }))), 'NotFoundException');
  });

  it('refuses reserved, malformed and alias-to-alias names', async () => {
    const a = await newKey();
    assert.equal(await errorName(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: a.KeyId }))), 'InvalidAliasNameException');
    assert.equal(await errorName(kms.send(new CreateAliasCommand({ AliasName: 'noprefix', TargetKeyId: a.KeyId }))), 'ValidationException');
    assert.equal(await errorName(kms.send(new CreateAliasCommand({ AliasName: 'alias/bad name', TargetKeyId: a.KeyId }))), 'ValidationException');
    // ':' passes the API's pattern but not the alias-name rules (letters, digits, '/', '_', '-').
    const colon = await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/my:alias', TargetKeyId: a.KeyId })));
    assert.deepEqual([colon.name, colon.message], ['ValidationException', 'alias/my:alias contains invalid characters for an alias']);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/first', TargetKeyId: a.KeyId }));
    assert.equal(await errorName(kms.send(new CreateAliasCommand({ AliasName: 'alias/second', TargetKeyId: 'alias/first' }))), 'NotFoundException');
    assert.equal(
      await errorName(kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: '00000000-0000-0000-0000-000000000000' }))),
      'NotFoundException',
    );
    const doomed = await newKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    assert.equal(await errorName(kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed.KeyId }))), 'KMSInvalidStateException');
  });

  it('ListAliases names the predefined AWS managed aliases, without a target until their key exists', async () => {
    // "several aliases that do not have a TargetKeyId field ... predefined aliases that AWS has created but has not
    // yet associated with a KMS key" (API reference, ListAliases). A fresh Region has only those.
    const fresh = s.kms({ region: 'eu-north-1' });
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const r = await fresh.send(new ListAliasesCommand({ Limit: 5, Marker: marker }));
      for (const a of r.Aliases ?? []) {
        assert.equal(a.TargetKeyId, undefined, a.AliasName);
        assert.equal(a.AliasArn, `arn:aws:kms:eu-north-1:${s.kh.accountId}:${a.AliasName}`);
        names.push(a.AliasName!);
      }
      marker = r.Truncated ? r.NextMarker : undefined;
    } while (marker);
    assert.equal(names.length, 14);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.includes('alias/aws/s3') && names.includes('alias/aws/ebs'));
    // Once the key exists (first use), the alias has its target.
    const managed = await fresh.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }));
    const listed = (await fresh.send(new ListAliasesCommand({}))).Aliases!;
    assert.equal(listed.length, 14);
    assert.equal(listed.find((a) => a.AliasName === 'alias/aws/ebs')?.TargetKeyId, managed.KeyMetadata?.KeyId);
  });

  it('ListAliases pages', async () => {
    const k = await newKey();
    for (let i = 0; i < 5; i++) await kms.send(new CreateAliasCommand({ AliasName: `alias/page-${i}`, TargetKeyId: k.KeyId }));
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const r = await kms.send(new ListAliasesCommand({ KeyId: k.KeyId, Limit: 2, Marker: marker }));
      names.push(...(r.Aliases ?? []).map((a) => a.AliasName!));
      marker = r.Truncated ? r.NextMarker : undefined;
    } while (marker);
    assert.deepEqual(names, ['alias/page-0', 'alias/page-1', 'alias/page-2', 'alias/page-3', 'alias/page-4']);
  });

  it('TagResource / UntagResource / ListResourceTags with AWS limits', async () => {
    const k = await newKey();
    await kms.send(
      new TagResourceCommand({
        KeyId: k.KeyId,
        Tags: [
          { TagKey: 'team', TagValue: 'a' },
          { TagKey: 'env', TagValue: 'prod' },
        ],
      }),
    );
    await kms.send(new TagResourceCommand({ KeyId: k.Arn, Tags: [{ TagKey: 'team', TagValue: 'b' }] }));
    let tags = await kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId }));
    assert.deepEqual(tags.Tags, [
      { TagKey: 'env', TagValue: 'prod' },
      { TagKey: 'team', TagValue: 'b' },
    ]);
    assert.equal(tags.Truncated, false);
    await kms.send(new UntagResourceCommand({ KeyId: k.KeyId, TagKeys: ['team', 'absent'] }));
    tags = await kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId }));
    assert.deepEqual(tags.Tags, [{ TagKey: 'env', TagValue: 'prod' }]);
    assert.equal(await errorName(kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [{ TagKey: 'aws:reserved', TagValue: 'x' }] }))), 'TagException');
    // The reserved prefix in any case, and length messages naming the member's position, as recorded from AWS.
    const upper = kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: [{ TagKey: 'AWS:reserved', TagValue: 'x' }] }));
    await assert.rejects(upper, { name: 'TagException', message: 'Tags beginning with aws: are reserved' });
    const long = kms.send(
      new TagResourceCommand({
        KeyId: k.KeyId,
        Tags: [
          { TagKey: 'ok', TagValue: '' },
          { TagKey: 'v', TagValue: 'v'.repeat(257) },
        ],
      }),
    );
    await assert.rejects(long, {
      name: 'ValidationException',
      message: `1 validation error detected: Value '${'v'.repeat(257)}' at 'tags.2.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256`,
    });
    assert.equal(
      await errorName(
        kms.send(
          new TagResourceCommand({
            KeyId: k.KeyId,
            Tags: [
              { TagKey: 'd', TagValue: '1' },
              { TagKey: 'd', TagValue: '2' },
            ],
          }),
        ),
      ),
      'TagException',
    );
    const many = Array.from({ length: 50 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    assert.equal(await errorName(kms.send(new TagResourceCommand({ KeyId: k.KeyId, Tags: many }))), 'TagException');
    const page = await kms.send(new ListResourceTagsCommand({ KeyId: k.KeyId, Limit: 1 }));
    assert.equal(page.Tags?.length, 1);
  });
});
