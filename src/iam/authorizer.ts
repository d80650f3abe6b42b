// Decides requests for every service: gathers the caller's identity policies, evaluates them with the
// resource policy and grants (./authorize.ts), and phrases denials as AWS does. Parsed policies are
// cached by text, and identity policies per user, so a decision costs a few statement matches.
import type { RequestContext } from '../server/context.js';
import { authorize, type Decision } from './authorize.js';
import { globalKey } from './global-context.js';
import type { IdentityStore } from './identity-store.js';
import { cachedPolicy } from './policy/document.js';
import { LazyContext } from './policy/request-context.js';

export interface Check {
  action: string;
  resource: string;
  resourceAccount?: string;
  /** Resource policy text (key policy, bucket policy). */
  resourcePolicy?: string;
  resourcePolicyRequired?: boolean;
  grantAllows?: boolean;
  /** Condition keys the resource policy does not see (authorize.ts). */
  identityOnlyKeys?: ReadonlySet<string>;
}

export class Authorizer {
  constructor(private readonly identity: IdentityStore) {}

  /**
   * `serviceKeys` supplies the service's condition keys (they take precedence over ctx.conditionKeys); it
   * runs only if a policy condition reads a key, which most policies (the default key policy) never do.
   */
  decide(ctx: RequestContext, check: Check, serviceKeys?: () => ReadonlyMap<string, ReadonlyArray<string>>): Decision {
    let own: ReadonlyMap<string, ReadonlyArray<string>> | undefined;
    const context = new LazyContext((k) => {
      if (serviceKeys) own ??= serviceKeys();
      return own?.get(k) ?? ctx.conditionKeys?.get(k) ?? globalKey(ctx, k);
    });
    return authorize({
      request: { principal: ctx.principal, action: check.action, resource: check.resource, context },
      resourceAccount: check.resourceAccount,
      ...(check.resourcePolicy !== undefined ? { resourcePolicy: cachedPolicy(check.resourcePolicy, 'resource') } : {}),
      resourcePolicyRequired: check.resourcePolicyRequired,
      identityPolicies: this.identity.policiesOf(ctx.principal),
      grantAllows: check.grantAllows,
      identityOnlyKeys: check.identityOnlyKeys,
    });
  }

  /** AWS's denial text: who, what, on which resource, and why. */
  static message(ctx: RequestContext, check: Check, decision: Exclude<Decision, { allowed: true }>): string {
    const why =
      decision.reason === 'explicit'
        ? 'with an explicit deny in a policy'
        : `because no ${check.resourcePolicyRequired ? 'resource-based' : 'identity-based'} policy allows the ${check.action} action`;
    return `User: ${ctx.principal.arn} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`;
  }
}
