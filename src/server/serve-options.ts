// The options of `keyhold serve` (flags, KEYHOLD_* variables, config file keys).
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import type { OptionSpec } from '../cli/options.js';

export const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const DNS_NAME_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

export const SERVE_OPTIONS: ReadonlyArray<OptionSpec> = [
  { name: 'data-dir', env: 'KEYHOLD_DATA_DIR', type: 'string', default: '.keyhold', help: 'directory holding all state (database, blobs, keys, audit)' },
  {
    name: 'host',
    env: 'KEYHOLD_HOST',
    type: 'string',
    default: '127.0.0.1',
    help: 'address to listen on',
    validate: (v) => (isIP(String(v)) || v === 'localhost' ? undefined : `'${String(v)}' is not an IP address (or localhost)`),
  },
  { name: 'port', env: 'KEYHOLD_PORT', type: 'port', default: 8443, help: 'HTTPS port (0 picks a free port)' },
  {
    name: 'region',
    env: 'KEYHOLD_REGION',
    type: 'string',
    default: 'us-east-1',
    help: 'default region for requests and clients that name none (every region is served, isolated by the SigV4 scope)',
    validate: (v) => (REGION_RE.test(String(v)) ? undefined : `'${String(v)}' is not a region name such as us-east-1`),
  },
  {
    name: 'tls-name',
    env: 'KEYHOLD_TLS_NAMES',
    type: 'list',
    default: [],
    help: 'extra DNS name or IP address for the listener certificate (repeatable, or comma-separated)',
    validate: (v) => {
      const bad = (v as string[]).find((n) => !isIP(n) && !DNS_NAME_RE.test(n));
      return bad ? `'${bad}' is not a DNS name or IP address` : undefined;
    },
  },
  { name: 'http-port', env: 'KEYHOLD_HTTP_PORT', type: 'port', help: 'also listen on plain HTTP on this port (off by default; for tools that cannot do TLS)' },
  {
    name: 'metrics-token-file',
    env: 'KEYHOLD_METRICS_TOKEN_FILE',
    type: 'string',
    help: 'serve GET /metrics (Prometheus) to requests bearing the token in this file (Authorization: Bearer); off by default',
  },
  {
    name: 'log-level',
    env: 'KEYHOLD_LOG_LEVEL',
    type: 'string',
    default: 'info',
    help: 'operational log level',
    validate: (v) =>
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(String(v)) ? undefined : 'use fatal, error, warn, info, debug, trace or silent',
  },
  {
    name: 'kms-quota',
    env: 'KEYHOLD_KMS_QUOTAS',
    type: 'list',
    default: [],
    help: 'override a KMS request quota, as Group=requests-per-second (e.g. symmetric=10000, CreateKey=5); repeatable',
    validate: (v) => {
      const bad = (v as string[]).find((q) => !/^[A-Za-z]+=\d+$/.test(q));
      return bad ? `'${bad}' is not Group=number` : undefined;
    },
  },
  {
    name: 's3-base-domain',
    env: 'KEYHOLD_S3_BASE_DOMAINS',
    type: 'list',
    default: ['s3.localhost'],
    help: 'host name under which <bucket>.<name> addresses an S3 bucket (virtual-hosted style; the listener certificate covers *.<name>); repeatable',
  },
  {
    name: 's3-legacy-defaults',
    env: 'KEYHOLD_S3_LEGACY_DEFAULTS',
    type: 'bool',
    default: false,
    help: "S3's defaults from before 2023 and April 2026, for older tools and test suites: new buckets accept SSE-C and get no Block Public Access configuration, and a bucket without its own default encryption answers GetBucketEncryption with ServerSideEncryptionConfigurationNotFoundError (its objects are still SSE-S3 encrypted)",
  },
  {
    name: 'tls-certificate',
    env: 'KEYHOLD_TLS_CERTIFICATES',
    type: 'list',
    default: [],
    help: 'ARN of an issued certificate-manager certificate to serve by SNI for its names (repeatable); shows the listener in InUseBy',
  },
  {
    name: 'acm-validity',
    env: 'KEYHOLD_ACM_VALIDITY',
    type: 'duration',
    default: 198 * 86_400_000,
    help: 'validity of issued certificates (e.g. 198d, 90d, 10m)',
  },
  {
    name: 'acm-renew-before',
    env: 'KEYHOLD_ACM_RENEW_BEFORE',
    type: 'duration',
    default: 60 * 86_400_000,
    help: 'renew managed certificates this long before expiry (or at a third of the lifetime when shorter)',
  },
  {
    name: 'acm-validation-interval',
    env: 'KEYHOLD_ACM_VALIDATION_INTERVAL',
    type: 'duration',
    default: 60_000,
    help: 'how often DNS validation and renewal run',
  },
  {
    name: 'dns-resolver',
    env: 'KEYHOLD_DNS_RESOLVERS',
    type: 'list',
    default: [],
    help: 'DNS resolver HOST:PORT for DNS validation (repeatable; default the system resolvers)',
  },
  {
    name: 'acm-validation-zone',
    env: 'KEYHOLD_ACM_VALIDATION_ZONE',
    type: 'string',
    default: 'acm-validations.keyhold.test',
    help: 'zone that validation CNAME records point into',
  },
  {
    name: 'workers',
    env: 'KEYHOLD_WORKERS',
    type: 'string',
    default: '1',
    help: 'server processes sharing the port and the data directory: a number, or auto for one per CPU (docs/architecture.md, cluster mode)',
    validate: (v) =>
      String(v) === 'auto' || (/^\d+$/.test(String(v)) && Number(v) >= 1 && Number(v) <= 256)
        ? undefined
        : `'${String(v)}' is not auto or a number from 1 to 256`,
  },
  { name: 'config', env: 'KEYHOLD_CONFIG', type: 'string', help: 'JSON config file; keys are the camelCase option names' },
];

/** The number of server processes `--workers` asks for. */
export function workerCount(value: string | undefined): number {
  return value === 'auto' ? availableParallelism() : Number(value ?? '1');
}

export interface ServeConfig {
  dataDir: string;
  host: string;
  port: number;
  region: string;
  tlsName: string[];
  httpPort?: number;
  logLevel: string;
  kmsQuota: string[];
  s3BaseDomain?: string[];
  /** S3's pre-2023 / pre-April-2026 defaults (docs/decisions.md 87). */
  s3LegacyDefaults?: boolean;
  tlsCertificate?: string[];
  acmValidity?: number;
  acmRenewBefore?: number;
  acmValidationInterval?: number;
  /** How often (ms) the background process carries out S3 lifecycle rules (default: hourly). */
  s3LifecycleInterval?: number;
  dnsResolver?: string[];
  acmValidationZone?: string;
  workers?: string;
  /** A file holding the bearer token that opens GET /metrics (docs/decisions.md 117). */
  metricsTokenFile?: string;
}
