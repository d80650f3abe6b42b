// The S3 service: REST-XML, signing name "s3", path-style and virtual-hosted-style addressing
// (<bucket>.<base domain>). Objects are always encrypted at rest (SSE-S3 by default, SSE-KMS through the
// KMS service as the requester, or SSE-C); bucket policies go through the shared authorization engine.
import { buildEvent } from '../../protocol/pipeline.js';
import type { ServiceDeps } from '../../server/registry.js';
import type { RestService } from '../../server/service.js';
import type { KmsService } from '../kms/index.js';
import { S3Edge } from './edge.js';
import type { S3Deps } from './request.js';
import { KmsBridge } from './sse/kms-bridge.js';
import { MasterKeys } from './sse/master-keys.js';
import { ObjectKeys } from './sse/object-keys.js';
import { S3Store } from './store.js';

export interface S3Service extends RestService {
  s3: S3Deps;
}

export async function createS3Service(deps: ServiceDeps): Promise<S3Service> {
  const kmsService = deps.getService('kms') as KmsService | undefined;
  if (!kmsService) throw new Error('the S3 service needs the KMS service (register KMS first)');
  const kms = new KmsBridge(kmsService, deps.clock, async (ctx, operation, params, error) => {
    const event = buildEvent({ ...ctx, operation }, 'kms.amazonaws.com', true, { requestParameters: params, responseElements: null }, error, undefined);
    event.userIdentity.invokedBy = 's3.amazonaws.com';
    event.userAgent = 's3.amazonaws.com';
    await deps.audit.write(event);
  });
  const s3: S3Deps = {
    store: new S3Store(deps.kv),
    blobs: deps.blobs,
    keys: new ObjectKeys(new MasterKeys(deps.kv, deps.barrier, deps.clock), kms),
    kms,
    authorizer: deps.authorizer,
    clock: deps.clock,
  };
  const edge = new S3Edge({
    s3,
    lookup: deps.identity.lookup,
    audit: deps.audit,
    log: deps.log,
    clock: deps.clock,
    baseDomains: deps.config.s3BaseDomain ?? ['s3.localhost'],
  });
  return { protocol: 'rest-xml', signingName: 's3', s3, handle: (req, res, e) => edge.handle(req, res, e) };
}
