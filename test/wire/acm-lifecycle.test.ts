// Certificate lifecycle driven by an injected clock and explicit background passes (certs.tick()):
// DNS validation times out after 72 hours (VALIDATION_TIMED_OUT); an imported certificate is never
// renewed and becomes EXPIRED; a private certificate is renewed before expiry (same ARN, new serial).
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DescribeCertificateCommand, ExportCertificateCommand, ImportCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import type { AcmService } from '../../src/services/acm/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HOUR = 3_600_000;

describe('certificate lifecycle (injected clock)', () => {
  let s: TestServer;
  let offset = 0;
  let caArn: string;
  const acm = () => s.acm({ clockOffset: offset });
  const tick = () => (s.kh.service('acm') as AcmService).certs.tick();
  const describe_ = async (arn: string) => (await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
  before(async () => {
    // Nothing answers on port 1, so DNS validation never succeeds; validity one day, renewal at a third.
    s = await startTestServer({
      config: { dnsResolver: ['127.0.0.1:1'], acmValidity: 24 * HOUR, acmValidationInterval: 3_600_000 },
      start: { clock: () => Date.now() + offset },
    });
    caArn = `arn:aws:acm-pca:us-east-1:${s.kh.accountId}:certificate-authority/keyhold-us-east-1`;
  });
  after(() => s.stop());

  it('DNS validation times out after 72 hours', async () => {
    const { CertificateArn } = await acm().send(new RequestCertificateCommand({ DomainName: 'never.example.test', ValidationMethod: 'DNS' }));
    offset += 71 * HOUR;
    await tick();
    assert.equal((await describe_(CertificateArn!)).Status, 'PENDING_VALIDATION');
    offset += 2 * HOUR;
    await tick();
    assert.equal((await describe_(CertificateArn!)).Status, 'VALIDATION_TIMED_OUT');
  });

  it('an imported certificate expires and is not renewed; a private one is renewed before expiry', async () => {
    const { CertificateArn: priv } = await acm().send(
      new RequestCertificateCommand({ DomainName: 'life.example.test', CertificateAuthorityArn: caArn, KeyAlgorithm: 'EC_prime256v1' }),
    );
    const out = await acm().send(new ExportCertificateCommand({ CertificateArn: priv, Passphrase: Buffer.from('life-pass') }));
    const key = createPrivateKey({ key: out.PrivateKey!, passphrase: 'life-pass' }).export({ type: 'pkcs8', format: 'pem' }).toString();
    const { CertificateArn: imported } = await acm().send(
      new ImportCertificateCommand({
        Certificate: Buffer.from(out.Certificate!),
        PrivateKey: Buffer.from(key),
        CertificateChain: Buffer.from(out.CertificateChain!),
      }),
    );
    const privBefore = await describe_(priv!);
    const impBefore = await describe_(imported!);
    offset += 17 * HOUR; // past two thirds of a one-day certificate: inside the renewal window
    await tick();
    const privRenewed = await describe_(priv!);
    assert.notEqual(privRenewed.Serial, privBefore.Serial, 'the private certificate was renewed');
    assert.equal(privRenewed.RenewalSummary?.RenewalStatus, 'SUCCESS');
    assert.equal((await describe_(imported!)).Serial, impBefore.Serial, 'imported certificates are not renewed');
    offset += 8 * HOUR; // the original one-day certificate has now expired
    await tick();
    const impAfter = await describe_(imported!);
    assert.equal(impAfter.Status, 'EXPIRED');
    assert.equal(impAfter.Serial, impBefore.Serial);
    assert.equal((await describe_(priv!)).Status, 'ISSUED');
  });
});
