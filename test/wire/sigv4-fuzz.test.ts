// Signature Version 4 as the edge parses it, fed validly signed requests (a KMS call in the header form, an S3
// GET in the header and presigned-URL forms) with one or two parts of the authentication mutated: the
// Authorization header's algorithm, Credential scope parts, SignedHeaders and Signature; X-Amz-Date; the session
// token; the presigned URL's X-Amz-* parameters. By a seeded property: every answer is the service's own error
// document (or a success, when the mutation changed nothing that is signed), never a 5xx. KEYHOLD_FUZZ_RUNS and
// KEYHOLD_FUZZ_SEED as in kms-field-fuzz.test.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { printable } from '../helpers/fuzz-values.js';
import { send } from '../helpers/raw-request.js';
import { NodeSha256 } from '../helpers/sha256.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Mutation =
  | { part: 'algorithm' | 'credential' | 'signedHeaders' | 'signature' | 'separator' | 'date' | 'token'; value: string }
  | { part: 'scope'; index: number; value: string }
  | { part: 'query'; name: string; value: string | null };

const AUTH = /^(\S+) Credential=([^,]*), ?SignedHeaders=([^,]*), ?Signature=(.*)$/;

function mutateAuthorization(auth: string, m: Exclude<Mutation, { part: 'query' }>): string {
  const match = AUTH.exec(auth);
  // An earlier mutation broke the header's shape: this one appends to it.
  if (!match) return `${auth}${m.value}`;
  const [, algorithm, credential, signedHeaders, signature] = match;
  const parts = { algorithm: algorithm!, credential: credential!, signedHeaders: signedHeaders!, signature: signature! };
  let separator = ', ';
  if (m.part === 'scope') {
    const scope = parts.credential.split('/');
    scope[m.index % (scope.length + 1)] = m.value;
    parts.credential = scope.join('/');
  } else if (m.part === 'separator') separator = m.value;
  else if (m.part in parts) parts[m.part as keyof typeof parts] = m.value;
  return `${parts.algorithm} Credential=${parts.credential}${separator}SignedHeaders=${parts.signedHeaders}${separator}Signature=${parts.signature}`;
}

describe('SigV4 authentication with mutated parts (property)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: 'sigv4-fuzz' }));
    await s.s3().send(new PutObjectCommand({ Bucket: 'sigv4-fuzz', Key: 'o', Body: 'hello' }));
  });
  after(() => s.stop());

  it('answers every mutated request with an error document or a success, never 5xx', async () => {
    const text = fc.oneof(
      printable(30),
      fc.constantFrom(
        '',
        ' ',
        '/',
        ',',
        '=',
        'AWS4-HMAC-SHA256',
        'AWS4-ECDSA-P256-SHA256',
        'aws4_request',
        'us-east-1',
        'kms',
        's3',
        'host',
        'host;x-amz-date',
        'HOST;X-AMZ-DATE',
      ),
      fc.constantFrom('20261129', '20261129T000000Z', '19700101T000000Z', '99991231T235959Z', '20261329T250000Z', '20261129T000000', 'x'.repeat(300)),
      fc.constantFrom(
        '0'.repeat(64),
        'G'.repeat(64),
        'a'.repeat(63),
        'A'.repeat(64),
        s.credentials.accessKeyId,
        'AKIA',
        '-1',
        '604801',
        '99999999999999999999',
        '1e3',
      ),
    );
    const authMutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ part: fc.constantFrom('algorithm', 'credential', 'signedHeaders', 'signature', 'separator', 'date', 'token'), value: text }),
      fc.record({ part: fc.constant('scope'), index: fc.nat(6), value: text }),
    ) as fc.Arbitrary<Mutation>;
    const queryMutation: fc.Arbitrary<Mutation> = fc.record({
      part: fc.constant('query'),
      name: fc.constantFrom(
        'X-Amz-Algorithm',
        'X-Amz-Credential',
        'X-Amz-Date',
        'X-Amz-Expires',
        'X-Amz-SignedHeaders',
        'X-Amz-Signature',
        'X-Amz-Security-Token',
        'x-id',
      ),
      value: fc.option(text, { freq: 5 }),
    }) as fc.Arbitrary<Mutation>;
    const kmsSigner = new SignatureV4({ credentials: s.credentials, region: 'us-east-1', service: 'kms', sha256: NodeSha256, uriEscapePath: true });
    const url = new URL(s.endpoint);

    const request = fc.oneof(
      fc.tuple(fc.constant('kms' as const), fc.array(authMutation, { minLength: 1, maxLength: 2 })),
      fc.tuple(fc.constant('s3' as const), fc.array(authMutation, { minLength: 1, maxLength: 2 })),
      fc.tuple(fc.constant('presigned' as const), fc.array(queryMutation, { minLength: 1, maxLength: 2 })),
    );
    await fc.assert(
      fc.asyncProperty(request, async ([form, mutations]) => {
        let r: Awaited<ReturnType<typeof send>>;
        if (form === 'presigned') {
          const signed = new URL(await getSignedUrl(s.s3(), new GetObjectCommand({ Bucket: 'sigv4-fuzz', Key: 'o' }), { expiresIn: 300 }));
          for (const m of mutations) {
            if (m.part !== 'query') continue;
            if (m.value === null) signed.searchParams.delete(m.name);
            else signed.searchParams.set(m.name, m.value);
          }
          r = await send(s.endpoint, s.agent, { method: 'GET', path: signed.pathname + signed.search, headers: {} });
        } else {
          const body = form === 'kms' ? '{"KeyId":"alias/aws/s3"}' : '';
          const headers: Record<string, string> =
            form === 'kms'
              ? { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' }
              : { host: url.host, 'x-amz-content-sha256': createHash('sha256').update('').digest('hex') };
          const signer =
            form === 'kms'
              ? kmsSigner
              : new SignatureV4({ credentials: s.credentials, region: 'us-east-1', service: 's3', sha256: NodeSha256, uriEscapePath: false });
          const path = form === 'kms' ? '/' : '/sigv4-fuzz/o';
          const signed = (
            await signer.sign({
              method: form === 'kms' ? 'POST' : 'GET',
              protocol: 'https:',
              hostname: url.hostname,
              port: Number(url.port),
              path,
              headers,
              body,
            })
          ).headers as Record<string, string>;
          for (const m of mutations) {
            if (m.part === 'date') signed['x-amz-date'] = m.value;
            else if (m.part === 'token') signed['x-amz-security-token'] = m.value;
            else if (m.part !== 'query') signed.authorization = mutateAuthorization(signed.authorization ?? '', m);
          }
          r = await send(s.endpoint, s.agent, { method: form === 'kms' ? 'POST' : 'GET', path, headers: signed, body });
        }
        const code = form === 'kms' ? ((JSON.parse(r.body) as { __type?: string }).__type ?? '') : (/<Code>([\w.]+)/.exec(r.body)?.[1] ?? '');
        countOutcome(`${form} ${r.status} ${code}`);
        const what = `${form} ${JSON.stringify(mutations)} -> ${r.status} ${r.body.slice(0, 300)}`;
        assert.ok(r.status < 500, what);
        if (r.status >= 300) assert.notEqual(code, '', what);
      }),
      { numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 300), seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129), includeErrorInReport: true },
    );
  });
});
