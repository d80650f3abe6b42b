// STS (AWS Query protocol, signing name "sts", Version 2011-06-15): GetCallerIdentity, which needs no
// permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
import type { ServiceDeps } from '../../server/registry.js';
import type { QueryService } from '../../server/service.js';

export async function createStsService(_deps: ServiceDeps): Promise<QueryService> {
  return {
    protocol: 'query',
    signingName: 'sts',
    eventSource: 'sts.amazonaws.com',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    operations: new Map([
      [
        'GetCallerIdentity',
        {
          readOnly: true,
          handler: (ctx) => ({ UserId: ctx.principal.principalId, Account: ctx.principal.accountId, Arn: ctx.principal.arn }),
          audit: () => ({ requestParameters: null, responseElements: null }),
        },
      ],
    ]),
  };
}
