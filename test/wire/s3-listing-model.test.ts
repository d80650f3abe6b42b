// Model-based S3 listing test: random key sets over an alphabet that mixes ASCII, "é", U+FFFD and an emoji
// (characters whose UTF-8 and UTF-16 orders disagree), listed with ListObjects (markers) and ListObjectsV2
// (continuation tokens) under random prefixes, delimiters, page sizes and start keys, all pages joined and
// compared with a model: keys in UTF-8 byte order after the start key, rolled up into CommonPrefixes at the
// delimiter, each page no larger than MaxKeys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, DeleteObjectCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../helpers/server.js';

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const keyArb = fc.array(fc.constantFrom('a', 'b', '/', '-', 'é', '\uFFFD', '😀', 'Z', '0'), { minLength: 1, maxLength: 5 }).map((c) => c.join(''));

/** What a listing must return, as "K key" / "P prefix" rows in order. */
function expected(keys: string[], prefix: string, delimiter: string | undefined, startAfter: string | undefined): string[] {
  const rows: string[] = [];
  const after = (s: string) => startAfter === undefined || utf8Order(s, startAfter) > 0;
  for (const k of [...keys].sort(utf8Order)) {
    if (!k.startsWith(prefix) || !after(k)) continue;
    const cut = delimiter ? k.indexOf(delimiter, prefix.length) : -1;
    if (cut < 0) {
      rows.push(`K ${k}`);
      continue;
    }
    // A prefix at or before the start key was listed on an earlier page (the marker is the last prefix).
    const common = k.slice(0, cut + delimiter!.length);
    if (after(common) && rows[rows.length - 1] !== `P ${common}`) rows.push(`P ${common}`);
  }
  return rows;
}

describe('S3 listings against a model (wire, property)', () => {
  let s: TestServer;
  let s3: S3Client;
  before(async () => {
    s = await startTestServer();
    s3 = s.s3({ checksums: 'WHEN_REQUIRED' });
  });
  after(() => s.stop());

  it('every page sequence joins to the model listing', async () => {
    const Bucket = 'listing-model';
    await s3.send(new CreateBucketCommand({ Bucket }));
    let present = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(keyArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('', 'a', 'a/', 'é', '😀', '\uFFFD'),
        fc.option(fc.constantFrom('/', '-', 'é', '😀'), { nil: undefined }),
        fc.integer({ min: 1, max: 7 }),
        fc.option(keyArb, { nil: undefined }),
        fc.boolean(),
        async (keys, Prefix, Delimiter, MaxKeys, StartAfter, v1) => {
          for (const k of present) if (!keys.includes(k)) await s3.send(new DeleteObjectCommand({ Bucket, Key: k }));
          for (const k of keys) if (!present.has(k)) await s3.send(new PutObjectCommand({ Bucket, Key: k, Body: 'x' }));
          present = new Set(keys);
          const rows: string[] = [];
          let marker = StartAfter;
          let token: string | undefined;
          for (let pages = 1; ; pages++) {
            assert.ok(pages <= 40, 'the listing ends');
            const r = v1
              ? await s3.send(new ListObjectsCommand({ Bucket, Prefix, Delimiter, MaxKeys, Marker: marker }))
              : await s3.send(new ListObjectsV2Command({ Bucket, Prefix, Delimiter, MaxKeys, StartAfter, ContinuationToken: token }));
            const page = [...(r.Contents ?? []).map((c) => `K ${c.Key}`), ...(r.CommonPrefixes ?? []).map((p) => `P ${p.Prefix}`)].sort((x, y) =>
              utf8Order(x.slice(2), y.slice(2)),
            );
            assert.ok(page.length <= MaxKeys, `a page of ${page.length} > MaxKeys ${MaxKeys}`);
            rows.push(...page);
            if (!r.IsTruncated) break;
            if (v1) marker = (r as { NextMarker?: string }).NextMarker ?? r.Contents?.at(-1)?.Key;
            else token = (r as { NextContinuationToken?: string }).NextContinuationToken;
            assert.ok(v1 ? marker : token, 'a truncated page says where to go on');
          }
          assert.deepEqual(rows, expected(keys, Prefix, Delimiter, StartAfter), JSON.stringify({ v1, Prefix, Delimiter, MaxKeys, StartAfter }));
        },
      ),
      { numRuns: Number(process.env.KEYHOLD_MODEL_RUNS ?? 25) },
    );
  });
});
