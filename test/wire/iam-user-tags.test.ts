// IAM user tags and group memberships through the AWS SDK: CreateUser with Tags, GetUser returning them (ListUsers leaves them out),
// TagUser replacing a key without regard to case, UntagUser, ListUserTags; IAM's refusals; and tagging at
// creation needing iam:TagUser. Terraform's aws_iam_user reads a user's tags from GetUser and found none.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateUserCommand,
  GetUserCommand,
  ListGroupsForUserCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  TagUserCommand,
  UntagUserCommand,
} from '@aws-sdk/client-iam';
import { userWithPolicy } from '../helpers/iam-user.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

describe('IAM user tags', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  it('CreateUser keeps its tags; GetUser and ListUserTags return them; TagUser and UntagUser change them', async () => {
    const iam = s.iam();
    const created = await iam.send(
      new CreateUserCommand({
        UserName: 'tagged',
        Tags: [
          { Key: 'team', Value: 'apps' },
          { Key: 'cost-center', Value: '' },
        ],
      }),
    );
    assert.deepEqual(created.User?.Tags, [
      { Key: 'team', Value: 'apps' },
      { Key: 'cost-center', Value: '' },
    ]);
    assert.deepEqual((await iam.send(new GetUserCommand({ UserName: 'tagged' }))).User?.Tags, created.User?.Tags);
    const listed = (await iam.send(new ListUsersCommand({}))).Users?.find((u) => u.UserName === 'tagged');
    assert.equal(listed?.Tags, undefined, 'ListUsers leaves tags out, as IAM does');
    // A key already present, in any case, takes the new key and value.
    await iam.send(
      new TagUserCommand({
        UserName: 'tagged',
        Tags: [
          { Key: 'TEAM', Value: 'platform' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['COST-CENTER', 'absent'] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [
      { Key: 'TEAM', Value: 'platform' },
      { Key: 'env', Value: 'prod' },
    ]);
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['team', 'env'] }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'tagged' }))).User?.Tags, undefined);
  });

  it('refuses duplicate keys, bad keys and values, too many tags and unknown users, and changes nothing', async () => {
    const iam = s.iam();
    await iam.send(new CreateUserCommand({ UserName: 'strict', Tags: [{ Key: 'a', Value: '1' }] }));
    const refused = (Tags: Array<{ Key: string; Value: string }>) => errorName(iam.send(new TagUserCommand({ UserName: 'strict', Tags })));
    assert.equal(
      await refused([
        { Key: 'dup', Value: '1' },
        { Key: 'DUP', Value: '2' },
      ]),
      'InvalidInputException',
    );
    assert.equal(await refused([{ Key: 'k'.repeat(129), Value: '' }]), 'ValidationError');
    assert.equal(await refused([{ Key: 'bad<key>', Value: '' }]), 'ValidationError');
    assert.equal(await refused([{ Key: 'v', Value: 'x'.repeat(257) }]), 'ValidationError');
    assert.equal(await refused(Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: '' }))), 'LimitExceededException', '1 + 50 tags');
    assert.equal(await errorName(iam.send(new TagUserCommand({ UserName: 'nobody', Tags: [{ Key: 'a', Value: '' }] }))), 'NoSuchEntityException');
    assert.equal(
      await errorName(
        iam.send(
          new CreateUserCommand({
            UserName: 'dup-at-create',
            Tags: [
              { Key: 'x', Value: '' },
              { Key: 'X', Value: '' },
            ],
          }),
        ),
      ),
      'InvalidInputException',
    );
    assert.equal(await errorName(iam.send(new GetUserCommand({ UserName: 'dup-at-create' }))), 'NoSuchEntityException', 'nothing created');
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'strict' }))).Tags, [{ Key: 'a', Value: '1' }]);
  });

  it('ListGroupsForUser: a user belongs to no group (Keyhold has no IAM groups); an unknown user is NoSuchEntity', async () => {
    const iam = s.iam();
    await iam.send(new CreateUserCommand({ UserName: 'grouped' }));
    const r = await iam.send(new ListGroupsForUserCommand({ UserName: 'grouped' }));
    assert.deepEqual([r.Groups, r.IsTruncated], [[], false]);
    assert.equal(await errorName(iam.send(new ListGroupsForUserCommand({ UserName: 'nobody' }))), 'NoSuchEntityException');
  });

  it('tags at creation need iam:TagUser as well as iam:CreateUser', async () => {
    const creds = await userWithPolicy(s, 'admin-lite', [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }]);
    const iam = s.iam(creds);
    assert.equal(await errorName(iam.send(new CreateUserCommand({ UserName: 'u1', Tags: [{ Key: 'a', Value: '' }] }))), 'AccessDenied');
    assert.equal((await iam.send(new CreateUserCommand({ UserName: 'u1' }))).User?.UserName, 'u1');
  });
});
