// The newest version of a head record read without parsing the others (src/services/s3/head-newest.ts, decision
// 114) must be exactly what parsing the whole record gives, whatever the key and the versions hold: quotes,
// backslashes, braces and brackets in strings, the text `,"versions":[` inside a key or a value, any Unicode.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { newestOfHead } from '../../../src/services/s3/head-newest.js';

const RUNS = Number(process.env.KEYHOLD_MODEL_RUNS ?? 300);
// Strings built from the characters that matter to a scanner, and any others.
const tricky = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', 'a', '\u0000', '\n', 'é', '😀'), maxLength: 12 }),
  fc.constant(',"versions":[{"versionId":"fake"}]'),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const version = fc.record(
  {
    versionId: tricky,
    deleteMarker: fc.boolean(),
    lastModified: fc.nat(),
    size: fc.nat(),
    etag: tricky,
    contentType: tricky,
    userMetadata: fc.dictionary(tricky, tricky, { maxKeys: 3 }),
    tags: fc.array(fc.record({ Key: tricky, Value: tricky }), { maxLength: 2 }),
    storageClass: fc.constant('STANDARD'),
    parts: fc.array(fc.record({ partNumber: fc.nat(), salt: tricky }), { maxLength: 2 }),
  },
  { requiredKeys: ['versionId', 'deleteMarker', 'lastModified', 'size', 'etag', 'userMetadata', 'tags', 'storageClass'] },
);
const head = fc.record(
  {
    key: tricky,
    versions: fc.array(version, { maxLength: 4 }),
    pages: fc.array(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 }), { maxLength: 2 }),
  },
  { requiredKeys: ['key', 'versions'] },
);

it('gives the key and the newest version a whole parse gives, for any head record as it is written', () => {
  fc.assert(
    fc.property(head, (h) => {
      const text = JSON.stringify(h);
      const parsed = JSON.parse(text) as typeof h;
      assert.deepEqual(newestOfHead(Buffer.from(text)), { key: parsed.key, newest: parsed.versions[0] });
    }),
    { numRuns: RUNS },
  );
});

it('parses whole a record laid out otherwise (other order, whitespace)', () => {
  const v = { versionId: 'a', deleteMarker: false };
  for (const text of [
    JSON.stringify({ versions: [v], key: 'k' }),
    JSON.stringify({ key: 'k', versions: [v] }, null, 2),
    `{"key":"k","versions":[ ${JSON.stringify(v)}]}`,
    '{"key":"k","versions":[]}',
  ]) {
    assert.deepEqual(newestOfHead(Buffer.from(text)), { key: 'k', newest: text.includes('"a"') ? v : undefined }, text);
  }
});
