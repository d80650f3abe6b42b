// The certificate manager through @aws-sdk/client-acm: private issuance (chains verified by Node and
// `openssl verify`), export with a passphrase, DNS validation against a DNS server on loopback (dns2) with
// the CertificateValidated waiter, listings and filters, import and re-import, tags, revocation with the CRL,
// account configuration, regional scope and errors; private keys never in clear in the data directory.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ExportCertificateCommand,
  GetAccountConfigurationCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  PutAccountConfigurationCommand,
  RemoveTagsFromCertificateCommand,
  RequestCertificateCommand,
  ResendValidationEmailCommand,
  RevokeCertificateCommand,
  UpdateCertificateOptionsCommand,
  waitUntilCertificateValidated,
  type ACMClient,
} from '@aws-sdk/client-acm';
import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyLastUsageCommand } from '@aws-sdk/client-kms';
import dns2 from 'dns2';
import fc from 'fast-check';
import { x509 } from '../../src/pki/issuance.js';
import { auditEvents } from '../helpers/audit.js';
import type { AcmService } from '../../src/services/acm/index.js';
import { jsonCall } from '../helpers/raw-request.js';
import { errorName, failure, startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { filesUnder } from '../helpers/paths.js';

const records = new Map<string, string>();

function startDns(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      const q = request.questions[0];
      const target = q ? records.get(q.name.toLowerCase().replace(/\.$/, '')) : undefined;
      if (q && target) response.answers.push({ name: q.name, type: dns2.Packet.TYPE.CNAME, class: dns2.Packet.CLASS.IN, ttl: 1, domain: target } as never);
      send(response);
    },
  });
  return new Promise((resolve) => {
    server.on('listening', () => {
      const addr = (server as unknown as { addresses(): { udp: { port: number } } }).addresses();
      resolve({ port: addr.udp.port, close: () => server.close() as unknown as Promise<void> });
    });
    void server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  });
}

describe('certificate manager (wire, @aws-sdk/client-acm)', () => {
  let s: TestServer;
  let acm: ACMClient;
  let dns: { port: number; close: () => Promise<void> };
  let caArn: string;
  before(async () => {
    dns = await startDns();
    s = await startTestServer({ config: { dnsResolver: [`127.0.0.1:${dns.port}`], acmValidationInterval: 200 } });
    acm = s.acm();
    caArn = `arn:aws:acm-pca:us-east-1:${s.kh.accountId}:certificate-authority/keyhold-us-east-1`;
  });
  after(async () => {
    await s.stop();
    await dns.close();
  });

  it('issues private certificates at once; chains verify with Node and openssl; the profile is right', async () => {
    for (const [alg, shown] of [
      ['EC_prime256v1', 'EC-prime256v1'],
      ['RSA_2048', 'RSA-2048'],
      ['EC_secp384r1', 'EC-secp384r1'],
    ] as const) {
      const { CertificateArn } = await acm.send(
        new RequestCertificateCommand({
          DomainName: 'app.example.test',
          SubjectAlternativeNames: ['www.example.test'],
          CertificateAuthorityArn: caArn,
          KeyAlgorithm: alg,
        }),
      );
      assert.match(CertificateArn!, new RegExp(`^arn:aws:acm:us-east-1:${s.kh.accountId}:certificate/[0-9a-f-]{36}$`));
      const d = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!;
      assert.equal(d.Status, 'ISSUED');
      assert.equal(d.Type, 'PRIVATE');
      assert.equal(d.KeyAlgorithm, shown);
      assert.deepEqual(d.SubjectAlternativeNames, ['app.example.test', 'www.example.test']);
      assert.equal(d.RenewalEligibility, 'ELIGIBLE');
      const g = await acm.send(new GetCertificateCommand({ CertificateArn }));
      const leaf = new X509Certificate(g.Certificate!);
      const inter = new X509Certificate(g.CertificateChain!);
      assert.ok(leaf.checkIssued(inter) && leaf.verify(inter.publicKey));
      assert.ok(inter.checkIssued(new X509Certificate(s.ca)));
      assert.ok(Buffer.from(leaf.serialNumber, 'hex').length >= 8, 'serial >= 64 bits');
      const x = new x509.X509Certificate(g.Certificate!);
      assert.equal(x.getExtension(x509.BasicConstraintsExtension)?.ca, false);
      assert.deepEqual([...(x.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth]);
      assert.ok(x.getExtension(x509.CRLDistributionPointsExtension));
      assert.ok(x.getExtension(x509.AuthorityKeyIdentifierExtension) && x.getExtension(x509.SubjectKeyIdentifierExtension));
      const dir = tempDir();
      writeFileSync(join(dir, 'leaf.pem'), g.Certificate!);
      writeFileSync(join(dir, 'chain.pem'), g.CertificateChain!);
      assert.match(
        execFileSync('openssl', ['verify', '-CAfile', s.kh.caPath, '-untrusted', join(dir, 'chain.pem'), '-purpose', 'sslserver', join(dir, 'leaf.pem')], {
          encoding: 'utf8',
        }),
        /: OK/,
      );
    }
  });

  it('exports the private key as passphrase-encrypted PKCS#8 that matches the certificate; no key in clear on disk', async () => {
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({ DomainName: 'export.example.test', CertificateAuthorityArn: caArn, KeyAlgorithm: 'EC_prime256v1' }),
    );
    const out = await acm.send(new ExportCertificateCommand({ CertificateArn, Passphrase: Buffer.from('correct horse') }));
    assert.match(out.PrivateKey!, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    assert.throws(() => createPrivateKey({ key: out.PrivateKey!, passphrase: 'wrong' }));
    const key = createPrivateKey({ key: out.PrivateKey!, passphrase: 'correct horse' });
    const spki = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' });
    assert.deepEqual(spki(createPublicKey(key)), spki(new X509Certificate(out.Certificate!).publicKey));
    const der = key.export({ type: 'pkcs8', format: 'der' });
    const needles = [der, Buffer.from(der.toString('base64').slice(0, 60)), Buffer.from(der.toString('hex'))];
    for (const f of filesUnder(s.dataDir)) {
      const hay = readFileSync(f);
      for (const n of needles) assert.equal(hay.includes(n), false, `private key found in ${f}`);
    }
    assert.equal((await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!.RenewalEligibility, 'ELIGIBLE');
  });

  it("records ACM's own KMS calls for a certificate's private key as CloudTrail events invoked by ACM, and as uses of alias/aws/acm", async () => {
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({ DomainName: 'kms-trail.example.test', CertificateAuthorityArn: caArn, KeyAlgorithm: 'EC_prime256v1' }),
    );
    await acm.send(new ExportCertificateCommand({ CertificateArn, Passphrase: Buffer.from('correct horse') }));
    const ofThisCert = (await auditEvents(s.dataDir)).filter(
      (e) =>
        e.eventSource === 'kms.amazonaws.com' &&
        (e.requestParameters?.encryptionContext as Record<string, string> | undefined)?.['aws:acm:arn'] === CertificateArn,
    );
    assert.deepEqual(
      ofThisCert.map((e) => [e.eventName, e.userIdentity, e.userAgent, e.errorCode]),
      [
        ['GenerateDataKey', { type: 'AWSService', invokedBy: 'acm.amazonaws.com' }, 'acm.amazonaws.com', undefined],
        ['Decrypt', { type: 'AWSService', invokedBy: 'acm.amazonaws.com' }, 'acm.amazonaws.com', undefined],
      ],
    );
    const acmKey = (await s.kms().send(new DescribeKeyCommand({ KeyId: 'alias/aws/acm' }))).KeyMetadata!.KeyId;
    const usage = await s.kms().send(new GetKeyLastUsageCommand({ KeyId: acmKey }));
    assert.deepEqual([usage.KeyLastUsage?.Operation, usage.KeyLastUsage?.CloudTrailEventId], ['Decrypt', ofThisCert[1]!.eventID]);
  });

  it('validates DNS: deterministic CNAME per account and domain, the CertificateValidated waiter resolves, wildcard on the base domain', async () => {
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'site.example.test',
        SubjectAlternativeNames: ['*.site.example.test'],
        ValidationMethod: 'DNS',
        KeyAlgorithm: 'EC_prime256v1',
      }),
    );
    const d = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!;
    assert.equal(d.Status, 'PENDING_VALIDATION');
    assert.equal(d.Type, 'AMAZON_ISSUED');
    const opts = d.DomainValidationOptions!;
    assert.equal(opts.length, 2);
    assert.equal(opts[0]!.ResourceRecord!.Name, opts[1]!.ResourceRecord!.Name, 'the wildcard is validated on its base domain');
    // As ACM reports them before issuance: each name its own ValidationDomain, no key usages yet.
    assert.deepEqual(
      opts.map((o) => o.ValidationDomain),
      opts.map((o) => o.DomainName),
    );
    assert.deepEqual([d.KeyUsages, d.ExtendedKeyUsages], [[], []]);
    assert.match(opts[0]!.ResourceRecord!.Name!, /^_[0-9a-f]{32}\.site\.example\.test\.$/);
    assert.equal(await errorName(acm.send(new GetCertificateCommand({ CertificateArn }))), 'RequestInProgressException');
    const again = await acm.send(new RequestCertificateCommand({ DomainName: 'site.example.test', ValidationMethod: 'DNS' }));
    const d2 = (await acm.send(new DescribeCertificateCommand({ CertificateArn: again.CertificateArn }))).Certificate!;
    assert.deepEqual(d2.DomainValidationOptions![0]!.ResourceRecord, opts[0]!.ResourceRecord, 'deterministic per account and domain');
    const rr = opts[0]!.ResourceRecord!;
    records.set(rr.Name!.replace(/\.$/, ''), rr.Value!.replace(/\.$/, ''));
    const result = await waitUntilCertificateValidated({ client: acm, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { CertificateArn });
    assert.equal(result.state, 'SUCCESS');
    const issued = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!;
    assert.equal(issued.Status, 'ISSUED');
    // What ACM names before issuance is what the certificate then says.
    assert.deepEqual([d.Subject, d.Issuer, d.SignatureAlgorithm], [issued.Subject, issued.Issuer, issued.SignatureAlgorithm]);
    assert.equal(d.Subject, 'CN=site.example.test');
    const g = await acm.send(new GetCertificateCommand({ CertificateArn }));
    assert.match(new X509Certificate(g.Certificate!).subjectAltName!, /DNS:\*\.site\.example\.test/);
  });

  it('lists with the default key-type filter, statuses and paging', async () => {
    const list = await acm.send(new ListCertificatesCommand({}));
    assert.ok(
      list.CertificateSummaryList!.every((c) => String(c.KeyAlgorithm) === 'RSA-2048'),
      'RSA_1024/RSA_2048 only by default',
    );
    const ec = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] }, CertificateStatuses: ['ISSUED'] }));
    assert.ok(ec.CertificateSummaryList!.length >= 2);
    assert.ok(ec.CertificateSummaryList!.every((c) => c.Status === 'ISSUED' && String(c.KeyAlgorithm) === 'EC-prime256v1'));
    const first = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1', 'RSA_2048', 'EC_secp384r1'] }, MaxItems: 2 }));
    assert.equal(first.CertificateSummaryList!.length, 2);
    assert.ok(first.NextToken);
    const second = await acm.send(
      new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1', 'RSA_2048', 'EC_secp384r1'] }, MaxItems: 2, NextToken: first.NextToken }),
    );
    assert.notEqual(second.CertificateSummaryList![0]!.CertificateArn, first.CertificateSummaryList![0]!.CertificateArn);
    // Includes filters: a certificate is listed when it has one of the values given for each filter.
    const allTypes = ['EC_prime256v1', 'RSA_2048', 'EC_secp384r1'] as const;
    const rsaOnly = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: [...allTypes], keyUsage: ['KEY_ENCIPHERMENT'] } }));
    assert.ok(rsaOnly.CertificateSummaryList!.length > 0);
    assert.ok(rsaOnly.CertificateSummaryList!.every((c) => String(c.KeyAlgorithm).startsWith('RSA') && c.KeyUsages?.includes('KEY_ENCIPHERMENT')));
    const server = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: [...allTypes], extendedKeyUsage: ['TLS_WEB_SERVER_AUTHENTICATION'] } }));
    assert.equal(
      server.CertificateSummaryList!.length,
      (await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: [...allTypes] } }))).CertificateSummaryList!.length,
    );
    for (const Includes of [
      { keyTypes: [...allTypes], extendedKeyUsage: ['CODE_SIGNING' as const] },
      { keyTypes: [...allTypes], managedBy: 'CLOUDFRONT' as const },
    ]) {
      assert.deepEqual((await acm.send(new ListCertificatesCommand({ Includes }))).CertificateSummaryList, []);
    }
    const exportable = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: [...allTypes], exportOption: 'ENABLED' } }));
    assert.ok(exportable.CertificateSummaryList!.length > 0 && exportable.CertificateSummaryList!.every((c) => c.ExportOption === 'ENABLED'));
    assert.equal(await errorName(acm.send(new ListCertificatesCommand({ CertificateStatuses: ['BOGUS' as never] }))), 'ValidationException');
  });

  it('answers malformed members with AWS errors, never a 5xx (property)', async () => {
    const call = (op: string, body: unknown) =>
      jsonCall(s.endpoint, s.agent, `CertificateManager.${op}`, JSON.stringify(body), { credentials: s.credentials, service: 'acm' });
    const typeOf = (r: { body: string }) => (JSON.parse(r.body) as { __type: string }).__type;
    assert.equal(typeOf(await call('ListCertificates', { CertificateStatuses: { DaysBeforeExpiry: 1 } })), 'SerializationException');
    assert.equal(typeOf(await call('ListCertificates', { Includes: { keyTypes: 'RSA_2048' } })), 'SerializationException');
    assert.equal(
      typeOf(await call('RequestCertificate', { DomainName: 'x.example.com', CertificateAuthorityArn: caArn, Options: { Export: 5 } })),
      'SerializationException',
    );
    assert.equal(typeOf(await call('RequestCertificate', { DomainName: 'x.example.com', DomainValidationOptions: [null] })), 'SerializationException');
    assert.equal(typeOf(await call('PutAccountConfiguration', { IdempotencyToken: 't', ExpiryEvents: [30] })), 'SerializationException');
    // A missing required member is "Value null", unquoted, as AWS answers (moto's AWS-verified test).
    const missing = await call('PutAccountConfiguration', { ExpiryEvents: {} });
    assert.deepEqual(JSON.parse(missing.body), {
      __type: 'ValidationException',
      message: "1 validation error detected: Value null at 'idempotencyToken' failed to satisfy constraint: Member must not be null",
    });
    const noEvents = await call('PutAccountConfiguration', { IdempotencyToken: 'sometoken' });
    assert.deepEqual(JSON.parse(noEvents.body), { __type: 'ValidationException', message: 'Configuration for events is empty.' });
    const members = ['CertificateArn', 'DomainName', 'SubjectAlternativeNames', 'DomainValidationOptions', 'Options', 'Tags', 'KeyAlgorithm', 'Includes'];
    members.push('CertificateStatuses', 'ExpiryEvents', 'Passphrase', 'Certificate', 'PrivateKey', 'MaxItems', 'NextToken', 'RevocationReason');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'RequestCertificate',
          'ListCertificates',
          'ImportCertificate',
          'ExportCertificate',
          'UpdateCertificateOptions',
          'PutAccountConfiguration',
          'RevokeCertificate',
        ),
        fc.dictionary(
          fc.constantFrom(...members),
          fc.oneof(fc.jsonValue(), fc.constantFrom(caArn, 'x.example.com', [null], [{}], { Export: 1 }, { keyTypes: {} })),
        ),
        async (op, body) => {
          const r = await call(op, body);
          assert.ok(r.status < 500, `${op} ${JSON.stringify(body)} -> ${r.status} ${r.body}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("names a certificate's issuer as ACM does: its organization, else its common name", async () => {
    // Recorded from AWS (localstack's ACM snapshots): a certificate imported with issuer O=LocalStack Org is
    // described with Issuer "LocalStack Org"; ACM's own public certificates say "Amazon".
    const dir = tempDir();
    const selfSigned = (name: string, subject: string) => {
      const [key, cert] = [join(dir, `${name}.key`), join(dir, `${name}.pem`)];
      const selfSignedEc = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30'.split(' ');
      const names = ['-subj', subject, '-addext', 'subjectAltName=DNS:issuer.example.test'];
      execFileSync('openssl', [...selfSignedEc, ...names, '-keyout', key, '-out', cert], { stdio: 'ignore' });
      return { Certificate: readFileSync(cert), PrivateKey: readFileSync(key) };
    };
    const described = async (CertificateArn: string | undefined) => (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!;
    const withOrg = await acm.send(new ImportCertificateCommand(selfSigned('org', '/C=AU/O=Example Org/OU=Testing/CN=issuer.example.test')));
    const d = await described(withOrg.CertificateArn);
    assert.equal(d.Issuer, 'Example Org');
    assert.equal(d.Subject, 'C=AU,O=Example Org,OU=Testing,CN=issuer.example.test');
    const cnOnly = await acm.send(new ImportCertificateCommand(selfSigned('cn', '/CN=issuer.example.test')));
    assert.equal((await described(cnOnly.CertificateArn)).Issuer, 'issuer.example.test');
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'issuer.example.test', CertificateAuthorityArn: caArn }));
    assert.equal((await described(CertificateArn)).Issuer, 'Keyhold');
  });

  it('imports and re-imports to the same ARN; refuses a mismatched key; tags', async () => {
    const mk = async () => {
      const { CertificateArn } = await acm.send(
        new RequestCertificateCommand({ DomainName: 'import.example.test', CertificateAuthorityArn: caArn, KeyAlgorithm: 'EC_prime256v1' }),
      );
      const out = await acm.send(new ExportCertificateCommand({ CertificateArn, Passphrase: Buffer.from('pw-pw-pw') }));
      const key = createPrivateKey({ key: out.PrivateKey!, passphrase: 'pw-pw-pw' }).export({ type: 'pkcs8', format: 'pem' }).toString();
      return { cert: out.Certificate!, chain: out.CertificateChain!, key };
    };
    const a = await mk();
    const b = await mk();
    const imp = await acm.send(
      new ImportCertificateCommand({
        Certificate: Buffer.from(a.cert),
        PrivateKey: Buffer.from(a.key),
        CertificateChain: Buffer.from(a.chain),
        Tags: [{ Key: 'team', Value: 'x' }],
      }),
    );
    const d = (await acm.send(new DescribeCertificateCommand({ CertificateArn: imp.CertificateArn }))).Certificate!;
    assert.equal(d.Type, 'IMPORTED');
    assert.equal(d.RenewalEligibility, 'INELIGIBLE');
    // As ACM describes an imported certificate: its names without validation details, usages read from it,
    // distinguished names without spaces after the commas, transparency logging not ACM's to do.
    assert.deepEqual(d.DomainValidationOptions, [{ DomainName: 'import.example.test' }]);
    assert.deepEqual(d.KeyUsages, [{ Name: 'DIGITAL_SIGNATURE' }]);
    assert.deepEqual(d.ExtendedKeyUsages, [{ Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' }]);
    assert.equal(d.Subject, 'CN=import.example.test');
    assert.doesNotMatch(d.Issuer!, /, /);
    assert.equal(d.Options?.CertificateTransparencyLoggingPreference, 'DISABLED');
    await acm.send(new ImportCertificateCommand({ CertificateArn: imp.CertificateArn, Certificate: Buffer.from(b.cert), PrivateKey: Buffer.from(b.key) }));
    const g = await acm.send(new GetCertificateCommand({ CertificateArn: imp.CertificateArn }));
    assert.equal(new X509Certificate(g.Certificate!).serialNumber, new X509Certificate(b.cert).serialNumber);
    assert.equal(
      await errorName(acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(a.cert), PrivateKey: Buffer.from(b.key) }))),
      'ValidationException',
    );
    assert.equal(
      await errorName(
        acm.send(
          new ImportCertificateCommand({
            CertificateArn: imp.CertificateArn,
            Certificate: Buffer.from(a.cert),
            PrivateKey: Buffer.from(a.key),
            Tags: [{ Key: 'a', Value: 'b' }],
          }),
        ),
      ),
      'InvalidParameterException',
    );
    await acm.send(new AddTagsToCertificateCommand({ CertificateArn: imp.CertificateArn, Tags: [{ Key: 'env', Value: 'prod' }] }));
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: imp.CertificateArn, Tags: [{ Key: 'team' }] }));
    assert.deepEqual((await acm.send(new ListTagsForCertificateCommand({ CertificateArn: imp.CertificateArn }))).Tags, [{ Key: 'env', Value: 'prod' }]);
    assert.equal(
      await errorName(acm.send(new AddTagsToCertificateCommand({ CertificateArn: imp.CertificateArn, Tags: [{ Key: 'aws:x', Value: 'y' }] }))),
      'InvalidTagException',
    );
    // Lengths are member constraints: ValidationException naming the member path, as AWS's JSON services answer.
    const longKey = await failure(acm.send(new AddTagsToCertificateCommand({ CertificateArn: imp.CertificateArn, Tags: [{ Key: 'X'.repeat(129) }] })));
    assert.deepEqual(
      [longKey.name, longKey.message],
      [
        'ValidationException',
        `1 validation error detected: Value '${'X'.repeat(129)}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ],
    );
    const longValue = await failure(
      acm.send(new AddTagsToCertificateCommand({ CertificateArn: imp.CertificateArn, Tags: [{ Key: 'ok' }, { Key: 'v', Value: 'v'.repeat(257) }] })),
    );
    assert.match(longValue.message, /at 'tags\.2\.member\.value' failed to satisfy constraint: Member must have length less than or equal to 256$/);
    await acm.send(new DeleteCertificateCommand({ CertificateArn: imp.CertificateArn }));
    assert.equal(await errorName(acm.send(new DescribeCertificateCommand({ CertificateArn: imp.CertificateArn }))), 'ResourceNotFoundException');
  });

  it('revokes: status REVOKED and the serial on the CRL served as DER', async () => {
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({ DomainName: 'revoke.example.test', CertificateAuthorityArn: caArn, KeyAlgorithm: 'EC_prime256v1' }),
    );
    const serial = new X509Certificate((await acm.send(new GetCertificateCommand({ CertificateArn }))).Certificate!).serialNumber;
    await acm.send(new RevokeCertificateCommand({ CertificateArn, RevocationReason: 'KEY_COMPROMISE' }));
    assert.equal((await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!.Status, 'REVOKED');
    const der = await new Promise<Buffer>((resolve, reject) =>
      get(`${s.endpoint}/acm/crl/us-east-1.crl`, { ca: s.ca }, (res) => {
        assert.equal(res.headers['content-type'], 'application/pkix-crl');
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
    const crl = new x509.X509Crl(new Uint8Array(der));
    assert.ok(crl.entries.some((e) => e.serialNumber.toLowerCase().replace(/^0+/, '') === serial.toLowerCase().replace(/^0+/, '')));
    const inter = new x509.X509Certificate((await acm.send(new GetCertificateCommand({ CertificateArn }))).CertificateChain!);
    assert.ok(await crl.verify({ publicKey: inter.publicKey }));
  });

  it('account configuration, regional scope and errors', async () => {
    assert.equal((await acm.send(new GetAccountConfigurationCommand({}))).ExpiryEvents?.DaysBeforeExpiry, 45);
    await acm.send(new PutAccountConfigurationCommand({ ExpiryEvents: { DaysBeforeExpiry: 30 }, IdempotencyToken: 'tok1' }));
    assert.equal((await acm.send(new GetAccountConfigurationCommand({}))).ExpiryEvents?.DaysBeforeExpiry, 30);
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'region.example.test', CertificateAuthorityArn: caArn }));
    const eu = s.acm({ region: 'eu-west-1' });
    assert.equal(await errorName(eu.send(new DescribeCertificateCommand({ CertificateArn }))), 'ResourceNotFoundException', 'certificates are regional');
    assert.equal(
      await errorName(acm.send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:acm:us-east-1:123:cert/not-a-certificate' }))),
      'InvalidArnException',
    );
    const neverIssued = `arn:aws:acm:us-east-1:${s.kh.accountId}:certificate/_0000000-0000-0000-0000-000000000000`;
    assert.equal(await errorName(acm.send(new DescribeCertificateCommand({ CertificateArn: neverIssued }))), 'ResourceNotFoundException');
    assert.equal(await errorName(acm.send(new RequestCertificateCommand({ DomainName: 'x.example.test', KeyAlgorithm: 'RSA_4096' }))), 'ValidationException');
    assert.equal(
      await errorName(
        acm.send(
          new RequestCertificateCommand({
            DomainName: 'x.example.test',
            CertificateAuthorityArn: 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/other',
          }),
        ),
      ),
      'ResourceNotFoundException',
    );
    const tok = await acm.send(new RequestCertificateCommand({ DomainName: 'idem.example.test', IdempotencyToken: 'same', ValidationMethod: 'DNS' }));
    assert.equal(
      (await acm.send(new RequestCertificateCommand({ DomainName: 'idem.example.test', IdempotencyToken: 'same', ValidationMethod: 'DNS' }))).CertificateArn,
      tok.CertificateArn,
    );
    const svc = s.kh.service('acm') as AcmService;
    assert.ok(svc.certs);
  });

  it('request, tag, state and permission errors change nothing', async () => {
    const before = (await acm.send(new ListCertificatesCommand({ CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION'] }))).CertificateSummaryList?.length;
    // Validation is by DNS only, so there is never an email to resend.
    const anyArn = (await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList?.[0]?.CertificateArn;
    assert.ok(anyArn);
    const resend = (CertificateArn: string, Domain = 'example.test') =>
      errorName(acm.send(new ResendValidationEmailCommand({ CertificateArn, Domain, ValidationDomain: Domain })));
    assert.equal(await resend(anyArn), 'InvalidStateException');
    assert.equal(await resend(anyArn.replace(/[0-9a-f-]{36}$/, '00000000-0000-0000-0000-000000000000')), 'ResourceNotFoundException');
    assert.equal(await resend(anyArn, ''), 'ValidationException');
    const sans = Array.from({ length: 10 }, (_, i) => `n${i}.limit.example.test`);
    assert.equal(
      await errorName(
        acm.send(new RequestCertificateCommand({ DomainName: 'limit.example.test', SubjectAlternativeNames: sans, CertificateAuthorityArn: caArn })),
      ),
      'LimitExceededException',
    );
    assert.equal(
      await errorName(
        acm.send(
          new RequestCertificateCommand({
            DomainName: 'dvo.example.test',
            DomainValidationOptions: [{ DomainName: 'other.example.test', ValidationDomain: 'example.test' }],
          }),
        ),
      ),
      'InvalidDomainValidationOptionsException',
    );
    const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    assert.equal(
      await errorName(acm.send(new RequestCertificateCommand({ DomainName: 'tags.example.test', CertificateAuthorityArn: caArn, Tags: tags }))),
      'TooManyTagsException',
    );
    assert.equal(
      (await acm.send(new ListCertificatesCommand({ CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION'] }))).CertificateSummaryList?.length,
      before,
      'nothing was created',
    );

    const pending = (await acm.send(new RequestCertificateCommand({ DomainName: 'pending.example.test', ValidationMethod: 'DNS' }))).CertificateArn!;
    assert.equal(await errorName(acm.send(new GetCertificateCommand({ CertificateArn: pending }))), 'RequestInProgressException');
    assert.equal(
      await errorName(acm.send(new ExportCertificateCommand({ CertificateArn: pending, Passphrase: Buffer.from('passphrase-1') }))),
      'ValidationException',
      'a DNS-validated certificate requested without Export=ENABLED is not exportable',
    );
    const priv = (await acm.send(new RequestCertificateCommand({ DomainName: 'state.example.test', CertificateAuthorityArn: caArn }))).CertificateArn!;
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: priv }));
    const exported = await acm.send(new ExportCertificateCommand({ CertificateArn: priv, Passphrase: Buffer.from('passphrase-1') }));
    const keyPem = createPrivateKey({ key: exported.PrivateKey!, passphrase: 'passphrase-1' }).export({ type: 'pkcs8', format: 'pem' });
    assert.equal(
      await errorName(
        acm.send(new ImportCertificateCommand({ CertificateArn: priv, Certificate: Buffer.from(got.Certificate!), PrivateKey: Buffer.from(keyPem) })),
      ),
      'InvalidStateException',
      'only imported certificates can be re-imported',
    );

    await acm.send(new UpdateCertificateOptionsCommand({ CertificateArn: priv, Options: { CertificateTransparencyLoggingPreference: 'DISABLED' } }));
    assert.equal(
      (await acm.send(new DescribeCertificateCommand({ CertificateArn: priv }))).Certificate?.Options?.CertificateTransparencyLoggingPreference,
      'DISABLED',
    );
    assert.equal(
      await errorName(acm.send(new UpdateCertificateOptionsCommand({ CertificateArn: priv, Options: { Export: 'DISABLED' } as never }))),
      'ValidationException',
    );
    const iam = s.iam();
    await iam.send(new CreateUserCommand({ UserName: 'acm-nobody' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'acm-nobody' }))).AccessKey!;
    const nobody = s.acm({ credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } });
    assert.equal(await errorName(nobody.send(new DescribeCertificateCommand({ CertificateArn: priv }))), 'AccessDeniedException');
    assert.equal(await errorName(nobody.send(new DeleteCertificateCommand({ CertificateArn: priv }))), 'AccessDeniedException');
    assert.equal((await acm.send(new DescribeCertificateCommand({ CertificateArn: priv }))).Certificate?.Status, 'ISSUED', 'still there');
  });
});
