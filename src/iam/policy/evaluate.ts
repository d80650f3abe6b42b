// Statement matching and the per-policy result the decision logic (../authorize.ts) combines:
// whether any statement explicitly denies, and whether one allows the principal directly or through
// its account (a resource policy naming "arn:aws:iam::<acct>:root" delegates to that account's IAM).
import type { Principal } from '../principal.js';
import type { PolicyDocument, PrincipalSpec, Statement } from './document.js';
import { evaluateCondition } from './conditions.js';
import type { ContextValues } from './request-context.js';
import { hasEscapes, substitute, UNRESOLVED } from './variables.js';
import { arnMatch, wildcardMatch } from './wildcard.js';

export interface EvalRequest {
  principal: Principal;
  /** e.g. "kms:Decrypt" */
  action: string;
  /** The resource ARN, or "*" for actions without one (ListKeys, CreateKey...). */
  resource: string;
  context: ContextValues;
}

/** How a principal element matched: directly (user ARN or "*"), or through the account. */
export type PrincipalMatch = 'direct' | 'account' | false;

export interface PolicyResult {
  deny: boolean;
  allow: PrincipalMatch;
}

function matchPrincipalSpec(spec: PrincipalSpec, p: Principal): PrincipalMatch {
  if (spec.any) return 'direct';
  let best: PrincipalMatch = false;
  for (const entry of spec.aws) {
    if (entry === p.arn) return 'direct';
    if (entry === p.accountId || entry === `arn:aws:iam::${p.accountId}:root`) best = p.type === 'Root' ? 'direct' : 'account';
    else if (entry.includes('*') && wildcardMatch(entry, p.arn)) return 'direct';
  }
  return best;
}

function principalMatches(s: Statement, p: Principal): PrincipalMatch {
  if (s.principal) return matchPrincipalSpec(s.principal, p);
  if (s.notPrincipal) return matchPrincipalSpec(s.notPrincipal, p) ? false : 'direct';
  return 'direct'; // identity policies apply to the principal they are attached to
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.action) return s.action.some((a) => wildcardMatch(a, action, true));
  return !s.notAction!.some((a) => wildcardMatch(a, action, true));
}

function resourceMatches(s: Statement, resource: string, ctx: ContextValues, vars: boolean): boolean {
  const match = (pattern: string) => {
    const p = substitute(pattern, ctx, vars);
    if (p === UNRESOLVED) return false;
    if (hasEscapes(p)) return p.split('\u0001').join('') === resource;
    return resource === '*' ? p === '*' || p.endsWith(':*') || p === resource : arnMatch(p, resource);
  };
  if (s.resource) return s.resource.some(match);
  if (s.notResource) return !s.notResource.some(match);
  return true; // key policies may omit Resource: it is the key itself
}

export function evaluatePolicy(doc: PolicyDocument, req: EvalRequest): PolicyResult {
  const vars = doc.version === '2012-10-17';
  let deny = false;
  let allow: PrincipalMatch = false;
  for (const s of doc.statements) {
    const pm = principalMatches(s, req.principal);
    if (!pm || !actionMatches(s, req.action) || !resourceMatches(s, req.resource, req.context, vars)) continue;
    if (!s.conditions.every((c) => evaluateCondition(c, req.context, vars))) continue;
    if (s.effect === 'Deny') deny = true;
    else if (pm === 'direct' || !allow) allow = pm;
  }
  return { deny, allow };
}
