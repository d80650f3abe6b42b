// IAM UpdateUser through @aws-sdk/client-iam: a rename and a new path move the user's record, inline policies and
// access keys together (the key keeps working, now as the renamed user, with the path in its ARN); a taken name,
// an unknown user and a malformed path are refused and change nothing; a rename needs iam:UpdateUser on both names.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, GetUserCommand, ListAccessKeysCommand, ListUserPoliciesCommand, ListUserTagsCommand, UpdateUserCommand } from '@aws-sdk/client-iam';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { userWithPolicy } from '../helpers/iam-user.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('IAM UpdateUser', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  it('renames a user and moves it to a new path with its policies, tags and working access key', async () => {
    const iam = s.iam();
    const creds = await userWithPolicy(s, 'old-name', [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }]);
    const before = (await iam.send(new GetUserCommand({ UserName: 'old-name' }))).User!;
    await iam.send(new UpdateUserCommand({ UserName: 'old-name', NewUserName: 'new-name', NewPath: '/team/' }));

    const after = (await iam.send(new GetUserCommand({ UserName: 'new-name' }))).User!;
    assert.deepEqual([after.UserId, after.Path, after.Arn], [before.UserId, '/team/', `arn:aws:iam::${s.kh.accountId}:user/team/new-name`]);
    assert.equal(await errorName(iam.send(new GetUserCommand({ UserName: 'old-name' }))), 'NoSuchEntityException');
    assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'new-name' }))).PolicyNames, ['test']);
    assert.deepEqual(
      (await iam.send(new ListAccessKeysCommand({ UserName: 'new-name' }))).AccessKeyMetadata!.map((k) => k.AccessKeyId),
      [creds.accessKeyId],
    );
    // The key signs as the renamed user, and the policy that moved with it still allows.
    assert.equal((await s.sts(creds).send(new GetCallerIdentityCommand({}))).Arn, after.Arn);
    await s.kms({ credentials: creds }).send(new ListKeysCommand({}));

    // A new path alone keeps the name.
    await iam.send(new UpdateUserCommand({ UserName: 'new-name', NewPath: '/' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'new-name' }))).User!.Arn, `arn:aws:iam::${s.kh.accountId}:user/new-name`);
  });

  it('keeps tags, and refuses a taken name, an unknown user and a malformed path without changing anything', async () => {
    const iam = s.iam();
    await iam.send(new CreateUserCommand({ UserName: 'tagged', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await iam.send(new CreateUserCommand({ UserName: 'taken' }));
    const taken = await failure(iam.send(new UpdateUserCommand({ UserName: 'tagged', NewUserName: 'taken' })));
    assert.deepEqual([taken.name, taken.status], ['EntityAlreadyExistsException', 409]);
    assert.equal(await errorName(iam.send(new UpdateUserCommand({ UserName: 'nobody', NewUserName: 'somebody' }))), 'NoSuchEntityException');
    const path = await failure(iam.send(new UpdateUserCommand({ UserName: 'tagged', NewPath: 'no-slashes' })));
    assert.deepEqual([path.name, path.status], ['ValidationError', 400]);
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'tagged' }))).User!.Path, '/');
    await iam.send(new UpdateUserCommand({ UserName: 'tagged', NewUserName: 'tagged-too' }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged-too' }))).Tags, [{ Key: 'team', Value: 'blue' }]);
  });

  it('a rename needs iam:UpdateUser on both the user and its new name', async () => {
    await s.iam().send(new CreateUserCommand({ UserName: 'renamable' }));
    const creds = await userWithPolicy(s, 'renamer', [
      { Effect: 'Allow', Action: 'iam:UpdateUser', Resource: `arn:aws:iam::${s.kh.accountId}:user/renamable` },
    ]);
    const renamer = s.iam(creds);
    assert.equal(await errorName(renamer.send(new UpdateUserCommand({ UserName: 'renamable', NewUserName: 'renamed' }))), 'AccessDenied');
    await renamer.send(new UpdateUserCommand({ UserName: 'renamable', NewPath: '/moved/' }));
    assert.equal((await s.iam().send(new GetUserCommand({ UserName: 'renamable' }))).User!.Path, '/moved/');
  });
  it('a policy or key written while its user is renamed or deleted is never left under a name nobody owns', async () => {
    const identity = s.kh.identity;
    const account = s.kh.accountId;
    const settled = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: Error) => e.name,
      );
    const outcomes = new Set<string>();
    for (let round = 0; round < 25; round++) {
      const from = `race-${round}`;
      await identity.createUser(account, from);
      const results = await Promise.all([
        settled(identity.putUserPolicy(account, from, 'p', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:ListKeys","Resource":"*"}]}')),
        settled(identity.createAccessKey(account, from)),
        settled(round % 2 ? identity.updateUser(account, from, { newUserName: `${from}-renamed` }) : identity.deleteUser(account, from)),
      ]);
      for (const r of results) outcomes.add(r);
      // Whatever won, every policy and key belongs to a user that exists.
      for (const name of [from, `${from}-renamed`]) {
        const exists = (await identity.getUser(account, name)) !== undefined;
        const keys = await identity.listAccessKeys(account, name);
        const policies = exists ? await identity.listUserPolicies(account, name) : [];
        if (!exists) assert.deepEqual(keys, [], `a key left under ${name}, which no user has`);
        if (!exists) assert.equal(await identity.getUserPolicy(account, name, 'p'), undefined, `a policy left under ${name}`);
        assert.ok(policies.length <= 1);
      }
    }
    assert.ok(outcomes.has('ok'), [...outcomes].join(','));
  });
});
