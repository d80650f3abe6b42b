// Cluster mode (`keyhold serve --workers 2`) as a real process tree: one endpoint served by two worker
// processes sharing the data directory. Connections land on both workers, and a change acknowledged by
// one (disable a key, delete an access key) holds on the very next request at the other: the caches are
// coherent through the store's change feed. The primary holds the data-directory lock and stops every
// worker on SIGTERM.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readAuditDir } from '../../src/audit/reader.js';
import { CLEAN_STOP_FILE } from '../../src/server/clean-stop.js';
import { openKeyringForTest } from '../helpers/audit.js';
import { plantOrphanBlob } from '../helpers/blob-files.js';
import { pausedS3Get } from '../helpers/paused-get.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { ROOT_KEY_ID, ROOT_SECRET, tempDir } from '../helpers/server.js';

const ROOT = { accessKeyId: ROOT_KEY_ID, secretAccessKey: ROOT_SECRET };
const CONNECTIONS = 8;

describe('keyhold serve --workers 2', () => {
  const dataDir = tempDir();
  let server: ServerProcess;
  // One client per connection: round-robin hands consecutive connections to alternating workers.
  const handler = () => ({
    endpoint: server.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: readFileSync(join(dataDir, 'ca.pem')), keepAlive: true, maxSockets: 1 }) }),
  });
  const kms: KMSClient[] = [];
  const everywhere = <T>(f: (c: KMSClient) => Promise<T>) => Promise.allSettled(kms.map(f));

  const metricsToken = 'cluster-metrics-token-0123456789';
  before(async () => {
    const tokenFile = join(tempDir(), 'metrics-token');
    writeFileSync(tokenFile, metricsToken);
    server = await startServerProcess(dataDir, { KEYHOLD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey }, [
      '--workers',
      '2',
      '--metrics-token-file',
      tokenFile,
    ]);
    for (let i = 0; i < CONNECTIONS; i++) kms.push(new KMSClient({ ...handler(), credentials: ROOT }));
  });
  after(async () => {
    for (const c of kms) c.destroy();
    if (server.proc.exitCode === null) await server.stop();
  });

  it('prints one banner naming the workers and serves from both of them (one audit file each)', async () => {
    assert.match(server.stdout(), /workers\s+2 processes \(cluster mode\)/);
    assert.equal(server.stdout().match(/Keyhold is running/g)?.length, 1);
    const { KeyMetadata } = await kms[0]!.send(new CreateKeyCommand({}));
    const results = await everywhere((c) => c.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x') })));
    assert.ok(results.every((r) => r.status === 'fulfilled'));
    const root = await openKeyringForTest(dataDir);
    const files = new Set(
      [...readAuditDir(root.derive('audit-v1'), join(dataDir, 'audit'))].flatMap((r) => ('event' in r && r.event.eventName === 'Encrypt' ? [r.file] : [])),
    );
    assert.equal(files.size, 2, `Encrypt events were recorded by two worker processes: ${[...files].join(', ')} ${server.stderr()}`);
  });

  it('answers a metrics scrape on any worker with the figures of the whole node', async () => {
    // Each scrape on a connection of its own: round-robin hands them to both workers.
    const scrape = () =>
      new Promise<string>((resolve, reject) => {
        const agent = new Agent({ ca: readFileSync(join(dataDir, 'ca.pem')), keepAlive: false });
        request(new URL('/metrics', server.endpoint), { agent, headers: { authorization: `Bearer ${metricsToken}` } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}: ${body}`))));
        })
          .on('error', reject)
          .end();
      });
    const encrypts = (text: string) => Number(/^keyhold_requests_total\{service="kms",operation="Encrypt",outcome="OK"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    // A key an earlier test made: CreateKey's quota (5 a second, split between the workers) is for the tests after.
    const listed = (await kms[0]!.send(new ListKeysCommand({}))).Keys!;
    const described = await Promise.all(listed.map((k) => kms[0]!.send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
    const KeyId = described.find((d) => d.KeyMetadata!.KeyManager === 'CUSTOMER')!.KeyMetadata!.KeyId;
    const before = encrypts(await scrape());
    const results = await everywhere((c) => c.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') })));
    assert.deepEqual(
      results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])),
      [],
    );
    const scrapes = await Promise.all(Array.from({ length: 4 }, scrape));
    for (const text of scrapes) {
      assert.equal(encrypts(text), before + CONNECTIONS, 'the Encrypts of every worker, whichever worker answered');
      assert.equal(text.match(/^keyhold_audit_healthy\{worker="\d+"\} 1$/gm)?.length, 2, 'one gauge per worker');
    }
  });

  it('refuses a key disabled through one worker on every connection, and serves it again once enabled', async () => {
    const { KeyMetadata } = await kms[0]!.send(new CreateKeyCommand({}));
    const keyId = KeyMetadata!.KeyId!;
    const encrypt = (c: KMSClient) => c.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
    assert.ok(
      (await everywhere(encrypt)).every((r) => r.status === 'fulfilled'),
      'every worker has the key cached',
    );
    await kms[1]!.send(new DisableKeyCommand({ KeyId: keyId }));
    const refused = await everywhere(encrypt);
    assert.deepEqual(
      refused.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'served')),
      Array(CONNECTIONS).fill('DisabledException'),
    );
    await kms[2]!.send(new EnableKeyCommand({ KeyId: keyId }));
    assert.ok((await everywhere(encrypt)).every((r) => r.status === 'fulfilled'));
  });

  it('stops accepting an access key deleted through one worker on every connection', async () => {
    const iam = new IAMClient({ ...handler(), credentials: ROOT });
    await iam.send(new CreateUserCommand({ UserName: 'cluster-user' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'cluster-user' }));
    const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const sts = Array.from({ length: CONNECTIONS }, () => new STSClient({ ...handler(), credentials: creds }));
    const who = () => Promise.allSettled(sts.map((c) => c.send(new GetCallerIdentityCommand({}))));
    assert.ok(
      (await who()).every((r) => r.status === 'fulfilled'),
      'the new key is known to every worker',
    );
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'cluster-user', AccessKeyId: creds.accessKeyId }));
    const after = await who();
    assert.ok(
      after.every((r) => r.status === 'rejected'),
      `a deleted key is refused everywhere: ${after.map((r) => r.status).join(',')}`,
    );
    for (const c of sts) c.destroy();
    iam.destroy();
  });

  it('refuses, on every connection, a key whose alias (kms:ResourceAliases) was deleted through one worker', async () => {
    const iam = new IAMClient({ ...handler(), credentials: ROOT });
    await iam.send(new CreateUserCommand({ UserName: 'alias-user' }));
    const Statement = [
      { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/team' } } },
    ];
    await iam.send(
      new PutUserPolicyCommand({ UserName: 'alias-user', PolicyName: 'abac', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'alias-user' }));
    const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const users = Array.from({ length: CONNECTIONS }, () => new KMSClient({ ...handler(), credentials: creds }));
    const keyId = (await kms[0]!.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms[0]!.send(new CreateAliasCommand({ AliasName: 'alias/team', TargetKeyId: keyId }));
    const encrypt = () => Promise.allSettled(users.map((c) => c.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))));
    assert.ok(
      (await encrypt()).every((r) => r.status === 'fulfilled'),
      'every worker sees the alias',
    );
    await kms[1]!.send(new DeleteAliasCommand({ AliasName: 'alias/team' }));
    const after = await encrypt();
    assert.deepEqual(
      after.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'served')),
      Array(CONNECTIONS).fill('AccessDeniedException'),
    );
    for (const c of users) c.destroy();
    iam.destroy();
  });

  it('serves an object written through one worker from every connection, encrypted under KMS', async () => {
    const s3 = Array.from({ length: CONNECTIONS }, () => new S3Client({ ...handler(), credentials: ROOT, forcePathStyle: true }));
    await s3[0]!.send(new CreateBucketCommand({ Bucket: 'cluster-bucket' }));
    await s3[1]!.send(new PutObjectCommand({ Bucket: 'cluster-bucket', Key: 'k', Body: 'across workers', ServerSideEncryption: 'aws:kms' }));
    const bodies = await Promise.all(
      s3.map(async (c) => {
        const o = await c.send(new GetObjectCommand({ Bucket: 'cluster-bucket', Key: 'k' }));
        return `${o.ServerSideEncryption} ${await o.Body!.transformToString()}`;
      }),
    );
    assert.deepEqual(bodies, Array(CONNECTIONS).fill('aws:kms across workers'));
    for (const c of s3) c.destroy();
  });

  it('concurrent writes of one key through both workers all succeed: no "database is locked"', async () => {
    // Each worker commits to the shared SQLite file; a deferred transaction that lost the race to upgrade its
    // read lock answered 500 at once. Rounds of PUT / GET / DELETE of one key, every connection at once.
    const s3 = Array.from({ length: CONNECTIONS }, () => new S3Client({ ...handler(), credentials: ROOT, forcePathStyle: true }));
    await s3[0]!.send(new CreateBucketCommand({ Bucket: 'cluster-race' }));
    const statuses = new Map<string, number>();
    for (let round = 0; round < 40; round++) {
      await Promise.all(
        s3.map(async (c, i) => {
          const op = (round + i) % 3;
          const Key = 'raced';
          const status = await (op === 0
            ? c.send(new PutObjectCommand({ Bucket: 'cluster-race', Key, Body: 'x'.repeat(20_000), ServerSideEncryption: 'aws:kms' }))
            : op === 1
              ? c.send(new GetObjectCommand({ Bucket: 'cluster-race', Key })).then((o) => o.Body!.transformToString())
              : c.send(new DeleteObjectCommand({ Bucket: 'cluster-race', Key }))
          ).then(
            () => 200,
            (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode ?? 0,
          );
          const label = `${['PUT', 'GET', 'DELETE'][op]} ${status}`;
          statuses.set(label, (statuses.get(label) ?? 0) + 1);
        }),
      );
    }
    assert.deepEqual(
      [...statuses.keys()].filter((k) => !/^(PUT 200|GET 200|GET 404|DELETE 204|DELETE 200)$/.test(k)),
      [],
      JSON.stringify([...statuses]),
    );
    for (const c of s3) c.destroy();
  });

  it('a multipart object overwritten through the other worker during its GET is read whole (the grace period)', async () => {
    const s3 = Array.from({ length: 2 }, () => new S3Client({ ...handler(), credentials: ROOT, forcePathStyle: true }));
    await s3[0]!.send(new CreateBucketCommand({ Bucket: 'cluster-reads' }));
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(2 * 1024 * 1024)];
    const { UploadId } = await s3[0]!.send(new CreateMultipartUploadCommand({ Bucket: 'cluster-reads', Key: 'big' }));
    const etags: string[] = [];
    for (const [i, Body] of parts.entries()) {
      etags.push((await s3[0]!.send(new UploadPartCommand({ Bucket: 'cluster-reads', Key: 'big', UploadId, PartNumber: i + 1, Body }))).ETag!);
    }
    await s3[0]!.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'cluster-reads',
        Key: 'big',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const agent = new Agent({ ca: readFileSync(join(dataDir, 'ca.pem')), keepAlive: true, maxSockets: 1 });
    const get = await pausedS3Get({ endpoint: server.endpoint, agent, credentials: ROOT }, 'cluster-reads', 'big');
    // Two connections opened after the GET's: round-robin puts at least one on the other worker.
    for (const c of s3) await c.send(new PutObjectCommand({ Bucket: 'cluster-reads', Key: 'big', Body: 'replaced' }));
    const body = Buffer.concat([get.first, await get.rest()]);
    assert.ok(body.equals(Buffer.concat(parts)), 'the GET read the version it began with, whole');
    agent.destroy();
    for (const c of s3) c.destroy();
  });

  it('holds the data directory for the whole node and stops every worker on SIGTERM', async () => {
    const second = await runCli(['serve', '--data-dir', dataDir, '--port', '0']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /in use by another Keyhold process/);
    const pids = (await runCliPs()).filter((p) => p.includes(dataDir));
    assert.equal(pids.length, 3, 'a primary and two workers');
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.deepEqual(
      (await runCliPs()).filter((p) => p.includes(dataDir)),
      [],
      'no worker outlives the primary',
    );
    assert.ok(existsSync(join(dataDir, CLEAN_STOP_FILE)), 'a clean stop of every worker is recorded');
  });
});

describe('keyhold serve --workers 2 after a crash', () => {
  it('replaces a worker killed with SIGKILL and keeps serving; its workers stop when the primary is killed', async () => {
    const dataDir = tempDir();
    const server = await startServerProcess(dataDir, { KEYHOLD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId, KEYHOLD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey }, [
      '--workers',
      '2',
    ]);
    const workers = () => childrenOf(server.proc.pid!);
    const [victim] = workers();
    const replaced = new Promise<void>((resolve) => {
      server.proc.stderr!.on('data', () => {
        if (/worker \d+ exited \(SIGKILL\); starting another/.test(server.stderr())) resolve();
      });
    });
    process.kill(victim!, 'SIGKILL');
    await replaced;
    const ca = readFileSync(join(dataDir, 'ca.pem'));
    const clients = Array.from(
      { length: CONNECTIONS },
      () =>
        new KMSClient({
          endpoint: server.endpoint,
          region: 'us-east-1',
          maxAttempts: 1,
          credentials: ROOT,
          requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca, keepAlive: true, maxSockets: 1 }) }),
        }),
    );
    const { KeyMetadata } = await clients[0]!.send(new CreateKeyCommand({}));
    // The replacement may still be starting: retry (bounded) until every connection is served.
    let served = false;
    for (let attempt = 0; attempt < 100 && !served; attempt++) {
      const r = await Promise.allSettled(clients.map((c) => c.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x') }))));
      served = r.every((x) => x.status === 'fulfilled') && workers().length === 2;
    }
    assert.ok(served, 'every connection is served again by two workers');
    for (const c of clients) c.destroy();
    const left = workers();
    process.kill(server.proc.pid!, 'SIGKILL');
    await server.exited;
    await Promise.all(left.map((pid) => exitOf(pid)));
    // A blob named whose commit a crash cut off: the primary removes it before starting the workers.
    const orphan = plantOrphanBlob(dataDir, 'orphaned ciphertext');
    const again = await startServerProcess(dataDir, {}, ['--workers', '2']);
    assert.equal(existsSync(orphan), false, 'the orphaned blob is swept after the crash');
    assert.equal(await again.stop('SIGTERM'), 0, 'the data directory is free again');
  });
});

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Resolves when a process that is not our child has gone (polls /proc: there is no event for it). */
async function exitOf(pid: number): Promise<void> {
  while (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')) await new Promise((r) => setTimeout(r, 20));
}

/** Command lines of running processes (Linux /proc), to count the node's processes. */
async function runCliPs(): Promise<string[]> {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        return [readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ')];
      } catch {
        return [];
      }
    });
}
