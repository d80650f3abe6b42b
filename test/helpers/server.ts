// Starts a real Keyhold server in-process on a random free port, with a fresh data directory, and
// builds real AWS SDK clients that trust its CA.
import { Agent } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient } from '@aws-sdk/client-acm';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMS, KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type Keyhold, type StartOptions, startKeyhold } from '../../src/server/bootstrap.js';
import { createLogger } from '../../src/server/logger.js';
import type { ServeConfig } from '../../src/server/serve-options.js';

export const ROOT_KEY_ID = 'AKIAKEYHOLDTEST00001';
export const ROOT_SECRET = 'keyhold-test-secret-0123456789abcdefghij';

export interface TestServer {
  kh: Keyhold;
  dataDir: string;
  endpoint: string;
  ca: Buffer;
  agent: Agent;
  credentials: { accessKeyId: string; secretAccessKey: string };
  kms(opts?: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string } }): KMSClient;
  iam(credentials?: { accessKeyId: string; secretAccessKey: string }): IAMClient;
  /** `clockOffset`: sign as if this many ms later, for servers started with an injected clock. */
  acm(opts?: { region?: string; credentials?: { accessKeyId: string; secretAccessKey: string }; clockOffset?: number }): ACMClient;
  s3(opts?: {
    credentials?: { accessKeyId: string; secretAccessKey: string };
    checksums?: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
    region?: string;
    endpoint?: string;
    /** Sign as if this many ms later, for servers started with an injected clock. */
    clockOffset?: number;
  }): S3Client;
  sts(credentials?: { accessKeyId: string; secretAccessKey: string }): STSClient;
  /** The in-process S3 service (for counters such as KMS calls). */
  s3Service(): import('../../src/services/s3/index.js').S3Service;
  /** The aggregated client class the AWS Encryption SDK needs. */
  kmsAggregated(region?: string): KMS;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

// Every directory a test file makes is removed when its process exits (node --test runs each file in its own),
// whether or not the test cleaned up: runs of the suite had left gigabytes in the temp directory.
const made = new Set<string>();
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'keyhold-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

export async function startTestServer(
  opts: { dataDir?: string; config?: Partial<ServeConfig>; env?: NodeJS.ProcessEnv; start?: StartOptions } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir();
  const config: ServeConfig = {
    dataDir,
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
    tlsName: [],
    logLevel: 'silent',
    // Tests create keys faster than AWS's 5/s control-plane quota; the quota test sets its own.
    kmsQuota: [
      'CreateKey=100000',
      'CreateAlias=100000',
      'EnableKey=100000',
      'DisableKey=100000',
      'RotateKeyOnDemand=100000',
      'ScheduleKeyDeletion=100000',
      'TagResource=100000',
      'CancelKeyDeletion=100000',
      'UpdateAlias=100000',
      'DeleteAlias=100000',
      'EnableKeyRotation=100000',
      'DisableKeyRotation=100000',
      'PutKeyPolicy=100000',
      'UpdateKeyDescription=100000',
      'UntagResource=100000',
      'GetParametersForImport=100000',
      'ImportKeyMaterial=100000',
      'DeleteImportedKeyMaterial=100000',
    ],
    ...opts.config,
  };
  const env = { KEYHOLD_ROOT_ACCESS_KEY_ID: ROOT_KEY_ID, KEYHOLD_ROOT_SECRET_ACCESS_KEY: ROOT_SECRET, ...opts.env };
  const kh = await startKeyhold(config, { env, log: createLogger('silent'), ...opts.start });
  const ca = readFileSync(kh.caPath);
  const agent = new Agent({ ca, keepAlive: true });
  const credentials = { accessKeyId: ROOT_KEY_ID, secretAccessKey: ROOT_SECRET };
  const requestHandler = new NodeHttpHandler({ httpsAgent: agent });
  const common = (region: string, creds = credentials) => ({ endpoint: kh.endpoint, region, credentials: creds, requestHandler, maxAttempts: 1 });
  return {
    kh,
    dataDir,
    endpoint: kh.endpoint,
    ca,
    agent,
    credentials,
    kms: (o = {}) => new KMSClient(common(o.region ?? 'us-east-1', o.credentials)),
    kmsAggregated: (region = 'us-east-1') => new KMS(common(region)),
    s3Service: () => kh.service('s3') as import('../../src/services/s3/index.js').S3Service,
    iam: (creds) => new IAMClient(common('us-east-1', creds)),
    acm: (o = {}) => new ACMClient({ ...common(o.region ?? 'us-east-1', o.credentials), systemClockOffset: o.clockOffset ?? 0 }),
    s3: (o = {}) =>
      new S3Client({
        ...common(o.region ?? 'us-east-1', o.credentials),
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        forcePathStyle: true,
        requestChecksumCalculation: o.checksums ?? 'WHEN_SUPPORTED',
        responseChecksumValidation: o.checksums ?? 'WHEN_SUPPORTED',
        systemClockOffset: o.clockOffset ?? 0,
      }),
    sts: (creds) => new STSClient(common('us-east-1', creds)),
    async stop(o = {}) {
      agent.destroy();
      await kh.close();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Awaits a rejected promise and returns the AWS error name (or fails). */
export async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { name: string }).name;
  }
  throw new Error('expected the call to fail');
}

/** Awaits a rejected promise and returns the AWS error's name, message and HTTP status (or fails). */
export async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}
