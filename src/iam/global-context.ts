// Global condition keys every request carries (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
import type { RequestContext } from '../server/context.js';
import { RequestContextBuilder } from './policy/request-context.js';

export function globalContext(ctx: RequestContext): RequestContextBuilder {
  const p = ctx.principal;
  const b = new RequestContextBuilder()
    .set('aws:SecureTransport', ctx.secureTransport ? 'true' : 'false')
    .set('aws:SourceIp', ctx.sourceIp.replace(/^::ffff:/, ''))
    .set('aws:PrincipalArn', p.arn)
    .set('aws:PrincipalAccount', p.accountId)
    .set('aws:PrincipalType', p.type === 'Root' ? 'Account' : 'User')
    .set('aws:userid', p.principalId)
    .set('aws:CurrentTime', new Date(ctx.now).toISOString())
    .set('aws:EpochTime', String(Math.floor(ctx.now / 1000)))
    .set('aws:RequestedRegion', ctx.region);
  if (p.userName) b.set('aws:username', p.userName);
  if (ctx.viaService) b.set('kms:ViaService', ctx.viaService);
  return b;
}
