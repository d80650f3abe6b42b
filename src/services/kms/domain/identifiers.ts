// The four ways a request names a KMS key (API reference, KeyId parameter): key id, key ARN, alias
// name, alias ARN. Parsing is pure; resolution against the store is in resolve.ts.
export type KeyRef =
  | { kind: 'keyId'; keyId: string }
  | { kind: 'keyArn'; region: string; accountId: string; keyId: string }
  | { kind: 'alias'; aliasName: string }
  | { kind: 'aliasArn'; region: string; accountId: string; aliasName: string };

// A multi-Region key's id is `mrk-` and 32 hex digits (API reference, KeyId). Keyhold makes none, but such an
// id is well formed: AWS answers "Key '<arn>' does not exist" for an unknown one, not "Invalid keyId".
export const KEY_ID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
export const ALIAS_NAME_RE = /^alias\/[a-zA-Z0-9/_-]+$/;
const ARN_RE = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

export function parseKeyRef(input: string): KeyRef | undefined {
  if (KEY_ID_RE.test(input)) return { kind: 'keyId', keyId: input };
  if (input.startsWith('alias/')) return ALIAS_NAME_RE.test(input) ? { kind: 'alias', aliasName: input } : undefined;
  const m = ARN_RE.exec(input);
  if (!m) return undefined;
  const [, region, accountId, resource] = m as unknown as [string, string, string, string];
  if (resource.startsWith('key/')) {
    const keyId = resource.slice(4);
    return KEY_ID_RE.test(keyId) ? { kind: 'keyArn', region, accountId, keyId } : undefined;
  }
  return ALIAS_NAME_RE.test(resource) ? { kind: 'aliasArn', region, accountId, aliasName: resource } : undefined;
}

/** AWS managed key aliases Keyhold creates on first use (kms.md §5, "AWS managed key aliases"). */
export const MANAGED_ALIASES: ReadonlySet<string> = new Set([
  'alias/aws/acm',
  'alias/aws/dynamodb',
  'alias/aws/ebs',
  'alias/aws/elasticfilesystem',
  'alias/aws/es',
  'alias/aws/glue',
  'alias/aws/kinesisvideo',
  'alias/aws/lambda',
  'alias/aws/rds',
  'alias/aws/redshift',
  'alias/aws/s3',
  'alias/aws/secretsmanager',
  'alias/aws/ssm',
  'alias/aws/xray',
]);

// What each AWS managed key protects, in its Description. Recorded from AWS (localstack's snapshots): "my S3
// objects" and "my DynamoDB data"; the others follow the recorded pattern with the service's own name.
const MANAGED_KEY_SUBJECTS: Readonly<Record<string, string>> = {
  acm: 'ACM data',
  dynamodb: 'DynamoDB data',
  ebs: 'EBS data',
  elasticfilesystem: 'Elastic File System data',
  es: 'Elasticsearch data',
  glue: 'Glue data',
  kinesisvideo: 'Kinesis Video Streams data',
  lambda: 'Lambda data',
  rds: 'RDS data',
  redshift: 'Redshift data',
  s3: 'S3 objects',
  secretsmanager: 'Secrets Manager data',
  ssm: 'SSM data',
  xray: 'X-Ray data',
};

/** The Description of the AWS managed key behind alias/aws/<service>. */
export function managedKeyDescription(service: string): string {
  return `Default key that protects my ${MANAGED_KEY_SUBJECTS[service] ?? `${service.toUpperCase()} data`} when no other key is defined`;
}
