// The headers S3 takes from a presigned URL's query (src/services/s3/query-headers.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presignedQueryHeaders } from '../../../src/services/s3/query-headers.js';

describe('presigned query headers', () => {
  it('SigV2: the x-amz-* parameters botocore moves there, a header sent as one winning; never Content-Type', () => {
    const q = 'AWSAccessKeyId=A&Signature=s&Expires=1&x-amz-meta-colour=blue&content-type=text%2Fplain&other=x';
    assert.deepEqual(presignedQueryHeaders(q, {}, 2), { 'x-amz-meta-colour': 'blue' });
    assert.deepEqual(presignedQueryHeaders(q, { 'x-amz-meta-colour': 'red' }, 2), {});
  });

  it('never an SSE-C key or its algorithm: those must come as headers (and a key does not belong in a URL)', () => {
    const q =
      'x-amz-server-side-encryption-customer-key=a2V5&x-amz-server-side-encryption-customer-algorithm=AES256&x-amz-copy-source-server-side-encryption-customer-key=a2V5&x-amz-server-side-encryption=AES256';
    for (const version of [2, 4] as const) assert.deepEqual(presignedQueryHeaders(q, {}, version), { 'x-amz-server-side-encryption': 'AES256' });
  });

  it("SigV4: x-amz-* other than SigV4's own and the checksums, and the write conditions", () => {
    const q = [
      'X-Amz-Algorithm=AWS4-HMAC-SHA256',
      'X-Amz-Credential=A%2F20260101%2Fus-east-1%2Fs3%2Faws4_request',
      'X-Amz-Date=20260101T000000Z',
      'X-Amz-Expires=60',
      'X-Amz-SignedHeaders=host',
      'X-Amz-Security-Token=t',
      'x-amz-meta-foo=bar',
      'x-amz-storage-class=STANDARD',
      'x-amz-checksum-crc32=AAAAAA%3D%3D',
      'If-Match=abc',
      'if-none-match=%2A',
      'content-md5=x',
      'X-Amz-Signature=00',
    ].join('&');
    assert.deepEqual(presignedQueryHeaders(q, {}, 4), {
      'x-amz-meta-foo': 'bar',
      'x-amz-storage-class': 'STANDARD',
      'if-match': 'abc',
      'if-none-match': '*',
    });
    assert.deepEqual(presignedQueryHeaders(q, { 'if-match': 'sent' }, 4)['if-match'], undefined, 'a header sent wins');
  });
});
