// aws-chunked request bodies (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// sigv4-streaming-trailers.html), decoded as a stream:
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD           <hex>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n\r\n
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER   as above, then trailer lines and x-amz-trailer-signature:<sig>\r\n\r\n
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER           <hex>\r\n<data>\r\n ... 0\r\n<trailer lines>\r\n
// Signed chunks are yielded only after their signature verified (chained from the seed signature of the
// headers), so reordered, dropped, truncated or altered chunks never reach storage. Unsigned chunks are
// yielded as they come; their integrity rests on the trailer checksum, which the caller must verify before
// it makes the object visible (see ./checksums.ts). The decoded length must equal x-amz-decoded-content-length.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type StreamingMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

export const STREAMING_MODES: Record<string, StreamingMode> = {
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': 'signed',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': 'signed-trailer',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': 'unsigned-trailer',
};

export class ChunkedEncodingError extends Error {
  constructor(
    readonly code: 'SignatureDoesNotMatch' | 'IncompleteBody' | 'InvalidChunkSizeError' | 'MalformedTrailerError' | 'InvalidRequest',
    message: string,
  ) {
    super(message);
    this.name = 'ChunkedEncodingError';
  }
}

export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  /** "<date>/<region>/<service>/aws4_request" */
  scope: string;
  /** The signature of the request headers, the first link of the chain. */
  seedSignature: string;
}

export interface ChunkedOptions {
  mode: StreamingMode;
  signing?: ChunkSigning;
  /** x-amz-decoded-content-length, when given. */
  decodedLength?: number;
  /** Trailer names announced in x-amz-trailer (lower-cased); each must arrive. */
  expectedTrailers?: ReadonlyArray<string>;
  /** Largest chunk accepted (bounds memory while a signed chunk is verified). */
  maxChunkBytes?: number;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CRLF = Buffer.from('\r\n');
const MAX_LINE = 4096;

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function sameSig(a: string, b: string): boolean {
  return /^[0-9a-f]{64}$/.test(a) && /^[0-9a-f]{64}$/.test(b) && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

export function chunkSignature(s: ChunkSigning, previous: string, data: Buffer): string {
  const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${previous}\n${EMPTY_SHA256}\n${hex(data)}`;
  return createHmac('sha256', s.signingKey).update(sts).digest('hex');
}

export function trailerSignature(s: ChunkSigning, previous: string, trailerText: string): string {
  const sts = `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${previous}\n${hex(trailerText)}`;
  return createHmac('sha256', s.signingKey).update(sts).digest('hex');
}

/** Decodes an aws-chunked body; `trailers` holds the trailer headers (lower-cased names) once it ends. */
export class AwsChunkedDecoder {
  readonly trailers = new Map<string, string>();
  decodedBytes = 0;

  constructor(private readonly opts: ChunkedOptions) {
    if (opts.mode !== 'unsigned-trailer' && !opts.signing) throw new Error('signed aws-chunked decoding needs the signing key and seed signature');
  }

  async *decode(source: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
    const { mode, signing } = this.opts;
    const maxChunk = this.opts.maxChunkBytes ?? 16 * 1024 * 1024;
    let previous = signing?.seedSignature ?? '';
    let buf = Buffer.alloc(0);
    const it = source[Symbol.asyncIterator]();
    let ended = false;
    const more = async (): Promise<boolean> => {
      if (ended) return false;
      const r = await it.next();
      if (r.done) {
        ended = true;
        return false;
      }
      buf = buf.length === 0 ? Buffer.from(r.value) : Buffer.concat([buf, r.value]);
      return true;
    };
    const line = async (): Promise<string> => {
      for (;;) {
        const i = buf.indexOf(CRLF);
        if (i >= 0) {
          const l = buf.subarray(0, i).toString('latin1');
          buf = buf.subarray(i + 2);
          return l;
        }
        if (buf.length > MAX_LINE) throw new ChunkedEncodingError('InvalidRequest', 'aws-chunked line too long');
        if (!(await more())) throw new ChunkedEncodingError('IncompleteBody', 'The request body ended inside a chunk header.');
      }
    };
    for (;;) {
      const header = await line();
      const [sizeHex, ...ext] = header.split(';');
      if (!sizeHex || !/^[0-9a-fA-F]{1,16}$/.test(sizeHex)) throw new ChunkedEncodingError('InvalidChunkSizeError', 'Invalid aws-chunked chunk size.');
      const size = Number.parseInt(sizeHex, 16);
      if (size > maxChunk) throw new ChunkedEncodingError('InvalidChunkSizeError', `aws-chunked chunks must be at most ${maxChunk} bytes.`);
      const sigExt = ext.find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length);
      if (mode !== 'unsigned-trailer' && sigExt === undefined) throw new ChunkedEncodingError('SignatureDoesNotMatch', 'A chunk signature is missing.');
      if (size === 0) {
        if (mode !== 'unsigned-trailer' && !sameSig(chunkSignature(signing!, previous, Buffer.alloc(0)), sigExt!)) {
          throw new ChunkedEncodingError('SignatureDoesNotMatch', 'The final chunk signature does not match.');
        }
        if (mode !== 'unsigned-trailer') previous = sigExt!;
        break;
      }
      while (buf.length < size + 2) if (!(await more())) throw new ChunkedEncodingError('IncompleteBody', 'The request body ended inside a chunk.');
      const data = Buffer.from(buf.subarray(0, size));
      if (buf[size] !== 0x0d || buf[size + 1] !== 0x0a) throw new ChunkedEncodingError('InvalidRequest', 'A chunk is not followed by CRLF.');
      buf = buf.subarray(size + 2);
      if (mode !== 'unsigned-trailer') {
        const expected = chunkSignature(signing!, previous, data);
        if (!sameSig(expected, sigExt!)) throw new ChunkedEncodingError('SignatureDoesNotMatch', 'The chunk signature does not match.');
        previous = expected;
      }
      this.decodedBytes += size;
      if (this.opts.decodedLength !== undefined && this.decodedBytes > this.opts.decodedLength) {
        throw new ChunkedEncodingError('IncompleteBody', 'The body is longer than x-amz-decoded-content-length.');
      }
      yield data;
    }
    if (mode === 'signed') {
      if ((await line()) !== '') throw new ChunkedEncodingError('InvalidRequest', 'Unexpected data after the final chunk.');
    } else {
      let canonical = '';
      let trailerSig: string | undefined;
      for (;;) {
        const l = await line();
        if (l === '') break;
        const c = l.indexOf(':');
        if (c <= 0) throw new ChunkedEncodingError('MalformedTrailerError', 'The trailer is malformed.');
        const name = l.slice(0, c).trim().toLowerCase();
        const value = l.slice(c + 1).trim();
        if (name === 'x-amz-trailer-signature') trailerSig = value;
        else {
          this.trailers.set(name, value);
          canonical += `${name}:${value}\n`;
        }
      }
      if (mode === 'signed-trailer' && (trailerSig === undefined || !sameSig(trailerSignature(signing!, previous, canonical), trailerSig))) {
        throw new ChunkedEncodingError('SignatureDoesNotMatch', 'The trailer signature does not match.');
      }
      for (const t of this.opts.expectedTrailers ?? []) {
        if (!this.trailers.has(t)) throw new ChunkedEncodingError('MalformedTrailerError', `The declared trailer ${t} was not sent.`);
      }
    }
    if (buf.length > 0 || (await more())) throw new ChunkedEncodingError('InvalidRequest', 'Unexpected data after the aws-chunked body.');
    if (this.opts.decodedLength !== undefined && this.decodedBytes !== this.opts.decodedLength) {
      throw new ChunkedEncodingError('IncompleteBody', 'The body is shorter than x-amz-decoded-content-length.');
    }
  }
}
