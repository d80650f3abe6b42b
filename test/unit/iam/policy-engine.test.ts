// The policy engine, table-driven from AWS's documented evaluation rules and examples, plus a property:
// adding a Deny statement never widens access.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { authorize, type AuthorizeInput } from '../../../src/iam/authorize.js';
import { parsePolicy, PolicyError } from '../../../src/iam/policy/document.js';
import { RequestContextBuilder } from '../../../src/iam/policy/request-context.js';
import type { Principal } from '../../../src/iam/principal.js';

const ACCT = '111122223333';
const OTHER = '444455556666';
const alice: Principal = {
  type: 'IAMUser',
  accountId: ACCT,
  arn: `arn:aws:iam::${ACCT}:user/alice`,
  principalId: 'AIDAALICE',
  userName: 'alice',
  accessKeyId: 'AKIAALICE',
};
const root: Principal = { type: 'Root', accountId: ACCT, arn: `arn:aws:iam::${ACCT}:root`, principalId: ACCT, accessKeyId: 'AKIAROOT' };
const bob: Principal = {
  type: 'IAMUser',
  accountId: OTHER,
  arn: `arn:aws:iam::${OTHER}:user/bob`,
  principalId: 'AIDABOB',
  userName: 'bob',
  accessKeyId: 'AKIABOB',
};
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const identity = (...statements: object[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'identity' });
const resource = (...statements: object[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { kind: 'resource' });
const defaultKeyPolicy = resource({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' });

function ctx(entries: Record<string, string | string[]> = {}) {
  const b = new RequestContextBuilder();
  for (const [k, v] of Object.entries(entries)) b.set(k, v);
  b.set('aws:username', 'alice').set('aws:PrincipalAccount', ACCT);
  return b.build();
}

function decide(principal: Principal, action: string, input: Partial<AuthorizeInput> & { context?: ReturnType<typeof ctx> }) {
  return authorize({ request: { principal, action, resource: KEY, context: input.context ?? ctx() }, identityPolicies: [], ...input }).allowed;
}

describe('evaluation logic (KMS: key policy required)', () => {
  it('default key policy: root allowed; IAM user needs an identity policy', () => {
    assert.equal(decide(root, 'kms:Decrypt', { resourcePolicy: defaultKeyPolicy, resourcePolicyRequired: true, resourceAccount: ACCT }), true);
    assert.equal(decide(alice, 'kms:Decrypt', { resourcePolicy: defaultKeyPolicy, resourcePolicyRequired: true, resourceAccount: ACCT }), false);
    const allowDecrypt = identity({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY });
    assert.equal(
      decide(alice, 'kms:Decrypt', { resourcePolicy: defaultKeyPolicy, resourcePolicyRequired: true, resourceAccount: ACCT, identityPolicies: [allowDecrypt] }),
      true,
    );
    assert.equal(
      decide(alice, 'kms:Encrypt', { resourcePolicy: defaultKeyPolicy, resourcePolicyRequired: true, resourceAccount: ACCT, identityPolicies: [allowDecrypt] }),
      false,
    );
  });

  it('IAM alone cannot open a key whose policy does not delegate to the account', () => {
    const onlyBobDirect = resource({ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:*', Resource: '*' });
    const allowAll = identity({ Effect: 'Allow', Action: '*', Resource: '*' });
    assert.equal(
      decide(alice, 'kms:Decrypt', { resourcePolicy: onlyBobDirect, resourcePolicyRequired: true, resourceAccount: ACCT, identityPolicies: [allowAll] }),
      false,
    );
    assert.equal(
      decide(root, 'kms:Decrypt', { resourcePolicy: onlyBobDirect, resourcePolicyRequired: true, resourceAccount: ACCT }),
      false,
      'even root is locked out',
    );
  });

  it('a key policy naming the user allows without an identity policy', () => {
    const direct = resource({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*' });
    assert.equal(decide(alice, 'kms:Decrypt', { resourcePolicy: direct, resourcePolicyRequired: true, resourceAccount: ACCT }), true);
  });

  it('explicit Deny wins over every Allow, in either policy', () => {
    const denyDecrypt = identity({ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' });
    const allowAll = identity({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    assert.equal(
      decide(alice, 'kms:Decrypt', {
        resourcePolicy: defaultKeyPolicy,
        resourcePolicyRequired: true,
        resourceAccount: ACCT,
        identityPolicies: [allowAll, denyDecrypt],
      }),
      false,
    );
    const keyDeny = resource(
      { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:Decrypt', Resource: '*' },
    );
    assert.equal(
      decide(alice, 'kms:Decrypt', { resourcePolicy: keyDeny, resourcePolicyRequired: true, resourceAccount: ACCT }),
      false,
      'an account principal in a Deny covers its users',
    );
    assert.equal(decide(root, 'kms:Decrypt', { resourcePolicy: keyDeny, resourcePolicyRequired: true, resourceAccount: ACCT }), false);
    assert.equal(
      decide(alice, 'kms:Decrypt', { resourcePolicy: keyDeny, resourcePolicyRequired: true, resourceAccount: ACCT, grantAllows: true }),
      false,
      'a grant does not override a deny',
    );
  });

  it('cross-account: the key policy must allow the other account and its IAM policy must allow too', () => {
    const shared = resource({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'kms:Decrypt', Resource: '*' });
    const bobAllow = identity({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY });
    assert.equal(decide(bob, 'kms:Decrypt', { resourcePolicy: shared, resourcePolicyRequired: true, resourceAccount: ACCT }), false);
    assert.equal(
      decide(bob, 'kms:Decrypt', { resourcePolicy: shared, resourcePolicyRequired: true, resourceAccount: ACCT, identityPolicies: [bobAllow] }),
      true,
    );
    assert.equal(
      decide(bob, 'kms:Decrypt', { resourcePolicy: defaultKeyPolicy, resourcePolicyRequired: true, resourceAccount: ACCT, identityPolicies: [bobAllow] }),
      false,
    );
  });

  it('grants allow their operations', () => {
    assert.equal(
      decide(alice, 'kms:Decrypt', { resourcePolicy: defaultKeyPolicy, resourcePolicyRequired: true, resourceAccount: ACCT, grantAllows: true }),
      true,
    );
  });
});

describe('statement elements', () => {
  const withKey = (p: ReturnType<typeof identity>, action: string, context = ctx(), resourceArn = KEY) =>
    authorize({ request: { principal: alice, action, resource: resourceArn, context }, identityPolicies: [p] }).allowed;

  it('Action wildcards are case-insensitive; NotAction inverts', () => {
    assert.equal(withKey(identity({ Effect: 'Allow', Action: 'kms:Gen*', Resource: '*' }), 'kms:GenerateDataKey'), true);
    assert.equal(withKey(identity({ Effect: 'Allow', Action: 'KMS:decrypt', Resource: '*' }), 'kms:Decrypt'), true);
    assert.equal(withKey(identity({ Effect: 'Allow', Action: 'kms:?ncrypt', Resource: '*' }), 'kms:Encrypt'), true);
    assert.equal(withKey(identity({ Effect: 'Allow', NotAction: 'kms:Decrypt', Resource: '*' }), 'kms:Decrypt'), false);
    assert.equal(withKey(identity({ Effect: 'Allow', NotAction: 'kms:Decrypt', Resource: '*' }), 'kms:Encrypt'), true);
  });

  it('Resource ARN wildcards and NotResource', () => {
    assert.equal(withKey(identity({ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:*:111122223333:key/*' }), 'kms:Decrypt'), true);
    assert.equal(withKey(identity({ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:eu-west-1:*:key/*' }), 'kms:Decrypt'), false);
    assert.equal(withKey(identity({ Effect: 'Allow', Action: 'kms:*', NotResource: KEY }), 'kms:Decrypt'), false);
  });

  const cond = (c: object, context: ReturnType<typeof ctx>, action = 'kms:Decrypt') =>
    withKey(identity({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: c }), action, context);

  const cases: Array<[string, object, Record<string, string | string[]>, boolean]> = [
    ['StringEquals match', { StringEquals: { 'kms:EncryptionContext:app': 'web' } }, { 'kms:EncryptionContext:app': 'web' }, true],
    ['StringEquals other value', { StringEquals: { 'kms:EncryptionContext:app': 'web' } }, { 'kms:EncryptionContext:app': 'db' }, false],
    ['StringEquals missing key', { StringEquals: { 'kms:EncryptionContext:app': 'web' } }, {}, false],
    ['StringEquals any of several values', { StringEquals: { 'kms:EncryptionContext:app': ['db', 'web'] } }, { 'kms:EncryptionContext:app': 'web' }, true],
    ['condition key names are case-insensitive', { StringEquals: { 'KMS:ENCRYPTIONCONTEXT:APP': 'web' } }, { 'kms:EncryptionContext:app': 'web' }, true],
    ['StringNotEquals', { StringNotEquals: { 'aws:username': 'bob' } }, {}, true],
    ['StringNotEquals missing key is true', { StringNotEquals: { 'kms:EncryptionContext:x': 'y' } }, {}, true],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'kms:EncryptionContext:app': 'WEB' } }, { 'kms:EncryptionContext:app': 'web' }, true],
    ['StringLike', { StringLike: { 'kms:EncryptionContext:path': 'home/*/docs' } }, { 'kms:EncryptionContext:path': 'home/alice/docs' }, true],
    ['StringNotLike', { StringNotLike: { 'kms:EncryptionContext:path': 'home/*' } }, { 'kms:EncryptionContext:path': 'home/alice' }, false],
    ['StringEqualsIfExists missing', { StringEqualsIfExists: { 'kms:EncryptionContext:app': 'web' } }, {}, true],
    ['StringEqualsIfExists present wrong', { StringEqualsIfExists: { 'kms:EncryptionContext:app': 'web' } }, { 'kms:EncryptionContext:app': 'db' }, false],
    ['NumericLessThan', { NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': '5' }, true],
    ['NumericGreaterThanEquals false', { NumericGreaterThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '5' }, false],
    ['NumericEquals not a number', { NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': 'ten' }, false],
    ['DateLessThan', { DateLessThan: { 'aws:CurrentTime': '2100-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-11-28T00:00:00Z' }, true],
    ['DateGreaterThan epoch', { DateGreaterThan: { 'aws:CurrentTime': '4102444800' } }, { 'aws:CurrentTime': '2026-11-28T00:00:00Z' }, false],
    ['Bool true', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' }, true],
    ['Bool false over TLS', { Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' }, false],
    ['Null true when absent', { Null: { 'kms:EncryptionContext:app': 'true' } }, {}, true],
    ['Null false when present', { Null: { 'kms:EncryptionContext:app': 'false' } }, { 'kms:EncryptionContext:app': 'x' }, true],
    ['IpAddress v4', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.1.2.3' }, true],
    ['IpAddress v4 outside', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '192.168.0.1' }, false],
    ['NotIpAddress', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '192.168.0.1' }, true],
    ['IpAddress v6', { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '2001:db8:1::5' }, true],
    ['IpAddress single host', { IpAddress: { 'aws:SourceIp': '127.0.0.1' } }, { 'aws:SourceIp': '127.0.0.1' }, true],
    ['ArnLike', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/ali*' } }, { 'aws:PrincipalArn': alice.arn }, true],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:PrincipalArn': alice.arn } }, { 'aws:PrincipalArn': alice.arn }, false],
    [
      'ForAnyValue:StringEquals',
      { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b'] } },
      { 'kms:EncryptionContextKeys': ['b', 'z'] },
      true,
    ],
    ['ForAnyValue missing is false', { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['a'] } }, {}, false],
    [
      'ForAllValues:StringEquals subset',
      { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b'] } },
      { 'kms:EncryptionContextKeys': ['a'] },
      true,
    ],
    [
      'ForAllValues:StringEquals extra key',
      { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b'] } },
      { 'kms:EncryptionContextKeys': ['a', 'c'] },
      false,
    ],
    ['ForAllValues missing is true', { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a'] } }, {}, true],
    ['variables: ${aws:username}', { StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': 'alice' }, true],
    ['variables: other user', { StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': 'bob' }, false],
    ['variables: ${aws:PrincipalAccount}', { StringEquals: { 'kms:CallerAccount': '${aws:PrincipalAccount}' } }, { 'kms:CallerAccount': ACCT }, true],
    [
      'variables: default value',
      { StringEquals: { 'kms:EncryptionContext:team': "${aws:PrincipalTag/team, 'none'}" } },
      { 'kms:EncryptionContext:team': 'none' },
      true,
    ],
    ['several keys are AND', { StringEquals: { 'kms:EncryptionContext:a': '1', 'kms:EncryptionContext:b': '2' } }, { 'kms:EncryptionContext:a': '1' }, false],
    [
      'several operators are AND',
      { StringEquals: { 'kms:EncryptionContext:a': '1' }, Bool: { 'aws:SecureTransport': 'true' } },
      { 'kms:EncryptionContext:a': '1', 'aws:SecureTransport': 'false' },
      false,
    ],
  ];
  for (const [name, c, context, expected] of cases) {
    it(`Condition: ${name}`, () => assert.equal(cond(c, ctx(context)), expected));
  }

  it('policy variables in Resource (Version 2012-10-17 only)', () => {
    const p = identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' });
    assert.equal(withKey(p, 's3:GetObject', ctx(), 'arn:aws:s3:::home/alice/notes.txt'), true);
    assert.equal(withKey(p, 's3:GetObject', ctx(), 'arn:aws:s3:::home/bob/notes.txt'), false);
    const old = parsePolicy(
      JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' }] }),
      { kind: 'identity' },
    );
    assert.equal(withKey(old, 's3:GetObject', ctx(), 'arn:aws:s3:::home/alice/notes.txt'), false);
  });

  it('NotPrincipal in a resource policy', () => {
    const p = resource(
      { Effect: 'Deny', NotPrincipal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' },
    );
    const input = { resourcePolicy: p, resourcePolicyRequired: true, resourceAccount: ACCT };
    assert.equal(decide(alice, 'kms:Decrypt', input), true);
    assert.equal(decide(root, 'kms:Decrypt', input), false);
  });
});

describe('policy validation', () => {
  const bad: Array<[string, object | string, 'resource' | 'identity']> = [
    ['not JSON', '{', 'identity'],
    ['no statements', { Version: '2012-10-17', Statement: [] }, 'identity'],
    ['bad effect', { Statement: [{ Effect: 'Maybe', Action: 'kms:*', Resource: '*' }] }, 'identity'],
    ['no action', { Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'identity'],
    ['action without vendor', { Statement: [{ Effect: 'Allow', Action: 'Decrypt', Resource: '*' }] }, 'identity'],
    ['both Action and NotAction', { Statement: [{ Effect: 'Allow', Action: 'kms:*', NotAction: 'kms:Decrypt', Resource: '*' }] }, 'identity'],
    ['principal in identity policy', { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }] }, 'identity'],
    ['no principal in resource policy', { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }, 'resource'],
    ['bad principal', { Statement: [{ Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 'kms:*', Resource: '*' }] }, 'resource'],
    ['unknown operator', { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: { StringSortOf: { a: 'b' } } }] }, 'identity'],
    ['bad version', { Version: '2020-01-01', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }, 'identity'],
    ['unknown element', { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*', Extra: 1 }] }, 'identity'],
    // String() of this Sid called its "toString" member and threw a TypeError (a 500 on the wire).
    ['a Sid that is not a string', { Statement: [{ Sid: { toString: '' }, Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }, 'identity'],
  ];
  for (const [name, doc, kind] of bad) {
    it(`refuses: ${name}`, () => assert.throws(() => parsePolicy(typeof doc === 'string' ? doc : JSON.stringify(doc), { kind }), PolicyError));
  }
});

describe('property: adding a Deny never widens access', () => {
  const actions = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateKey', 's3:GetObject'];
  const actionPattern = fc.constantFrom('kms:*', 'kms:Decrypt', 'kms:Encrypt', 'kms:Gen*', '*', 's3:*');
  const resourcePattern = fc.constantFrom('*', KEY, 'arn:aws:kms:*:*:key/*', 'arn:aws:kms:eu-west-1:*:key/*');
  const condition = fc.option(
    fc.constantFrom(
      { StringEquals: { 'kms:EncryptionContext:app': 'web' } },
      { Bool: { 'aws:SecureTransport': 'true' } },
      { Null: { 'kms:EncryptionContext:app': 'true' } },
    ),
    { nil: undefined },
  );
  const stmt = (effect: fc.Arbitrary<string>) =>
    fc
      .record({ Effect: effect, Action: actionPattern, Resource: resourcePattern, Condition: condition })
      .map((s) => (s.Condition ? s : { Effect: s.Effect, Action: s.Action, Resource: s.Resource }));
  const principalEntry = fc.constantFrom(`arn:aws:iam::${ACCT}:root`, alice.arn, '*', bob.arn);
  const keyStmt = (effect: fc.Arbitrary<string>) =>
    fc
      .record({ Effect: effect, Principal: principalEntry.map((p) => ({ AWS: p })), Action: actionPattern, Resource: fc.constant('*'), Condition: condition })
      .map((s) => (s.Condition ? s : { ...s, Condition: undefined }));

  it('holds for random identity and key policies, principals, actions and contexts', () => {
    fc.assert(
      fc.property(
        fc.array(stmt(fc.constantFrom('Allow', 'Deny')), { minLength: 1, maxLength: 4 }),
        fc.array(keyStmt(fc.constantFrom('Allow', 'Deny')), { minLength: 1, maxLength: 4 }),
        stmt(fc.constant('Deny')),
        fc.boolean(),
        fc.constantFrom(alice, root, bob),
        fc.constantFrom(...actions),
        fc.record({ app: fc.constantFrom('web', 'db'), tls: fc.boolean() }),
        (idStmts, keyStmts, extraDeny, denyInKeyPolicy, principal, action, c) => {
          const clean = (s: object) => JSON.parse(JSON.stringify(s));
          const context = ctx({ 'kms:EncryptionContext:app': c.app, 'aws:SecureTransport': String(c.tls) });
          const input = (ids: object[], keys: object[]): AuthorizeInput => ({
            request: { principal, action, resource: KEY, context },
            identityPolicies: [identity(...ids.map(clean))],
            resourcePolicy: resource(...keys.map(clean)),
            resourcePolicyRequired: true,
            resourceAccount: ACCT,
          });
          const before = authorize(input(idStmts, keyStmts)).allowed;
          const after = denyInKeyPolicy
            ? authorize(input(idStmts, [...keyStmts, { ...clean(extraDeny), Principal: '*' }])).allowed
            : authorize(input([...idStmts, extraDeny], keyStmts)).allowed;
          assert.ok(!after || before, 'a Deny made something allowed');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
