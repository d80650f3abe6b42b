// The cost of one authorization decision for a KMS Decrypt, measured in this process, for the two common
// shapes: the root user under the default key policy, and an IAM user allowed by an inline policy with a
// condition through the default key policy (delegation). Compared with the server CPU time per Decrypt
// request measured during part 1, it gives the share of a Decrypt spent deciding.
import { Authorizer } from '../src/iam/authorizer.js';
import type { IdentityStore } from '../src/iam/identity-store.js';
import { cachedPolicy } from '../src/iam/policy/document.js';
import type { Principal } from '../src/iam/principal.js';
import type { RequestContext } from '../src/server/context.js';
import { defaultKeyPolicy } from '../src/services/kms/domain/policy.js';

const ACCT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const root: Principal = { type: 'Root', accountId: ACCT, arn: `arn:aws:iam::${ACCT}:root`, principalId: ACCT, accessKeyId: 'AKIAROOT' };
const user: Principal = {
  type: 'IAMUser',
  accountId: ACCT,
  arn: `arn:aws:iam::${ACCT}:user/app`,
  principalId: 'AIDAAPP',
  userName: 'app',
  accessKeyId: 'AKIAAPP',
};
const inline = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY, Condition: { StringEquals: { 'kms:EncryptionContext:app': 'web' } } },
  ],
});

export interface AuthzFigures {
  rootDecisionMicros: number;
  userDecisionMicros: number;
}

function measure(authorizer: Authorizer, principal: Principal): number {
  const ctx: RequestContext = {
    requestId: 'r',
    now: Date.now(),
    region: 'us-east-1',
    principal,
    sourceIp: '127.0.0.1',
    userAgent: 'bench',
    secureTransport: true,
    operation: 'Decrypt',
    conditionKeys: new Map([['kms:encryptioncontext:app', ['web']]]),
  };
  const check = { action: 'kms:Decrypt', resource: KEY, resourceAccount: ACCT, resourcePolicy: defaultKeyPolicy(ACCT), resourcePolicyRequired: true };
  for (let i = 0; i < 20_000; i++) authorizer.decide(ctx, check);
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) if (!authorizer.decide(ctx, check).allowed) throw new Error('bench decision denied');
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

export function authzBench(): AuthzFigures {
  const policies = [cachedPolicy(inline, 'identity')];
  const identity = { policiesOf: (p: Principal) => (p.userName ? policies : []) } as unknown as IdentityStore;
  const authorizer = new Authorizer(identity);
  return { rootDecisionMicros: measure(authorizer, root), userDecisionMicros: measure(authorizer, user) };
}
