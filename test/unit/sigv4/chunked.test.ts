// aws-chunked decoding against the S3 documentation's known-answer example (seed, chunk and final
// signatures; shared/vectors/README.md), the verifier handing its signing key and seed signature on,
// and every mutation of the framing refused before unverified bytes are released.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createChecksum } from '../../../src/protocol/checksums.js';
import { AwsChunkedDecoder, ChunkedEncodingError, type ChunkSigning, chunkSignature, trailerSignature } from '../../../src/protocol/sigv4/chunked.js';
import { deriveSigningKey } from '../../../src/protocol/sigv4/signing-key.js';
import { verifySigV4 } from '../../../src/protocol/sigv4/verifier.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const SIG1 = 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648';
const SIG2 = '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497';
const FINAL = 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9';
const signing: ChunkSigning = {
  signingKey: deriveSigningKey(SECRET, '20130524', 'us-east-1', 's3'),
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: SEED,
};
const c1 = Buffer.alloc(65536, 'a');
const c2 = Buffer.alloc(1024, 'a');

const frame = (data: Buffer, sig?: string) =>
  Buffer.concat([Buffer.from(`${data.length.toString(16)}${sig ? `;chunk-signature=${sig}` : ''}\r\n`), data, Buffer.from('\r\n')]);
const exampleBody = () => Buffer.concat([frame(c1, SIG1), frame(c2, SIG2), Buffer.from(`0;chunk-signature=${FINAL}\r\n\r\n`)]);

async function* pieces(b: Buffer, size = 7000): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function decode(body: Buffer, d: AwsChunkedDecoder): Promise<{ out: Buffer; error?: unknown; yielded: number }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of d.decode(pieces(body))) parts.push(c);
    return { out: Buffer.concat(parts), yielded: parts.length };
  } catch (error) {
    return { out: Buffer.concat(parts), error, yielded: parts.length };
  }
}

describe('aws-chunked (S3 documentation example)', () => {
  it('the header verifier produces the seed signature and the signing key the decoder continues with', () => {
    const headers: Array<[string, string]> = [
      ['Host', 's3.amazonaws.com'],
      ['x-amz-date', '20130524T000000Z'],
      ['x-amz-storage-class', 'REDUCED_REDUNDANCY'],
      [
        'Authorization',
        `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${SEED}`,
      ],
      ['x-amz-content-sha256', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'],
      ['Content-Encoding', 'aws-chunked'],
      ['x-amz-decoded-content-length', '66560'],
      ['Content-Length', '66824'],
    ];
    const v = verifySigV4(
      { method: 'PUT', path: '/examplebucket/chunkObject.txt', query: '', headers },
      {
        now: Date.parse('2013-05-24T00:00:00Z'),
        pathRule: 's3',
        service: 's3',
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        lookup: (id) => (id === 'AKIAIOSFODNN7EXAMPLE' ? { accessKeyId: id, secretAccessKey: SECRET, active: true, principal: 'p' } : undefined),
      },
    );
    assert.equal(v.signature, SEED);
    assert.deepEqual(v.signingKey, signing.signingKey);
    assert.equal(exampleBody().length, 66824, 'framed length as in the example');
  });

  it('chunk and final signatures match the known answers', () => {
    assert.equal(chunkSignature(signing, SEED, c1), SIG1);
    assert.equal(chunkSignature(signing, SIG1, c2), SIG2);
    assert.equal(chunkSignature(signing, SIG2, Buffer.alloc(0)), FINAL);
    assert.equal(trailerSignature(signing, FINAL, 'first:1st\nsecond:2nd\nthird:3rd\n'), 'df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c');
  });

  it('decodes the example body to exactly the 66,560 bytes the client meant', async () => {
    const d = new AwsChunkedDecoder({ mode: 'signed', signing, decodedLength: 66560 });
    const r = await decode(exampleBody(), d);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.out, Buffer.concat([c1, c2]));
  });

  const mutations: Array<[string, () => Buffer, number]> = [
    ['swapped chunks', () => Buffer.concat([frame(c2, SIG2), frame(c1, SIG1), Buffer.from(`0;chunk-signature=${FINAL}\r\n\r\n`)]), 0],
    ['dropped chunk', () => Buffer.concat([frame(c1, SIG1), Buffer.from(`0;chunk-signature=${FINAL}\r\n\r\n`)]), 1],
    [
      'flipped data byte in chunk 2',
      () => {
        const b = exampleBody();
        b[65536 + 190] = b[65536 + 190]! ^ 1;
        return b;
      },
      1,
    ],
    ['truncated body', () => exampleBody().subarray(0, 66000), 1],
    ['missing final chunk', () => Buffer.concat([frame(c1, SIG1), frame(c2, SIG2)]), 2],
    ['wrong final signature', () => Buffer.concat([frame(c1, SIG1), frame(c2, SIG2), Buffer.from(`0;chunk-signature=${SIG2}\r\n\r\n`)]), 2],
    ['trailing garbage', () => Buffer.concat([exampleBody(), Buffer.from('x')]), 2],
    ['missing signature', () => Buffer.concat([frame(c1), frame(c2, SIG2), Buffer.from(`0;chunk-signature=${FINAL}\r\n\r\n`)]), 0],
    ['bad size', () => Buffer.from('zz;chunk-signature=00\r\n'), 0],
  ];
  for (const [name, body, releasedChunks] of mutations) {
    it(`refuses: ${name}, releasing only verified chunks`, async () => {
      const r = await decode(body(), new AwsChunkedDecoder({ mode: 'signed', signing, decodedLength: 66560 }));
      assert.ok(r.error instanceof ChunkedEncodingError, String(r.error));
      assert.ok(r.yielded <= releasedChunks, `${r.yielded} chunks released`);
    });
  }

  it('enforces x-amz-decoded-content-length', async () => {
    const r = await decode(exampleBody(), new AwsChunkedDecoder({ mode: 'signed', signing, decodedLength: 66561 }));
    assert.ok(r.error instanceof ChunkedEncodingError);
  });
});

describe('aws-chunked with trailers', () => {
  it('unsigned payload with a CRC32 trailer (the SDK v3 stream upload shape)', async () => {
    const data = Buffer.from('hello, chunked world');
    const crc = createChecksum('crc32');
    crc.update(data);
    const body = Buffer.concat([frame(data.subarray(0, 7)), frame(data.subarray(7)), Buffer.from(`0\r\nx-amz-checksum-crc32:${crc.digest()}\r\n\r\n`)]);
    const d = new AwsChunkedDecoder({ mode: 'unsigned-trailer', decodedLength: data.length, expectedTrailers: ['x-amz-checksum-crc32'] });
    const r = await decode(body, d);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.out, data);
    assert.equal(d.trailers.get('x-amz-checksum-crc32'), crc.digest());
    const missing = await decode(
      Buffer.concat([frame(data), Buffer.from('0\r\n\r\n')]),
      new AwsChunkedDecoder({ mode: 'unsigned-trailer', expectedTrailers: ['x-amz-checksum-crc32'] }),
    );
    assert.equal((missing.error as ChunkedEncodingError).code, 'MalformedTrailerError');
  });

  it('signed payload with a signed trailer', async () => {
    const data = Buffer.alloc(9000, 'z');
    const sig1 = chunkSignature(signing, SEED, data);
    const fin = chunkSignature(signing, sig1, Buffer.alloc(0));
    const trailer = 'x-amz-checksum-crc32c:sOO8/Q==\n';
    const tsig = trailerSignature(signing, fin, trailer);
    const body = (t: string) =>
      Buffer.concat([frame(data, sig1), Buffer.from(`0;chunk-signature=${fin}\r\nx-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${t}\r\n\r\n`)]);
    const ok = await decode(body(tsig), new AwsChunkedDecoder({ mode: 'signed-trailer', signing }));
    assert.equal(ok.error, undefined);
    const bad = await decode(body(fin), new AwsChunkedDecoder({ mode: 'signed-trailer', signing }));
    assert.equal((bad.error as ChunkedEncodingError).code, 'SignatureDoesNotMatch');
  });

  it('computes S3 checksums (CRC32, CRC32C, SHA-1, SHA-256) as base64', () => {
    const sum = (alg: Parameters<typeof createChecksum>[0], s: string) => {
      const c = createChecksum(alg);
      c.update(Buffer.from(s));
      return c.digest();
    };
    assert.equal(sum('crc32', ''), 'AAAAAA==');
    assert.equal(sum('crc32', '123456789'), Buffer.from('cbf43926', 'hex').toString('base64'));
    assert.equal(sum('crc32c', '123456789'), Buffer.from('e3069283', 'hex').toString('base64'));
    assert.equal(sum('sha256', ''), Buffer.from('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex').toString('base64'));
    assert.equal(sum('sha1', 'abc'), Buffer.from('a9993e364706816aba3e25717850c26c9cd0d89d', 'hex').toString('base64'));
  });
});
