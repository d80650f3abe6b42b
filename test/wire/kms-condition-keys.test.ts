// KMS condition keys a policy reads from the key's aliases and from the request's own parameters
// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html), through real SDK clients:
// kms:ResourceAliases (ABAC by alias, IAM policies only), and kms:KeySpec / KeyOrigin on CreateKey,
// kms:BypassPolicyLockoutSafetyCheck, kms:ScheduleKeyDeletionPendingWindowInDays, kms:RotationPeriodInDays,
// kms:WrappingAlgorithm, kms:ReEncryptOnSameKey.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  GetParametersForImportCommand,
  type KMSClient,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { userWithPolicy } from '../helpers/iam-user.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** The error's name, or undefined when the call succeeds. */
const errorName = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: Error) => err.name,
  );

describe('KMS condition keys (wire)', () => {
  let s: TestServer;
  let root: KMSClient;
  let acct: string;
  const plaintext = Buffer.from('abac');

  before(async () => {
    s = await startTestServer();
    root = s.kms();
    acct = s.kh.accountId;
  });
  after(() => s.stop());

  const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await root.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!;

  it('kms:ResourceAliases allows a key by the aliases it has, however the request names it, and follows alias changes at once', async () => {
    const fay = s.kms({
      credentials: await userWithPolicy(s, 'fay', [
        { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/finance' } } },
      ]),
    });
    const a = await newKey();
    const b = await newKey();
    await root.send(new CreateAliasCommand({ AliasName: 'alias/finance', TargetKeyId: a }));
    await root.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: b }));
    const encrypt = (KeyId: string) => errorName(fay.send(new EncryptCommand({ KeyId, Plaintext: plaintext })));
    assert.equal(await encrypt(a), undefined, 'by key id: the key has the alias');
    assert.equal(await encrypt(`arn:aws:kms:us-east-1:${acct}:key/${a}`), undefined, 'by key ARN');
    assert.equal(await encrypt(b), 'AccessDeniedException', 'a key without the alias');
    assert.equal(await encrypt('alias/other'), 'AccessDeniedException');

    await root.send(new UpdateAliasCommand({ AliasName: 'alias/finance', TargetKeyId: b }));
    assert.equal(await encrypt(a), 'AccessDeniedException', 'the alias moved away');
    assert.equal(await encrypt(b), undefined, 'the alias moved here');
    await root.send(new DeleteAliasCommand({ AliasName: 'alias/finance' }));
    assert.equal(await encrypt(b), 'AccessDeniedException', 'the alias is gone');
    await root.send(new CreateAliasCommand({ AliasName: 'alias/finance', TargetKeyId: a }));
    assert.equal(await encrypt(a), undefined, 'a new alias counts at once');
  });

  it('kms:ResourceAliases is read by IAM policies only: a key policy condition on it never matches', async () => {
    // gus's own policy allows nothing about this key: the key policy, naming him, decides.
    const creds = await userWithPolicy(s, 'gus', [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }]);
    const gus = s.kms({ credentials: creds });
    const gusArn = `arn:aws:iam::${acct}:user/gus`;
    const keyPolicy = (condition: Record<string, unknown>) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'admin', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'kms:*', Resource: '*' },
          { Sid: 'gus', Effect: 'Allow', Principal: { AWS: gusArn }, Action: 'kms:Encrypt', Resource: '*', Condition: condition },
        ],
      });
    const key = await newKey({ Policy: keyPolicy({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/gus-key' } }) });
    await root.send(new CreateAliasCommand({ AliasName: 'alias/gus-key', TargetKeyId: key }));
    assert.equal(await errorName(gus.send(new EncryptCommand({ KeyId: 'alias/gus-key', Plaintext: plaintext }))), 'AccessDeniedException');
    // The same statement with a key a key policy may read (kms:RequestAlias) lets gus in: only the key differs.
    await root.send(
      new PutKeyPolicyCommand({ KeyId: key, PolicyName: 'default', Policy: keyPolicy({ StringEquals: { 'kms:RequestAlias': 'alias/gus-key' } }) }),
    );
    assert.equal(await errorName(gus.send(new EncryptCommand({ KeyId: 'alias/gus-key', Plaintext: plaintext }))), undefined);
  });

  it('kms:ReEncryptOnSameKey: re-encryption allowed only onto the key the ciphertext was made under, however it is named', async () => {
    const ivy = s.kms({
      credentials: await userWithPolicy(s, 'ivy', [
        { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' },
        { Effect: 'Allow', Action: 'kms:ReEncrypt*', Resource: '*', Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'true' } } },
      ]),
    });
    const key = await newKey();
    const other = await newKey();
    await root.send(new CreateAliasCommand({ AliasName: 'alias/ivy', TargetKeyId: key }));
    const blob = (await ivy.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }))).CiphertextBlob!;
    assert.equal(await errorName(ivy.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: 'alias/ivy' }))), undefined);
    assert.equal(await errorName(ivy.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: key }))), undefined);
    assert.equal(await errorName(ivy.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: other }))), 'AccessDeniedException');
  });

  it('condition keys from request parameters: CreateKey key spec and origin, lockout bypass, deletion window, rotation period, wrapping algorithm', async () => {
    const hank = s.kms({
      credentials: await userWithPolicy(s, 'hank', [
        {
          Effect: 'Allow',
          Action: 'kms:CreateKey',
          Resource: '*',
          Condition: { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyOrigin': 'AWS_KMS' } },
        },
        {
          Effect: 'Allow',
          Action: [
            'kms:PutKeyPolicy',
            'kms:GetKeyPolicy',
            'kms:ScheduleKeyDeletion',
            'kms:CancelKeyDeletion',
            'kms:EnableKeyRotation',
            'kms:GetParametersForImport',
          ],
          Resource: '*',
        },
        { Effect: 'Deny', Action: 'kms:PutKeyPolicy', Resource: '*', Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } } },
        {
          Effect: 'Deny',
          Action: 'kms:ScheduleKeyDeletion',
          Resource: '*',
          Condition: { NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': '21' } },
        },
        { Effect: 'Deny', Action: 'kms:EnableKeyRotation', Resource: '*', Condition: { NumericLessThan: { 'kms:RotationPeriodInDays': '180' } } },
        { Effect: 'Deny', Action: 'kms:GetParametersForImport', Resource: '*', Condition: { StringEquals: { 'kms:WrappingAlgorithm': 'RSAES_OAEP_SHA_1' } } },
      ]),
    });
    // CreateKey: the defaults count as the request's values; another origin is refused before anything is made.
    const key = (await hank.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    assert.equal(await errorName(hank.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))), 'AccessDeniedException');

    const policy = (await hank.send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' }))).Policy!;
    assert.equal(
      await errorName(hank.send(new PutKeyPolicyCommand({ KeyId: key, PolicyName: 'default', Policy: policy, BypassPolicyLockoutSafetyCheck: true }))),
      'AccessDeniedException',
    );
    await hank.send(new PutKeyPolicyCommand({ KeyId: key, PolicyName: 'default', Policy: policy }));

    assert.equal(await errorName(hank.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }))), 'AccessDeniedException');
    await hank.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 30 }));
    await hank.send(new CancelKeyDeletionCommand({ KeyId: key }));

    const rotating = (await hank.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    assert.equal(await errorName(hank.send(new EnableKeyRotationCommand({ KeyId: rotating, RotationPeriodInDays: 90 }))), 'AccessDeniedException');
    await hank.send(new EnableKeyRotationCommand({ KeyId: rotating }));

    const external = await newKey({ Origin: 'EXTERNAL' });
    const params = (WrappingAlgorithm: 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256') =>
      hank.send(new GetParametersForImportCommand({ KeyId: external, WrappingAlgorithm, WrappingKeySpec: 'RSA_2048' }));
    assert.equal(await errorName(params('RSAES_OAEP_SHA_1')), 'AccessDeniedException');
    assert.equal(await errorName(params('RSAES_OAEP_SHA_256')), undefined);
  });
});
