// Global condition keys every request carries (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
// resolved lazily by name.
import type { RequestContext } from '../server/context.js';

export function globalKey(ctx: RequestContext, key: string): ReadonlyArray<string> | undefined {
  const p = ctx.principal;
  // An anonymous request has no principal keys but its type (AWS documents aws:PrincipalType "Anonymous").
  if (p.type === 'Anonymous' && ['aws:principalarn', 'aws:principalaccount', 'aws:userid', 'aws:username'].includes(key)) return undefined;
  switch (key) {
    case 'aws:securetransport':
      return [ctx.secureTransport ? 'true' : 'false'];
    case 'aws:sourceip':
      return ctx.sourceIp ? [ctx.sourceIp.replace(/^::ffff:/, '')] : undefined;
    case 'aws:principalarn':
      return [p.arn];
    case 'aws:principalaccount':
      return [p.accountId];
    case 'aws:principaltype':
      return [p.type === 'Root' ? 'Account' : p.type === 'Anonymous' ? 'Anonymous' : 'User'];
    case 'aws:userid':
      return [p.principalId];
    case 'aws:username':
      return p.userName ? [p.userName] : undefined;
    case 'aws:currenttime':
      return [new Date(ctx.now).toISOString()];
    case 'aws:epochtime':
      return [String(Math.floor(ctx.now / 1000))];
    case 'aws:requestedregion':
      return [ctx.region];
    default:
      return undefined;
  }
}
