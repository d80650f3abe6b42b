// Authorization end to end with real SDK clients: IAM users and inline policies (IAM API), key policies
// with encryption-context conditions, the lockout safety check, grants and grant tokens, cross-account
// access, and denials that are audited and change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteUserPolicyCommand, GetUserPolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  TagResourceCommand,
  type KMSClient,
  ListGrantsCommand,
  ListKeysCommand,
  ListRetirableGrantsCommand,
  PutKeyPolicyCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  DescribeKeyCommand,
} from '@aws-sdk/client-kms';
import { DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { readAuditDir } from '../../src/audit/reader.js';
import { auditEvents, openKeyringForTest } from '../helpers/audit.js';
import { send } from '../helpers/raw-request.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

type Creds = { accessKeyId: string; secretAccessKey: string };

describe('authorization (wire)', () => {
  let s: TestServer;
  let root: KMSClient;
  let acct: string;
  const users = new Map<string, { creds: Creds; arn: string; kms: KMSClient }>();
  const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const rootAdmin = () => ({ Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'kms:*', Resource: '*' });

  async function user(name: string) {
    const iam = s.iam();
    const u = await iam.send(new CreateUserCommand({ UserName: name }));
    const k = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const creds = { accessKeyId: k.AccessKey!.AccessKeyId!, secretAccessKey: k.AccessKey!.SecretAccessKey! };
    const entry = { creds, arn: u.User!.Arn!, kms: s.kms({ credentials: creds }) };
    users.set(name, entry);
    return entry;
  }

  /** A user whose one inline policy is `statements`. */
  async function userWithPolicy(name: string, statements: object[]) {
    const entry = await user(name);
    await s.iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'policy', PolicyDocument: policy(statements) }));
    return entry;
  }

  before(async () => {
    s = await startTestServer();
    root = s.kms();
    acct = s.kh.accountId;
  });
  after(() => s.stop());

  it('STS GetCallerIdentity names the caller', async () => {
    const me = await s.sts().send(new GetCallerIdentityCommand({}));
    assert.equal(me.Account, acct);
    assert.equal(me.Arn, `arn:aws:iam::${acct}:root`);
    const alice = await user('alice');
    const her = await s.sts(alice.creds).send(new GetCallerIdentityCommand({}));
    assert.equal(her.Arn, alice.arn);
  });

  it('a session token sent with a long-term key is refused by every protocol, as AWS refuses it', async () => {
    const withToken = { ...s.credentials, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
    const refusal = async (p: Promise<unknown>) =>
      p.then(
        () => 'accepted',
        (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
      );
    assert.equal(await refusal(s.kms({ credentials: withToken }).send(new ListKeysCommand({}))), 'UnrecognizedClientException 400');
    assert.equal(await refusal(s.sts(withToken).send(new GetCallerIdentityCommand({}))), 'InvalidClientTokenId 403');
    assert.equal(await refusal(s.s3({ credentials: withToken }).send(new ListBucketsCommand({}))), 'InvalidToken 400');
    const url = await getSignedUrl(s.s3({ credentials: withToken }), new ListBucketsCommand({}), { expiresIn: 60 });
    const presigned = await send(s.endpoint, s.agent, { method: 'GET', path: new URL(url).pathname + new URL(url).search, headers: {} });
    assert.equal(presigned.status, 400);
    assert.match(presigned.body, /<Code>InvalidToken<\/Code>/);
    // The same calls without the token succeed.
    await s.s3().send(new ListBucketsCommand({}));
  });

  it('a user without permission is refused KMS Decrypt, with an audited denial and no side effect', async () => {
    const alice = users.get('alice')!;
    const key = (await root.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await root.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret') }))).CiphertextBlob!;
    const err = (await alice.kms.send(new DecryptCommand({ CiphertextBlob: blob })).catch((e: unknown) => e)) as {
      name: string;
      message: string;
      Plaintext?: unknown;
    };
    assert.equal(err.name, 'AccessDeniedException');
    assert.match(err.message, new RegExp(`User: ${alice.arn} is not authorized to perform: kms:Decrypt on resource: ${key.Arn}`));
    const before = (await root.send(new ListKeysCommand({}))).Keys!.length;
    assert.equal(await errorName(alice.kms.send(new CreateKeyCommand({}))), 'AccessDeniedException');
    assert.equal((await root.send(new ListKeysCommand({}))).Keys!.length, before, 'the denied CreateKey created nothing');
    const rootKey = await openKeyringForTest(s.dataDir);
    const denials = [...readAuditDir(rootKey.derive('audit-v1'), `${s.dataDir}/audit`)].flatMap((r) =>
      'event' in r && r.event.errorCode === 'AccessDeniedException' && r.event.userIdentity.arn === alice.arn ? [r.event.eventName] : [],
    );
    rootKey.destroy();
    assert.ok(denials.includes('Decrypt') && denials.includes('CreateKey'), `denials audited: ${denials}`);
  });

  it('an IAM policy (through the default key policy) allows exactly its actions; an explicit Deny wins', async () => {
    const alice = users.get('alice')!;
    const key = (await root.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await root.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('for alice') }))).CiphertextBlob!;
    const iam = s.iam();
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'alice',
        PolicyName: 'decrypt',
        PolicyDocument: policy([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.Arn }]),
      }),
    );
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'decrypt' }));
    assert.equal(JSON.parse(decodeURIComponent(got.PolicyDocument!)).Statement[0].Action, 'kms:Decrypt');
    assert.equal(Buffer.from((await alice.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'for alice');
    assert.equal(await errorName(alice.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))), 'AccessDeniedException');
    await iam.send(
      new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'deny', PolicyDocument: policy([{ Effect: 'Deny', Action: 'kms:*', Resource: '*' }]) }),
    );
    assert.equal(await errorName(alice.kms.send(new DecryptCommand({ CiphertextBlob: blob }))), 'AccessDeniedException');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'deny' }));
    assert.equal((await alice.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).KeyId, key.Arn);
    assert.equal(
      await errorName(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'bad', PolicyDocument: '{"Statement":[{"Effect":"Allow"}]}' }))),
      'MalformedPolicyDocumentException',
    );
  });

  it('a key policy condition on kms:EncryptionContext allows only matching contexts', async () => {
    const carol = await user('carol');
    const key = (await root.send(new CreateKeyCommand({}))).KeyMetadata!;
    await root.send(
      new PutKeyPolicyCommand({
        KeyId: key.KeyId,
        Policy: policy([
          rootAdmin(),
          {
            Sid: 'carol-blue',
            Effect: 'Allow',
            Principal: { AWS: carol.arn },
            Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: '*',
            Condition: { StringEquals: { 'kms:EncryptionContext:project': 'blue' } },
          },
        ]),
      }),
    );
    const blue = await carol.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('b'), EncryptionContext: { project: 'blue' } }));
    assert.equal(
      Buffer.from(
        (await carol.kms.send(new DecryptCommand({ CiphertextBlob: blue.CiphertextBlob, EncryptionContext: { project: 'blue' } }))).Plaintext!,
      ).toString(),
      'b',
    );
    assert.equal(
      await errorName(carol.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('g'), EncryptionContext: { project: 'green' } }))),
      'AccessDeniedException',
    );
    assert.equal(await errorName(carol.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }))), 'AccessDeniedException');
    const green = await root.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('g'), EncryptionContext: { project: 'green' } }));
    assert.equal(
      await errorName(carol.kms.send(new DecryptCommand({ CiphertextBlob: green.CiphertextBlob, EncryptionContext: { project: 'green' } }))),
      'AccessDeniedException',
    );
  });

  it('the lockout safety check refuses a policy that would lock the caller out, unless bypassed', async () => {
    const key = (await root.send(new CreateKeyCommand({}))).KeyMetadata!;
    const carol = users.get('carol')!;
    const lockout = policy([{ Effect: 'Allow', Principal: { AWS: carol.arn }, Action: 'kms:Decrypt', Resource: '*' }]);
    assert.equal(await errorName(root.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockout }))), 'MalformedPolicyDocumentException');
    assert.equal(await errorName(root.send(new CreateKeyCommand({ Policy: lockout }))), 'MalformedPolicyDocumentException');
    await root.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
    assert.equal(await errorName(root.send(new DescribeKeyCommand({ KeyId: key.KeyId }))), 'AccessDeniedException', 'even root is now locked out');
  });

  it('a grant lets a second user decrypt until it is revoked; retiring works by token', async () => {
    const dave = await user('dave');
    const key = (await root.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await root.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('granted'), EncryptionContext: { app: 'x' } })))
      .CiphertextBlob!;
    assert.equal(await errorName(dave.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'x' } }))), 'AccessDeniedException');
    const g = await root.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: dave.arn,
        RetiringPrincipal: dave.arn,
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextSubset: { app: 'x' } },
        Name: 'dave-decrypt',
      }),
    );
    assert.match(g.GrantId!, /^[0-9a-f]{64}$/);
    const again = await root.send(
      new CreateGrantCommand({
        KeyId: key.KeyId,
        GranteePrincipal: dave.arn,
        RetiringPrincipal: dave.arn,
        Operations: ['Decrypt'],
        Constraints: { EncryptionContextSubset: { app: 'x' } },
        Name: 'dave-decrypt',
      }),
    );
    assert.equal(again.GrantId, g.GrantId, 'Name makes CreateGrant idempotent');
    const dec = await dave.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'x' }, GrantTokens: [g.GrantToken!] }));
    assert.equal(Buffer.from(dec.Plaintext!).toString(), 'granted');
    assert.equal(
      await errorName(dave.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))),
      'AccessDeniedException',
      'only its operations',
    );
    const other = (await root.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('o'), EncryptionContext: { app: 'y' } }))).CiphertextBlob!;
    assert.equal(
      await errorName(dave.kms.send(new DecryptCommand({ CiphertextBlob: other, EncryptionContext: { app: 'y' } }))),
      'AccessDeniedException',
      'only under its constraints',
    );
    const listed = await root.send(new ListGrantsCommand({ KeyId: key.KeyId }));
    assert.equal(listed.Grants?.length, 1);
    assert.equal(listed.Grants?.[0]?.GranteePrincipal, dave.arn);
    assert.deepEqual(listed.Grants?.[0]?.Operations, ['Decrypt']);
    const retirable = await root.send(new ListRetirableGrantsCommand({ RetiringPrincipal: dave.arn }));
    assert.equal(retirable.Grants?.length, 1);
    await root.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g.GrantId }));
    assert.equal(
      await errorName(dave.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'x' } }))),
      'AccessDeniedException',
      'revoked at once',
    );
    const g2 = await root.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: dave.arn, RetiringPrincipal: dave.arn, Operations: ['Decrypt'] }));
    await dave.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'x' } }));
    await dave.kms.send(new RetireGrantCommand({ GrantToken: g2.GrantToken }));
    assert.equal(
      await errorName(dave.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: 'x' } }))),
      'AccessDeniedException',
      'retired',
    );
    assert.equal(await errorName(root.send(new RetireGrantCommand({ GrantToken: 'bm90LWEtdG9rZW4' }))), 'InvalidGrantTokenException');
    assert.equal(
      await errorName(root.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: 'bob', Operations: ['Decrypt'] }))),
      'ValidationException',
    );
    assert.equal(
      await errorName(root.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: dave.arn, Operations: ['Sign'] }))),
      'ValidationException',
    );
    // A grant token is a bearer credential (it retires the grant): no audit record holds one, as in CloudTrail.
    const trail = JSON.stringify(await auditEvents(s.dataDir));
    assert.ok(trail.includes(g2.GrantId!), 'the grant is recorded by its id');
    assert.equal(trail.includes(g2.GrantToken!), false);
    assert.equal(trail.includes(g.GrantToken!), false);
  });

  it('cross-account: the key policy must name the other account, and its side must allow too', async () => {
    const other = await s.kh.identity.createAccount('second');
    const otherRoot = await s.kh.identity.createAccessKey(other.accountId, undefined);
    const otherKms = s.kms({ credentials: { accessKeyId: otherRoot.accessKeyId, secretAccessKey: otherRoot.secretAccessKey } });
    const key = (await root.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await root.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('shared') }))).CiphertextBlob!;
    assert.equal(await errorName(otherKms.send(new DecryptCommand({ CiphertextBlob: blob }))), 'AccessDeniedException');
    assert.equal(await errorName(otherKms.send(new DescribeKeyCommand({ KeyId: key.Arn }))), 'AccessDeniedException');
    await root.send(
      new PutKeyPolicyCommand({
        KeyId: key.KeyId,
        Policy: policy([
          rootAdmin(),
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other.accountId}:root` }, Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
        ]),
      }),
    );
    assert.equal(Buffer.from((await otherKms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'shared');
    assert.equal((await otherKms.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata?.AWSAccountId, acct);
    assert.equal(await errorName(otherKms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x') }))), 'AccessDeniedException');
  });

  it('attribute-based access: an identity policy can allow a key by its tags (aws:ResourceTag) and by kms:EncryptionAlgorithm', async () => {
    const dana = await userWithPolicy('dana', [
      {
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/Project': 'alpha', 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } },
      },
    ]);
    const alpha = (await root.send(new CreateKeyCommand({ Tags: [{ TagKey: 'Project', TagValue: 'alpha' }] }))).KeyMetadata!;
    const beta = (await root.send(new CreateKeyCommand({ Tags: [{ TagKey: 'Project', TagValue: 'beta' }] }))).KeyMetadata!;
    const blob = (await dana.kms.send(new EncryptCommand({ KeyId: alpha.KeyId, Plaintext: Buffer.from('tagged') }))).CiphertextBlob!;
    assert.equal(Buffer.from((await dana.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'tagged');
    assert.equal(await errorName(dana.kms.send(new EncryptCommand({ KeyId: beta.KeyId, Plaintext: Buffer.from('x') }))), 'AccessDeniedException');
  });

  it('tagging governed by aws:RequestTag and aws:TagKeys: a user may create and tag keys only with the tags allowed', async () => {
    const erin = await userWithPolicy('erin', [
      {
        Effect: 'Allow',
        Action: ['kms:CreateKey', 'kms:TagResource'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestTag/Project': 'alpha' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Project'] } },
      },
    ]);
    const made = (await erin.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'Project', TagValue: 'alpha' }] }))).KeyMetadata!;
    assert.equal(await errorName(erin.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'Project', TagValue: 'beta' }] }))), 'AccessDeniedException');
    assert.equal(await errorName(erin.kms.send(new CreateKeyCommand({}))), 'AccessDeniedException');
    assert.equal(
      await errorName(
        erin.kms.send(
          new CreateKeyCommand({
            Tags: [
              { TagKey: 'Project', TagValue: 'alpha' },
              { TagKey: 'Owner', TagValue: 'erin' },
            ],
          }),
        ),
      ),
      'AccessDeniedException',
    );
    await erin.kms.send(new TagResourceCommand({ KeyId: made.KeyId, Tags: [{ TagKey: 'Project', TagValue: 'alpha' }] }));
    assert.equal(
      await errorName(erin.kms.send(new TagResourceCommand({ KeyId: made.KeyId, Tags: [{ TagKey: 'Project', TagValue: 'gamma' }] }))),
      'AccessDeniedException',
    );
  });

  it('ACM condition keys: acm:KeyAlgorithm on RequestCertificate, aws:ResourceTag on a certificate', async () => {
    const finn = await userWithPolicy('finn', [
      { Effect: 'Allow', Action: 'acm:RequestCertificate', Resource: '*', Condition: { StringEquals: { 'acm:KeyAlgorithm': 'EC_prime256v1' } } },
      { Effect: 'Allow', Action: 'acm:DescribeCertificate', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'web' } } },
    ]);
    const acm = s.acm({ credentials: finn.creds });
    const request = (KeyAlgorithm: 'EC_prime256v1' | 'RSA_2048', tags: Array<{ Key: string; Value: string }>) =>
      acm.send(
        new RequestCertificateCommand({
          DomainName: `${KeyAlgorithm === 'RSA_2048' ? 'rsa' : 'ec'}-${tags[0]?.Value ?? 'none'}.abac.example.test`,
          KeyAlgorithm,
          Tags: tags,
        }),
      );
    const web = await request('EC_prime256v1', [{ Key: 'team', Value: 'web' }]);
    const other = await request('EC_prime256v1', [{ Key: 'team', Value: 'db' }]);
    assert.equal(await errorName(request('RSA_2048', [])), 'AccessDeniedException');
    assert.equal((await acm.send(new DescribeCertificateCommand({ CertificateArn: web.CertificateArn }))).Certificate?.KeyAlgorithm, 'EC-prime256v1');
    assert.equal(await errorName(acm.send(new DescribeCertificateCommand({ CertificateArn: other.CertificateArn }))), 'AccessDeniedException');
  });
});
