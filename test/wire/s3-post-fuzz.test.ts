// Browser-based uploads (POST Object): forms signed by the SDK's createPresignedPost, sent as multipart/form-data
// with their fields mutated (a value of another kind, removed, an unknown or duplicate field) and then their
// bytes (flips, truncations, insertions, another boundary), by a seeded property: every answer comes in bounded
// time and is never a 5xx other than 501; a refused upload stores nothing; an accepted one stores an object.
// KEYHOLD_FUZZ_RUNS and KEYHOLD_FUZZ_SEED as in kms-field-fuzz.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import fc from 'fast-check';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { answeredWithin, type ByteMutation, byteMutation, mutateBytes, printable } from '../helpers/fuzz-values.js';
import { send } from '../helpers/raw-request.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

type Field = [string, string];
type FieldMutation = { name: string; value: string | null };

function multipart(fields: ReadonlyArray<Field>, file: Buffer, boundary: string): Buffer {
  const parts: Buffer[] = fields.map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\nContent-Type: text/plain\r\n\r\n`), file);
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

describe('POST Object forms with mutated fields and bytes (property)', () => {
  let s: TestServer;
  const bucket = 'post-fuzz';
  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s.stop());

  it('answers in bounded time, never 5xx but 501; refused forms store nothing, accepted ones an object', async () => {
    const text = fc.oneof(
      printable(30),
      fc.constantFrom('', '${filename}', 'AES256', 'aws:kms', 'private', 'public-read', '201', '303', 'http://localhost/ok', 'text/plain', 'x'.repeat(3000)),
      fc.constantFrom(
        '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>',
        'e30=',
        '{',
        'eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMFoiLCJjb25kaXRpb25zIjpbXX0=',
      ),
    );
    const fieldName = fc.constantFrom(
      'key',
      'Policy',
      'X-Amz-Signature',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Algorithm',
      'bucket',
      'Content-Type',
      'success_action_status',
      'success_action_redirect',
      'x-amz-server-side-encryption',
      'x-amz-server-side-encryption-aws-kms-key-id',
      'x-amz-meta-a',
      'tagging',
      'acl',
      'x-amz-checksum-crc32',
      'Expires',
      'file',
    );
    const fieldMutation: fc.Arbitrary<FieldMutation> = fc.record({ name: fieldName, value: fc.option(text, { freq: 5 }) });
    const bodyMutation: fc.Arbitrary<ByteMutation | { boundary: string }> = fc.oneof(
      byteMutation(['\r\n', '--', '"']),
      fc.record({ boundary: fc.oneof(fc.constantFrom('', 'x', '"quoted"', 'a'.repeat(100)), fc.string({ maxLength: 10 })) }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fieldMutation, { maxLength: 2 }), fc.array(bodyMutation, { maxLength: 1 }), async (fieldMutations, byteMutations) => {
        const key = `fuzz-${n++}`;
        const p = await createPresignedPost(s.s3(), {
          Bucket: bucket,
          Key: key,
          Conditions: [
            ['content-length-range', 0, 100_000],
            ['starts-with', '$Content-Type', ''],
          ],
          Fields: { 'Content-Type': 'text/plain' },
          Expires: 600,
        });
        const fields = new Map(Object.entries(p.fields));
        for (const m of fieldMutations) {
          if (m.value === null) fields.delete(m.name);
          else fields.set(m.name, m.value);
        }
        const boundary = `----KeyholdFuzz${randomBytes(6).toString('hex')}`;
        let body = multipart([...fields], randomBytes(500), boundary);
        let contentType = `multipart/form-data; boundary=${boundary}`;
        for (const m of byteMutations) {
          if ('boundary' in m) contentType = `multipart/form-data; boundary=${m.boundary}`;
          else body = mutateBytes(body, m);
        }
        const r = await answeredWithin(
          send(s.endpoint, s.agent, {
            method: 'POST',
            path: `/${bucket}`,
            headers: { 'content-type': contentType, 'content-length': String(body.length) },
            body,
          }),
          20_000,
          () => JSON.stringify([fieldMutations, byteMutations]),
        );
        const code = /<Code>([\w.]+)/.exec(r.body)?.[1] ?? '';
        countOutcome(`${r.status} ${code}`);
        const what = `${JSON.stringify(fieldMutations)} ${JSON.stringify(byteMutations)} -> ${r.status} ${r.body.slice(0, 300)}`;
        assert.ok(r.status < 500 || r.status === 501, what);
        const head = errorName(
          s
            .s3()
            .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
            .then(() => Promise.reject(Object.assign(new Error(), { name: 'Exists' }))),
        );
        if (r.status >= 400) {
          assert.notEqual(code, '', what);
          assert.notEqual(await head, 'Exists', `refused, yet stored: ${what}`);
        }
      }),
      {
        numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 150),
        seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129),
        includeErrorInReport: true,
        endOnFailure: true,
      },
    );
  });
});
