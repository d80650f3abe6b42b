// Part 5: certificate issuance. Private certificates per second through RequestCertificate (HTTPS, SigV4,
// CertificateAuthorityArn of the region's Keyhold CA), for EC P-256 and RSA-2048, against a Keyhold server
// process. The baseline, measured in the same run, is the floor of the work: generating the same key pair
// with node:crypto at the same concurrency (libuv's thread pool), with no signing, storage or sealing.
import { generateKeyPair } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { promisify } from 'node:util';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { removeTempDir, startKeyhold, tempDir } from './processes.js';
import { type Summary, summarize } from './stats.js';

const CREDS = { accessKeyId: 'AKIABENCHACM00000001', secretAccessKey: 'bench-acm-secret-0123456789abcdefghijklmn' };
const generate = promisify(generateKeyPair);

export interface AcmProfile {
  rounds: number;
  perRound: { EC_prime256v1: number; RSA_2048: number };
  concurrency: number;
}

export interface IssuanceRow {
  keyAlgorithm: 'EC_prime256v1' | 'RSA_2048';
  certsPerSecond: Summary;
  keyPairsPerSecond: Summary;
  keyholdVsKeyGeneration: number;
}

async function rate(n: number, concurrency: number, one: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await one();
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

const keyPair = (alg: IssuanceRow['keyAlgorithm']) =>
  alg === 'RSA_2048' ? generate('rsa', { modulusLength: 2048 }) : generate('ec', { namedCurve: 'prime256v1' });

export async function acmBench(profile: AcmProfile, log: (s: string) => void): Promise<IssuanceRow[]> {
  log('part 5: certificate issuance (private certificates per second)');
  const dir = tempDir();
  const kh = await startKeyhold(`${dir}/kh`, CREDS);
  try {
    const agent = new Agent({ ca: readFileSync(kh.caPath), keepAlive: true, maxSockets: profile.concurrency });
    const client = new ACMClient({ endpoint: kh.url, region: 'us-east-1', credentials: CREDS, requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
    const sts = new STSClient({ endpoint: kh.url, region: 'us-east-1', credentials: CREDS, requestHandler: new NodeHttpHandler({ httpsAgent: agent }) });
    const account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
    const ca = `arn:aws:acm-pca:us-east-1:${account}:certificate-authority/keyhold-us-east-1`;
    const rows: IssuanceRow[] = [];
    for (const alg of ['EC_prime256v1', 'RSA_2048'] as const) {
      let i = 0;
      const issue = () => client.send(new RequestCertificateCommand({ DomainName: `c${i++}.bench.test`, CertificateAuthorityArn: ca, KeyAlgorithm: alg }));
      await issue(); // warm-up: creates the region's CA and alias/aws/acm on first use
      const certs: number[] = [];
      const pairs: number[] = [];
      for (let r = 0; r < profile.rounds; r++) {
        certs.push(await rate(profile.perRound[alg], profile.concurrency, issue));
        pairs.push(await rate(profile.perRound[alg], profile.concurrency, () => keyPair(alg)));
      }
      const c = summarize(certs);
      const p = summarize(pairs);
      rows.push({ keyAlgorithm: alg, certsPerSecond: c, keyPairsPerSecond: p, keyholdVsKeyGeneration: c.median / p.median });
      log(`  ${alg}: ${c.median.toFixed(1)} certificates/s, ${p.median.toFixed(1)} key pairs/s in-process`);
    }
    client.destroy();
    sts.destroy();
    agent.destroy();
    return rows;
  } finally {
    await kh.stop();
    removeTempDir(dir);
  }
}
