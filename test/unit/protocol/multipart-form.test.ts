// The multipart/form-data reader: every way a network can split a form gives the same parts, and a form cut
// short anywhere before its closing boundary is an error, never a shorter file.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { formBoundary, MultipartError, MultipartReader, type PartHead } from '../../../src/protocol/multipart-form.js';

const BOUNDARY = 'XyZ-boundary-0123';

async function* chunked(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function readAll(data: Buffer, chunk: number): Promise<Array<PartHead & { content: Buffer }>> {
  const reader = new MultipartReader(chunked(data, chunk), BOUNDARY);
  const out: Array<PartHead & { content: Buffer }> = [];
  for (let p = await reader.nextPart(); p; p = await reader.nextPart()) {
    const parts: Buffer[] = [];
    for await (const c of reader.content()) parts.push(c);
    out.push({ ...p, content: Buffer.concat(parts) });
  }
  return out;
}

// The file content contains a near-delimiter (CRLF "--" and most of the boundary) to catch false matches.
const fileContent = Buffer.concat([randomBytes(300), Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}`), randomBytes(50)]);
const body = Buffer.concat([
  Buffer.from('a preamble, ignored\r\n'),
  Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="key"\r\n\r\nphotos/\${filename}\r\n`),
  Buffer.from(`--${BOUNDARY} \t\r\nContent-Disposition: form-data; name="quoted \\"name\\""\r\n\r\n\r\n`),
  Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name=file; filename="cat.png"\r\nContent-Type: image/png\r\n\r\n`),
  fileContent,
  Buffer.from(`\r\n--${BOUNDARY}--\r\nan epilogue, ignored`),
]);

describe('multipart/form-data reader', () => {
  it('reads the same parts however the body is split into chunks', async () => {
    for (const size of [1, 2, 3, 5, 16, 17, 64, 1000, body.length]) {
      const parts = await readAll(body, size);
      assert.equal(parts.length, 3, `chunk size ${size}`);
      assert.deepEqual(parts[0], { name: 'key', content: Buffer.from('photos/${filename}') });
      assert.deepEqual(parts[1], { name: 'quoted "name"', content: Buffer.alloc(0) });
      assert.equal(parts[2]!.name, 'file');
      assert.equal(parts[2]!.filename, 'cat.png');
      assert.equal(parts[2]!.contentType, 'image/png');
      assert.deepEqual(parts[2]!.content, fileContent, `chunk size ${size}`);
    }
  });

  it('a body cut anywhere before its closing boundary is an error', async () => {
    const closing = body.indexOf(`\r\n--${BOUNDARY}--`);
    for (let cut = 0; cut < closing + BOUNDARY.length + 6; cut += 7) {
      await assert.rejects(readAll(body.subarray(0, cut), 13), MultipartError, `cut at ${cut}`);
    }
  });

  it('refuses parts without a form-data disposition or a name, and oversized part headers', async () => {
    const bad = (part: string) => Buffer.from(`--${BOUNDARY}\r\n${part}\r\n\r\nv\r\n--${BOUNDARY}--\r\n`);
    await assert.rejects(readAll(bad('Content-Type: text/plain'), 8), MultipartError);
    await assert.rejects(readAll(bad('Content-Disposition: form-data; filename="x"'), 8), MultipartError);
    await assert.rejects(readAll(bad('Content-Disposition: attachment; name="x"'), 8), MultipartError);
    await assert.rejects(readAll(bad(`Content-Disposition: form-data; name="x"\r\nX-Pad: ${'p'.repeat(20_000)}`), 4096), MultipartError);
  });

  it('buffers a field up to a limit', async () => {
    const reader = new MultipartReader(chunked(body, 9), BOUNDARY);
    await reader.nextPart();
    await assert.rejects(
      reader.text(5, () => new RangeError('too long')),
      RangeError,
    );
  });

  it('finds the boundary of multipart/form-data types only', () => {
    assert.equal(formBoundary('multipart/form-data; boundary=abc'), 'abc');
    assert.equal(formBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
    assert.equal(formBoundary('multipart/mixed; boundary=abc'), undefined);
    assert.equal(formBoundary('multipart/form-data'), undefined);
    assert.equal(formBoundary(undefined), undefined);
  });
});
