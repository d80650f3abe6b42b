// aws-chunked uploads (sigv4-streaming.html, sigv4-streaming-trailers.html) in all three modes, their framing
// mutated byte by byte (flips, truncations, insertions, other chunk sizes, another decoded length), by a seeded
// property: every request is answered in bounded time, never with a 5xx; a refused upload leaves no object;
// an accepted one stores exactly the bytes that were signed or checksummed. KEYHOLD_FUZZ_RUNS and
// KEYHOLD_FUZZ_SEED as in kms-field-fuzz.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { createChecksum } from '../../src/protocol/checksums.js';
import { type ChunkSigning, chunkSignature, trailerSignature } from '../../src/protocol/sigv4/chunked.js';
import { deriveSigningKey } from '../../src/protocol/sigv4/signing-key.js';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { answeredWithin, type ByteMutation, byteMutation, mutateBytes } from '../helpers/fuzz-values.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

const MODES = {
  signed: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'signed-trailer': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'unsigned-trailer': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
} as const;
type Mode = keyof typeof MODES;

/** The well-formed body of `data` cut into `sizes`-byte chunks, in one mode. */
function frame(mode: Mode, data: Buffer, sizes: number[], signing: ChunkSigning): Buffer {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  chunks.push(Buffer.alloc(0));
  const crc = createChecksum('crc32c');
  crc.update(data);
  const trailer = `x-amz-checksum-crc32c:${crc.digest()}`;
  const parts: Buffer[] = [];
  let previous = signing.seedSignature;
  for (const c of chunks) {
    if (mode === 'unsigned-trailer') parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c);
    else {
      previous = chunkSignature(signing, previous, c);
      parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${previous}\r\n`), c);
    }
    if (c.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (mode === 'signed') parts.push(Buffer.from('\r\n'));
  else if (mode === 'unsigned-trailer') parts.push(Buffer.from(`${trailer}\r\n\r\n`));
  else parts.push(Buffer.from(`${trailer}\r\nx-amz-trailer-signature:${trailerSignature(signing, previous, `${trailer}\n`)}\r\n\r\n`));
  return Buffer.concat(parts);
}

type Mutation = ByteMutation | { size: number; hex: string } | { decodedLength: string };

function mutate(body: Buffer, headers: Record<string, string>, m: Mutation): Buffer {
  if ('size' in m) {
    // The m.size-th chunk-size field gets another hex number.
    const text = body.toString('latin1');
    const starts = [...text.matchAll(/(?:^|\r\n)([0-9a-f]+)(?=[;\r])/g)].map((x) => x.index! + (x[0].startsWith('\r\n') ? 2 : 0));
    const at = starts[m.size % starts.length]!;
    const end = text.slice(at).search(/[;\r]/) + at;
    return Buffer.concat([body.subarray(0, at), Buffer.from(m.hex, 'latin1'), body.subarray(end)]);
  }
  if (!('decodedLength' in m)) return mutateBytes(body, m);
  headers['x-amz-decoded-content-length'] = m.decodedLength;
  return body;
}

describe('aws-chunked uploads with mutated framing (property)', () => {
  let s: TestServer;
  const bucket = 'chunked-fuzz';
  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s.stop());

  it('answers in bounded time, never 5xx; refused uploads leave no object, accepted ones store the signed bytes', async () => {
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      byteMutation(['\r\n', ';', '0\r\n\r\n']),
      fc.record({
        size: fc.nat(),
        hex: fc.oneof(
          fc.nat().map((n) => n.toString(16)),
          fc.constantFrom('', 'g', '-1', 'ffffffffffffffff', '0', ' 10', '1'.repeat(40)),
        ),
      }),
      fc.record({ decodedLength: fc.oneof(fc.nat(20_000).map(String), fc.constantFrom('', '-1', 'x', '1e3', '99999999999999999999')) }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Mode>('signed', 'signed-trailer', 'unsigned-trailer'),
        fc.integer({ min: 1, max: 12_000 }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 3 }),
        fc.array(mutation, { maxLength: 2 }),
        async (mode, length, sizes, mutations) => {
          const key = `object-${n++}`;
          const data = randomBytes(length);
          const headers: Record<string, string> = {
            'x-amz-content-sha256': MODES[mode],
            'content-encoding': 'aws-chunked',
            'x-amz-decoded-content-length': String(length),
            ...(mode === 'signed' ? {} : { 'x-amz-trailer': 'x-amz-checksum-crc32c' }),
          };
          const mutated = { ...headers };
          for (const m of mutations) if ('decodedLength' in m) mutate(Buffer.alloc(0), mutated, m);
          // The headers are signed as sent; the chunk signatures chain from that seed.
          const request = await signedS3(s.endpoint, s.agent, s.credentials, 'PUT', `/${bucket}/${key}`, mutated);
          const amzDate = request.headers['x-amz-date']!;
          const signing: ChunkSigning = {
            signingKey: deriveSigningKey(s.credentials.secretAccessKey, amzDate.slice(0, 8), 'us-east-1', 's3'),
            amzDate,
            scope: `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`,
            seedSignature: /Signature=([0-9a-f]{64})/.exec(request.headers.authorization!)![1]!,
          };
          let body = frame(mode, data, sizes, signing);
          for (const m of mutations) if (!('decodedLength' in m)) body = mutate(body, mutated, m);
          const r = await answeredWithin(request.send(body), 20_000, () => `${mode} ${JSON.stringify(mutations)}`);
          countOutcome(`${mode} ${r.status} ${/<Code>([\w.]+)/.exec(r.body)?.[1] ?? ''}`);
          const what = `${mode} length ${length} sizes ${sizes} ${JSON.stringify(mutations)} -> ${r.status} ${r.body.slice(0, 300)}`;
          assert.ok(r.status < 500, what);
          const get = s.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          if (r.status >= 300) {
            assert.match(r.body, /<Code>[\w.]+<\/Code>/, what);
            assert.equal(await errorName(get), 'NoSuchKey', `refused, yet stored: ${what}`);
          } else {
            const stored = Buffer.from(await (await get).Body!.transformToByteArray());
            assert.ok(stored.equals(data), `accepted, yet stored other bytes: ${what}`);
          }
        },
      ),
      {
        numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 150),
        seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129),
        includeErrorInReport: true,
        endOnFailure: true,
      },
    );
  });
});
