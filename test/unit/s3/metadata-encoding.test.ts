// User metadata and RFC 2047: the encodings S3 returns (from AWS's answers as localstack recorded them) and the
// encoded words it decodes before storing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMetadataValue, mailSafe } from '../../../src/services/s3/api/metadata-encoding.js';

/** A value as Node reads it from a header: each UTF-8 byte one character. */
const sent = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const text = (stored: string) => Buffer.from(stored, 'latin1').toString('utf8');

describe('S3 metadata and RFC 2047', () => {
  it('returns values as AWS returned them: as they are, Q-encoded, or B-encoded', () => {
    const cases: Array<[string, string]> = [
      ['plain ascii_with=?marks', 'plain ascii_with=?marks'],
      ['test_—_file%E2%80%94_é_2?.pdf', '=?UTF-8?Q?test=5F=E2=80=94=5Ffile%E2%80%94=5F=C3=A9=5F2=3F.pdf?='],
      ['ÄMÄZÕÑ S3', '=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?='],
      ['test_—_file%E2%80%94_é_2👑.pdf', '=?UTF-8?Q?test=5F=E2=80=94=5Ffile%E2%80%94=5F=C3=A9=5F2=F0=9F=91=91.pdf?='],
      ['\x00\x01\x02\x03', '=?UTF-8?B?AAECAw==?='],
      ['\uFFFD\uFFFD', '=?UTF-8?B?77+977+9?='],
    ];
    for (const [value, returned] of cases) assert.equal(mailSafe(sent(value)), returned, JSON.stringify(value));
    // Bytes that are not UTF-8 are read as latin1 (Node's clients send "é" as E9).
    assert.equal(mailSafe('caf\u00e9'), '=?UTF-8?Q?caf=C3=A9?=');
  });

  it('decodes encoded words before storing, joining adjacent ones, and keeps what it cannot decode', () => {
    assert.equal(decodeMetadataValue('=?UTF-8?Q?actually-ascii?='), 'actually-ascii');
    assert.equal(decodeMetadataValue('=?utf-8?b?YWJj?='), 'abc');
    assert.equal(text(decodeMetadataValue('=?UTF-8?Q?=C3=84M_S3?= =?UTF-8?B?w6k=?=!')), 'ÄM S3é!');
    assert.equal(text(decodeMetadataValue('a =?ISO-8859-1?Q?caf=E9?= b')), 'a café b');
    assert.equal(decodeMetadataValue('=?KOI8-R?Q?x?='), '=?KOI8-R?Q?x?=');
    assert.equal(decodeMetadataValue('no words here'), 'no words here');
    // Decoded and returned, a value comes back in the form S3 gives it.
    assert.equal(mailSafe(decodeMetadataValue('=?UTF-8?Q?=C3=84M=C3=84Z_S3?=')), '=?UTF-8?Q?=C3=84M=C3=84Z_S3?=');
  });
});
