// IAM actions on a user are authorized against the user's ARN with its path, as IAM evaluates them
// (arn:aws:iam::<account>:user/division/alice): a policy naming user/division/* covers the users under /division/
// and no others, a Deny on them holds against an Allow on every user, and creating or renaming a user is
// authorized against the ARN it will have (docs/decisions.md 111).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteUserPolicyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { userWithPolicy } from '../helpers/iam-user.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

describe('IAM authorization of actions on users with a path', () => {
  let s: TestServer;
  let users: string;
  before(async () => {
    s = await startTestServer();
    users = `arn:aws:iam::${s.kh.accountId}:user`;
    const iam = s.iam();
    await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/division/' }));
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
  });
  after(() => s.stop());

  it('a policy on user/division/* covers the users under /division/ and no others', async () => {
    const creds = await userWithPolicy(s, 'division-admin', [{ Effect: 'Allow', Action: 'iam:*', Resource: `${users}/division/*` }]);
    const iam = s.iam(creds);
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'alice' }))).User!.Arn, `${users}/division/alice`);
    await iam.send(new TagUserCommand({ UserName: 'alice', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata!.length, 1);
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'alice',
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }] }),
      }),
    );
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'p' }));
    // A user outside the path, and a user named like the path-less form of alice, are not covered.
    assert.equal(await errorName(iam.send(new GetUserCommand({ UserName: 'bob' }))), 'AccessDenied');
    assert.equal(await errorName(iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }))), 'AccessDenied');
    // Creating a user is authorized against the ARN it will have.
    await iam.send(new CreateUserCommand({ UserName: 'carol', Path: '/division/' }));
    assert.equal(await errorName(iam.send(new CreateUserCommand({ UserName: 'dave' }))), 'AccessDenied');
    // Renaming a user needs permission on the name it takes, at its path.
    await iam.send(new UpdateUserCommand({ UserName: 'carol', NewUserName: 'caroline' }));
    assert.equal(await errorName(iam.send(new UpdateUserCommand({ UserName: 'caroline', NewUserName: 'carol', NewPath: '/' }))), 'AccessDenied');
    assert.equal((await s.iam().send(new GetUserCommand({ UserName: 'caroline' }))).User!.Arn, `${users}/division/caroline`);
  });

  it('a Deny on user/division/* holds against an Allow on every user', async () => {
    const creds = await userWithPolicy(s, 'almost-admin', [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:*', Resource: `${users}/division/*` },
    ]);
    const iam = s.iam(creds);
    assert.equal(await errorName(iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))), 'AccessDenied');
    assert.equal(await errorName(iam.send(new GetUserCommand({ UserName: 'alice' }))), 'AccessDenied');
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'bob' }))).User!.Arn, `${users}/bob`);
    // Nor can the user be moved out of the denied path, or a user be created or renamed into it.
    assert.equal(await errorName(iam.send(new UpdateUserCommand({ UserName: 'alice', NewPath: '/' }))), 'AccessDenied');
    assert.equal(await errorName(iam.send(new CreateUserCommand({ UserName: 'eve', Path: '/division/' }))), 'AccessDenied');
    assert.equal(await errorName(iam.send(new UpdateUserCommand({ UserName: 'bob', NewUserName: 'bobby', NewPath: '/division/' }))), 'AccessDenied');
  });
});
