// IAM GetAccessKeyLastUsed through @aws-sdk/client-iam: "N/A" until a key signs a request; then the time, service
// and Region of its latest request, allowed or not; S3's calls to KMS on the requester's behalf are S3's use; kept
// across a restart; gone with the key; another account's key is not found.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteAccessKeyCommand, GetAccessKeyLastUsedCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { userWithPolicy } from '../helpers/iam-user.js';
import { errorName, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

describe('IAM GetAccessKeyLastUsed', () => {
  const dataDir = tempDir();
  let s: TestServer;
  let user: { accessKeyId: string; secretAccessKey: string };
  const lastUsed = async (AccessKeyId: string) => await s.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId }));
  before(async () => {
    s = await startTestServer({ dataDir });
    await s.s3().send(new CreateBucketCommand({ Bucket: 'last-used' }));
    user = await userWithPolicy(s, 'reporter', [{ Effect: 'Allow', Action: ['kms:ListKeys', 'kms:GenerateDataKey', 's3:PutObject'], Resource: '*' }]);
  });
  after(() => s.stop());

  it('answers N/A until the key signs a request, then its service, Region and time, allowed or not', async () => {
    const fresh = await lastUsed(user.accessKeyId);
    assert.equal(fresh.UserName, 'reporter');
    assert.deepEqual(fresh.AccessKeyLastUsed, { ServiceName: 'N/A', Region: 'N/A' });

    const before = Date.now() - 1000;
    await s.kms({ region: 'eu-west-1', credentials: user }).send(new ListKeysCommand({}));
    const used = (await lastUsed(user.accessKeyId)).AccessKeyLastUsed!;
    assert.deepEqual([used.ServiceName, used.Region], ['kms', 'eu-west-1']);
    assert.ok(used.LastUsedDate!.getTime() >= before && used.LastUsedDate!.getTime() <= Date.now());

    // A refused request was still signed with the key.
    assert.equal(await errorName(s.kms({ region: 'us-west-2', credentials: user }).send(new CreateKeyCommand({}))), 'AccessDeniedException');
    assert.deepEqual(
      [(await lastUsed(user.accessKeyId)).AccessKeyLastUsed!.ServiceName, (await lastUsed(user.accessKeyId)).AccessKeyLastUsed!.Region],
      ['kms', 'us-west-2'],
    );
  });

  it("S3's calls to KMS for the requester are S3's use of the key", async () => {
    await s.s3({ credentials: user }).send(new PutObjectCommand({ Bucket: 'last-used', Key: 'k', Body: 'v', ServerSideEncryption: 'aws:kms' }));
    const used = (await lastUsed(user.accessKeyId)).AccessKeyLastUsed!;
    assert.deepEqual([used.ServiceName, used.Region], ['s3', 'us-east-1']);
  });

  it('keeps the last use across a restart, forgets it with the key, and does not find other accounts’ keys', async () => {
    const beforeRestart = (await lastUsed(user.accessKeyId)).AccessKeyLastUsed!;
    await s.stop({ keepData: true });
    s = await startTestServer({ dataDir });
    assert.deepEqual((await lastUsed(user.accessKeyId)).AccessKeyLastUsed, beforeRestart);

    const other = await s.kh.identity.createAccount('elsewhere');
    const theirs = await s.kh.identity.createAccessKey(other.accountId, undefined);
    assert.equal(await errorName(lastUsed(theirs.accessKeyId)), 'NoSuchEntityException');
    assert.equal(await errorName(lastUsed('AKIANOSUCHKEY0000000')), 'NoSuchEntityException');

    await s.iam().send(new DeleteAccessKeyCommand({ UserName: 'reporter', AccessKeyId: user.accessKeyId }));
    assert.equal(await errorName(lastUsed(user.accessKeyId)), 'NoSuchEntityException');
  });

  it('is authorized as iam:GetAccessKeyLastUsed on the key’s user', async () => {
    const auditor = await userWithPolicy(s, 'auditor', [{ Effect: 'Allow', Action: 'iam:GetAccessKeyLastUsed', Resource: 'arn:aws:iam::*:user/auditor' }]);
    // The first answer predates its own request's record; the second names that request.
    assert.equal((await s.iam(auditor).send(new GetAccessKeyLastUsedCommand({ AccessKeyId: auditor.accessKeyId }))).AccessKeyLastUsed?.ServiceName, 'N/A');
    assert.equal((await s.iam(auditor).send(new GetAccessKeyLastUsedCommand({ AccessKeyId: auditor.accessKeyId }))).AccessKeyLastUsed?.ServiceName, 'iam');
    const root = await s
      .iam(auditor)
      .send(new GetAccessKeyLastUsedCommand({ AccessKeyId: s.credentials.accessKeyId }))
      .catch((e: Error) => e.name);
    assert.equal(root, 'AccessDenied');
  });
});
