// SDK clients for a server running as a child process.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export function kmsFor(endpoint: string, dataDir: string, credentials: { accessKeyId: string; secretAccessKey: string }, maxAttempts = 1): KMSClient {
  const agent = new Agent({ ca: readFileSync(join(dataDir, 'ca.pem')), keepAlive: true });
  return new KMSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts, requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
}

export function s3For(endpoint: string, dataDir: string, credentials: { accessKeyId: string; secretAccessKey: string }): S3Client {
  const agent = new Agent({ ca: readFileSync(join(dataDir, 'ca.pem')), keepAlive: true });
  return new S3Client({ endpoint, region: 'us-east-1', credentials, forcePathStyle: true, requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
}

/** Reads the profile "keyhold" written by a first start without supplied credentials. */
export function readCredentialsFile(path: string): { accessKeyId: string; secretAccessKey: string } {
  const text = readFileSync(path, 'utf8');
  const get = (k: string) => new RegExp(`^${k}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1] ?? '';
  return { accessKeyId: get('aws_access_key_id'), secretAccessKey: get('aws_secret_access_key') };
}
