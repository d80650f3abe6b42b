// Certificates in use: `--tls-certificate ARN` serves a certificate-manager certificate by SNI
// (`openssl s_client -servername`), shows the listener in InUseBy, refuses deletion while in use, and
// managed renewal (explicit and automatic, with an injected clock) swaps the served certificate — new
// serial, same ARN — while an open connection keeps working. The listener passes an sslscan check.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { Agent, request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RenewCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import type { AcmService } from '../../src/services/acm/index.js';
import { errorName, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const DAY = 86_400_000;
// Async on purpose: the server under test runs in this process, so a synchronous child would block it.
const run = promisify(execFile);

// `verify: false` only where the server clock runs ahead of ours, so its fresh certificate is "not yet valid" here.
function servedSerial(port: number, servername: string, ca: Buffer, verify = true): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: verify }, () => {
      const serial = sock.getPeerCertificate().serialNumber;
      sock.destroy();
      resolve(serial.toLowerCase());
    });
    sock.once('error', reject);
  });
}

describe('certificates in use by the listener', () => {
  const dataDir = tempDir();
  let s: TestServer;
  let arn: string;
  let offset = 0;
  before(async () => {
    const first = await startTestServer({ dataDir });
    const caArn = `arn:aws:acm-pca:us-east-1:${first.kh.accountId}:certificate-authority/keyhold-us-east-1`;
    arn = (
      await first.acm().send(
        new RequestCertificateCommand({
          DomainName: 'app.example.test',
          SubjectAlternativeNames: ['*.apps.example.test'],
          CertificateAuthorityArn: caArn,
          KeyAlgorithm: 'EC_prime256v1',
        }),
      )
    ).CertificateArn!;
    await first.stop({ keepData: true });
    s = await startTestServer({ dataDir, config: { tlsCertificate: [arn] }, start: { clock: () => Date.now() + offset } });
  });
  after(() => s.stop());

  it('serves the certificate by SNI for its names and the default certificate otherwise', async () => {
    const d = (await s.acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
    const serial = d.Serial!.replace(/:/g, '');
    assert.equal((await servedSerial(s.kh.port, 'app.example.test', s.ca)).replace(/^0+/, ''), serial.replace(/^0+/, ''));
    assert.equal((await servedSerial(s.kh.port, 'x.apps.example.test', s.ca)).replace(/^0+/, ''), serial.replace(/^0+/, ''), 'wildcard names match');
    assert.notEqual((await servedSerial(s.kh.port, 'localhost', s.ca)).replace(/^0+/, ''), serial.replace(/^0+/, ''));
    const child = run(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${s.kh.port}`, '-servername', 'app.example.test', '-CAfile', s.kh.caPath, '-verify_return_error'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    child.child.stdin?.end();
    const out = (await child).stdout;
    assert.match(out, /subject=CN ?= ?app\.example\.test/);
    assert.match(out, /Verify return code: 0 \(ok\)/);
  });

  it('shows the listener in InUseBy and refuses deletion while in use', async () => {
    const d = (await s.acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
    assert.equal(d.InUseBy?.length, 1);
    assert.match(d.InUseBy![0]!, /^arn:aws:keyhold:us-east-1:\d{12}:listener\//);
    assert.equal(await errorName(s.acm().send(new DeleteCertificateCommand({ CertificateArn: arn }))), 'ResourceInUseException');
  });

  it('renewal swaps the served certificate (new serial, same ARN) while an open connection keeps working', async () => {
    const agent = new Agent({ ca: s.ca, keepAlive: true, maxSockets: 1, servername: 'app.example.test' });
    const health = () =>
      new Promise<{ status: number; socket: TLSSocket }>((resolve, reject) => {
        const r = request(
          { host: '127.0.0.1', port: s.kh.port, path: '/health', agent, servername: 'app.example.test', headers: { host: 'app.example.test' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: res.socket as TLSSocket }));
          },
        );
        r.on('error', reject);
        r.end();
      });
    const first = await health();
    const before = await servedSerial(s.kh.port, 'app.example.test', s.ca);
    await s.acm().send(new RenewCertificateCommand({ CertificateArn: arn }));
    const d = (await s.acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
    assert.equal(d.RenewalSummary?.RenewalStatus, 'SUCCESS');
    const after = await servedSerial(s.kh.port, 'app.example.test', s.ca);
    assert.notEqual(after, before, 'the listener serves the renewed certificate');
    const again = await health();
    assert.equal(again.status, 200);
    assert.equal(again.socket, first.socket, 'the open connection survived the swap');
    agent.destroy();
  });

  it('renews automatically before expiry (injected clock) and swaps again', async () => {
    const before = await servedSerial(s.kh.port, 'app.example.test', s.ca, false);
    offset += 180 * DAY; // 198-day certificates renew 60 days before expiry
    await (s.kh.service('acm') as AcmService).certs.tick();
    const after = await servedSerial(s.kh.port, 'app.example.test', s.ca, false);
    assert.notEqual(after, before);
  });

  it('sslscan finds only TLS 1.2/1.3 and ECDHE / TLS 1.3 suites', {
    skip: !existsSync('/usr/bin/sslscan') && process.env.CI !== 'true' ? 'sslscan not installed (.ci/run installs it)' : false,
  }, async () => {
    const xml = (await run('/usr/bin/sslscan', ['--no-colour', '--xml=-', `127.0.0.1:${s.kh.port}`], { encoding: 'utf8', timeout: 120_000 })).stdout;
    const protocols = [...xml.matchAll(/<protocol type="(\w+)" version="([\d.]+)" enabled="(\d)"/g)]
      .filter((m) => m[3] === '1')
      .map((m) => `${m[1]?.toUpperCase()}${m[2]}`);
    assert.deepEqual(protocols.sort(), ['TLS1.2', 'TLS1.3']);
    const ciphers = [...xml.matchAll(/<cipher status="\w+"[^>]*sslversion="([^"]+)"[^>]*cipher="([^"]+)"/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
    assert.ok(ciphers.length > 0);
    for (const [version, cipher] of ciphers) {
      assert.ok(
        version === 'TLSv1.3'
          ? /^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/.test(cipher)
          : /^ECDHE-(ECDSA|RSA)-(AES128-GCM-SHA256|AES256-GCM-SHA384|CHACHA20-POLY1305)$/.test(cipher),
        `${version} ${cipher}`,
      );
    }
  });
});

describe("Keyhold's own default listener certificate", () => {
  const dataDir = tempDir();
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ dataDir });
  });
  after(() => s.stop());

  const listenerCert = async () => {
    const list = (await s.acm().send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] } }))).CertificateSummaryList ?? [];
    const found = [];
    for (const c of list) {
      const tags = (await s.acm().send(new ListTagsForCertificateCommand({ CertificateArn: c.CertificateArn! }))).Tags ?? [];
      if (tags.some((t) => t.Key === 'keyhold:listener' && t.Value === 'default')) found.push(c.CertificateArn!);
    }
    assert.equal(found.length, 1, 'exactly one default listener certificate is listed');
    return (await s.acm().send(new DescribeCertificateCommand({ CertificateArn: found[0]! }))).Certificate!;
  };
  const hex = (serial: string) => serial.replace(/:/g, '').replace(/^0+/, '').toLowerCase();

  it('is a listed private certificate, InUseBy the listener, and is the one served by default', async () => {
    const d = await listenerCert();
    assert.equal(d.Type, 'PRIVATE');
    assert.equal(d.Status, 'ISSUED');
    assert.deepEqual(d.InUseBy, [`arn:aws:keyhold:us-east-1:${s.kh.accountId}:listener/127.0.0.1:${s.kh.port}`]);
    assert.ok(d.SubjectAlternativeNames?.includes('localhost'));
    assert.equal(hex(await servedSerial(s.kh.port, 'localhost', s.ca)), hex(d.Serial!));
    assert.equal(await errorName(s.acm().send(new DeleteCertificateCommand({ CertificateArn: d.CertificateArn! }))), 'ResourceInUseException');
  });

  it('renews like any other certificate: RenewCertificate swaps the served default certificate, same ARN', async () => {
    const d = await listenerCert();
    await s.acm().send(new RenewCertificateCommand({ CertificateArn: d.CertificateArn! }));
    const after = await listenerCert();
    assert.equal(after.CertificateArn, d.CertificateArn);
    assert.notEqual(hex(after.Serial!), hex(d.Serial!));
    const served = hex(await servedSerial(s.kh.port, 'localhost', s.ca));
    assert.equal(served, hex(after.Serial!));
  });

  it('keeps its ARN across a restart and moves InUseBy to the new listener', async () => {
    const d = await listenerCert();
    await s.stop({ keepData: true });
    s = await startTestServer({ dataDir });
    const again = await listenerCert();
    assert.equal(again.CertificateArn, d.CertificateArn);
    assert.deepEqual(again.InUseBy, [`arn:aws:keyhold:us-east-1:${s.kh.accountId}:listener/127.0.0.1:${s.kh.port}`]);
  });

  it('is replaced (old one deleted) when the configured names change', async () => {
    const d = await listenerCert();
    await s.stop({ keepData: true });
    s = await startTestServer({ dataDir, config: { tlsName: ['renamed.internal'] } });
    const now = await listenerCert();
    assert.notEqual(now.CertificateArn, d.CertificateArn);
    assert.ok(now.SubjectAlternativeNames?.includes('renamed.internal'));
    assert.equal(await errorName(s.acm().send(new DescribeCertificateCommand({ CertificateArn: d.CertificateArn! }))), 'ResourceNotFoundException');
    assert.equal(hex(await servedSerial(s.kh.port, 'renamed.internal', s.ca)), hex(now.Serial!));
  });
});
