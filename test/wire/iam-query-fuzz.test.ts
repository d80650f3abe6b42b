// The AWS query protocol (IAM, and STS's GetCallerIdentity), fed a valid form body per action with one to three
// parameters mutated, removed or added, by a seeded property: the answer is a 2xx or a 4xx query-protocol
// error document, never a 5xx, and the server keeps serving. KEYHOLD_FUZZ_RUNS, KEYHOLD_FUZZ_SEED and
// KEYHOLD_FUZZ_STATS as in kms-field-fuzz.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import fc from 'fast-check';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { printable } from '../helpers/fuzz-values.js';
import { kvDigest } from '../helpers/kv-digest.js';
import { queryCall } from '../helpers/raw-request.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('IAM and STS query actions fed hostile parameters (property)', () => {
  let s: TestServer;
  let valid: Record<string, string>[];
  let known: string[];
  before(async () => {
    s = await startTestServer();
    const iam = s.iam();
    await iam.send(new CreateUserCommand({ UserName: 'fuzz' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'fuzz' }))).AccessKey!.AccessKeyId!;
    const spare = (await iam.send(new CreateAccessKeyCommand({ UserName: 'fuzz' }))).AccessKey!.AccessKeyId!;
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });
    const iamAction = (Action: string, params: Record<string, string> = {}) => ({ Action, Version: '2010-05-08', ...params });
    valid = [
      iamAction('CreateUser', { UserName: 'fuzz-new', Path: '/fz/', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v' }),
      iamAction('GetUser', { UserName: 'fuzz' }),
      iamAction('UpdateUser', { UserName: 'fuzz', NewPath: '/fz/' }),
      iamAction('ListUsers', { PathPrefix: '/', MaxItems: '10' }),
      iamAction('DeleteUser', { UserName: 'fuzz-new' }),
      iamAction('CreateAccessKey', { UserName: 'fuzz' }),
      iamAction('ListAccessKeys', { UserName: 'fuzz', MaxItems: '10' }),
      iamAction('UpdateAccessKey', { UserName: 'fuzz', AccessKeyId: key, Status: 'Inactive' }),
      iamAction('DeleteAccessKey', { UserName: 'fuzz', AccessKeyId: spare }),
      iamAction('GetAccessKeyLastUsed', { AccessKeyId: key }),
      iamAction('PutUserPolicy', { UserName: 'fuzz', PolicyName: 'p', PolicyDocument: policy }),
      iamAction('GetUserPolicy', { UserName: 'fuzz', PolicyName: 'p' }),
      iamAction('ListUserPolicies', { UserName: 'fuzz', MaxItems: '10' }),
      iamAction('DeleteUserPolicy', { UserName: 'fuzz', PolicyName: 'p' }),
      { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    ];
    known = [key, spare, 'fuzz', 'fuzz-new', 'Active', 'Inactive', policy, '/', '/fz/', '2010-05-08', '2011-06-15', 'CreateUser', 'GetCallerIdentity'];
  });
  after(() => s.stop());

  it('answers every request with 2xx or a 4xx error document, never 5xx', async () => {
    const line = printable(40);
    const text = fc.oneof(
      fc.constantFrom(...known),
      line,
      fc.string(),
      fc.constantFrom(
        '',
        ' ',
        '-1',
        '0',
        '1',
        '1001',
        '99999999999999999999',
        '1.5',
        'x'.repeat(70_000),
        '{',
        '{"Version":"2012-10-17"}',
        'arn:aws:iam::000000000000:user/x',
      ),
    );
    const names = fc.constantFrom(
      'Action',
      'Version',
      'UserName',
      'Path',
      'PathPrefix',
      'MaxItems',
      'Marker',
      'AccessKeyId',
      'Status',
      'PolicyName',
      'PolicyDocument',
    );
    const extra = fc.constantFrom(
      'Tags.member.1.Key',
      'Tags.member.1.Value',
      'Tags.member.2.Key',
      'Tags.member.51.Key',
      'Tags.member.0.Key',
      'Tags.member',
      'PermissionsBoundary',
    );
    const mutation = fc.tuple(fc.oneof(names, extra, line), fc.option(text, { freq: 5 }));
    const request = fc.tuple(fc.constantFrom(...valid), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([params, mutations]) => {
      const q: Record<string, string> = { ...params };
      for (const [name, value] of mutations) {
        if (value === null) delete q[name];
        else q[name] = value;
      }
      return q;
    });
    const state = kvDigest(s.dataDir);
    await fc
      .assert(
        fc.asyncProperty(request, async (q) => {
          const service = q.Version === '2011-06-15' ? 'sts' : 'iam';
          const before = state.read();
          const r = await queryCall(s.endpoint, s.agent, q, { credentials: s.credentials, service });
          const what = `${JSON.stringify(q).slice(0, 400)} -> ${r.status} ${r.body.slice(0, 300)}`;
          countOutcome(`${q.Action} ${r.status} ${/<Code>([\w.]+)/.exec(r.body)?.[1] ?? ''}`);
          assert.ok(r.status < 500, what);
          if (r.status >= 400) assert.match(r.body, /<ErrorResponse[\s\S]*<Code>[\w.]+<\/Code>/, what);
          if (r.status >= 400) assert.deepEqual(state.read(), before, `refused, yet changed state: ${JSON.stringify(q).slice(0, 300)}`);
        }),
        { numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 300), seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129), includeErrorInReport: true },
      )
      .finally(() => state.close());
  });
});
