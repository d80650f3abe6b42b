// An IAM user with one inline policy and an access key, for tests of what a non-root caller may do.
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { TestServer } from './server.js';

export async function userWithPolicy(
  s: TestServer,
  userName: string,
  statements: ReadonlyArray<Record<string, unknown>>,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const iam = s.iam();
  await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(
    new PutUserPolicyCommand({ UserName: userName, PolicyName: 'test', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }),
  );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}
