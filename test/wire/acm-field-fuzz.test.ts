// Every certificate-manager operation, fed a valid body with one or two members mutated or removed
// (helpers/json-fuzz.ts), by a seeded property: the answer is a 2xx or an AWS JSON error of status 4xx, never a
// 5xx, and the server keeps serving. KEYHOLD_FUZZ_RUNS, KEYHOLD_FUZZ_SEED and KEYHOLD_FUZZ_STATS as in
// kms-field-fuzz.test.ts.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ExportCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import fc from 'fast-check';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { kvDigest } from '../helpers/kv-digest.js';
import { mutatedCalls } from '../helpers/json-fuzz.js';
import { jsonCall } from '../helpers/raw-request.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('certificate-manager operations fed type-confused members (property)', () => {
  let s: TestServer;
  let valid: Record<string, Record<string, unknown>>;
  let known: string[];
  before(async () => {
    s = await startTestServer();
    const acm = s.acm();
    const caArn = `arn:aws:acm-pca:us-east-1:${s.kh.accountId}:certificate-authority/keyhold-us-east-1`;
    const issued = (
      await acm.send(new RequestCertificateCommand({ DomainName: 'fuzz.example.test', CertificateAuthorityArn: caArn, KeyAlgorithm: 'EC_prime256v1' }))
    ).CertificateArn!;
    const pending = (await acm.send(new RequestCertificateCommand({ DomainName: 'pending.example.test', ValidationMethod: 'DNS' }))).CertificateArn!;
    const spare = (await acm.send(new RequestCertificateCommand({ DomainName: 'spare.example.test', CertificateAuthorityArn: caArn }))).CertificateArn!;
    const exported = await acm.send(new ExportCertificateCommand({ CertificateArn: issued, Passphrase: Buffer.from('fuzz-pass') }));
    const key = createPrivateKey({ key: exported.PrivateKey!, passphrase: 'fuzz-pass' }).export({ type: 'pkcs8', format: 'pem' }).toString();
    const tags = [{ Key: 'k', Value: 'v' }];
    valid = {
      RequestCertificate: {
        DomainName: 'new.example.test',
        SubjectAlternativeNames: ['alt.example.test'],
        CertificateAuthorityArn: caArn,
        KeyAlgorithm: 'EC_prime256v1',
        IdempotencyToken: 'fuzz',
        Options: { CertificateTransparencyLoggingPreference: 'DISABLED', Export: 'ENABLED' },
        Tags: tags,
      },
      DescribeCertificate: { CertificateArn: issued },
      ListCertificates: {
        CertificateStatuses: ['ISSUED', 'PENDING_VALIDATION'],
        Includes: { keyTypes: ['EC_prime256v1', 'RSA_2048'], extendedKeyUsage: ['TLS_WEB_SERVER_AUTHENTICATION'], keyUsage: ['DIGITAL_SIGNATURE'] },
        MaxItems: 10,
        SortBy: 'CREATED_AT',
        SortOrder: 'ASCENDING',
      },
      GetCertificate: { CertificateArn: issued },
      ExportCertificate: { CertificateArn: issued, Passphrase: b64('passphrase') },
      ImportCertificate: { Certificate: b64(exported.Certificate!), PrivateKey: b64(key), CertificateChain: b64(exported.CertificateChain!), Tags: tags },
      DeleteCertificate: { CertificateArn: spare },
      RenewCertificate: { CertificateArn: issued },
      RevokeCertificate: { CertificateArn: spare, RevocationReason: 'SUPERSEDED' },
      AddTagsToCertificate: { CertificateArn: issued, Tags: tags },
      RemoveTagsFromCertificate: { CertificateArn: issued, Tags: tags },
      ListTagsForCertificate: { CertificateArn: issued },
      GetAccountConfiguration: {},
      PutAccountConfiguration: { ExpiryEvents: { DaysBeforeExpiry: 45 }, IdempotencyToken: 'fuzz' },
      UpdateCertificateOptions: { CertificateArn: issued, Options: { CertificateTransparencyLoggingPreference: 'ENABLED' } },
      ResendValidationEmail: { CertificateArn: pending, Domain: 'pending.example.test', ValidationDomain: 'example.test' },
    };
    known = [issued, pending, spare, caArn, b64(exported.Certificate!), b64(key), 'EC_prime256v1', 'RSA_2048', 'DNS', 'EMAIL', 'ISSUED', 'example.test'];
    known.push('*.example.test', 'a'.repeat(64), `${'a'.repeat(63)}.example.test`);
  });
  after(() => s.stop());

  it('answers every call with 2xx or a 4xx AWS error, never 5xx', async () => {
    const state = kvDigest(s.dataDir);
    await fc
      .assert(
        fc.asyncProperty(mutatedCalls(valid, known), async ([op, body]) => {
          const before = state.read();
          const r = await jsonCall(s.endpoint, s.agent, `CertificateManager.${op}`, JSON.stringify(body), { credentials: s.credentials, service: 'acm' });
          assert.ok(r.status < 500, `${op} ${JSON.stringify(body).slice(0, 300)} -> ${r.status} ${r.body.slice(0, 300)}`);
          const parsed = JSON.parse(r.body) as { __type?: string };
          countOutcome(`${op} ${r.status} ${parsed.__type ?? ''}`);
          if (r.status >= 400) assert.equal(typeof parsed.__type, 'string', r.body);
          if (r.status >= 400) assert.deepEqual(state.read(), before, `refused, yet changed state: ${JSON.stringify(body).slice(0, 300)}`);
        }),
        // Issuing certificates costs more than a KMS call: fewer runs by default.
        { numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 150), seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129), includeErrorInReport: true },
      )
      .finally(() => state.close());
  });
});
