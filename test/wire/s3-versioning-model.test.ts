// Model-based S3 versioning test: random sequences of puts, deletes (delete markers), deletes, reads and tagging
// of given versions, current reads and versioning changes (unversioned, Enabled, Suspended with its "null"
// version), checked against a model of each key's version stack: the version ids and delete-marker flags
// answered, the bytes of every version, NoSuchKey behind a marker, 405 for reading a marker, and both
// listings (ListObjectVersions with IsLatest, in S3's document order, and ListObjectsV2 with the current objects),
// and every version's own tags.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { signedS3 } from '../helpers/s3-signer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Op =
  | { op: 'put' | 'delete' | 'get'; key: string }
  | { op: 'deleteVersion' | 'getVersion' | 'tagVersion'; key: string; pick: number }
  | { op: 'versioning'; status: 'Enabled' | 'Suspended' };

/** One entry of a key's version stack, newest first; `body` undefined for a delete marker. */
interface Version {
  id: string;
  body?: Buffer;
  /** The value of its tag "n", once tagged. */
  tag?: string;
}

const KEYS = ['a', 'b'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('put' as const, 'delete' as const, 'get' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constantFrom('deleteVersion' as const, 'getVersion' as const, 'tagVersion' as const), key: fc.constantFrom(...KEYS), pick: fc.nat(6) }),
  fc.record({ op: fc.constant('versioning' as const), status: fc.constantFrom('Enabled' as const, 'Suspended' as const) }),
);

// For the paged run: one key, puts weigh four times as much, versioning is mostly Enabled, and picks reach deeper
// or take the newest version (deleting that empties the head), so that the key grows past its head and sequences
// read, tag, delete and replace versions in pages. It runs twice as many sequences.
const key = fc.constant(KEYS[0]!);
const deepOpArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('put' as const), key }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constantFrom('delete' as const, 'get' as const), key }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constantFrom('deleteVersion' as const, 'getVersion' as const, 'tagVersion' as const),
      key,
      pick: fc.oneof(fc.constant(0), fc.nat(12)),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ op: fc.constant('versioning' as const), status: fc.constantFrom('Enabled' as const, 'Enabled' as const, 'Suspended' as const) }),
    weight: 1,
  },
);

// The second run stores each key's versions in pages of two behind a head of at most three (object-pages.ts),
// so that sequences read, delete and replace versions in pages, and empty heads that have pages behind them.
for (const [name, paging, ops, maxLength] of [
  ['', undefined, opArb, 18],
  [', versions paged small', { headMax: 3, headKeep: 1, pageVersions: 2 }, deepOpArb, 40],
] as const)
  describe(`S3 versioning against a model (wire, property${name})`, () => {
    let s: TestServer;
    let s3: S3Client;
    before(async () => {
      s = await startTestServer(paging ? { start: { versionPaging: paging } } : {});
      s3 = s.s3({ checksums: 'WHEN_REQUIRED' });
    });
    after(() => s.stop());

    it('version stacks, markers and listings match the model after random sequences', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          // The paged run begins with versioning Enabled, so that its keys have versions to page from the start.
          fc.array(ops, { minLength: 3, maxLength }).map((seq) => (paging ? [{ op: 'versioning' as const, status: 'Enabled' as const }, ...seq] : seq)),
          async (seq) => {
            const Bucket = `versions-model-${n++}`;
            await s3.send(new CreateBucketCommand({ Bucket }));
            let status: 'Unversioned' | 'Enabled' | 'Suspended' = 'Unversioned';
            let tags = 0;
            const stacks = new Map<string, Version[]>(KEYS.map((k) => [k, []]));
            // Outside Enabled, a write replaces the key's "null" version (S3's Suspended semantics).
            const pushNull = (stack: Version[], v: Version) => {
              const i = stack.findIndex((x) => x.id === 'null');
              if (i >= 0) stack.splice(i, 1);
              stack.unshift(v);
            };
            for (const o of seq) {
              const step = JSON.stringify(o);
              if (o.op === 'versioning') {
                await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: o.status } }));
                status = o.status;
                continue;
              }
              const stack = stacks.get(o.key)!;
              if (o.op === 'put') {
                const body = randomBytes(12);
                const r = await s3.send(new PutObjectCommand({ Bucket, Key: o.key, Body: body }));
                if (status === 'Enabled') {
                  assert.ok(r.VersionId && r.VersionId !== 'null', step);
                  stack.unshift({ id: r.VersionId, body });
                } else {
                  // A write that makes the null version names no version (AWS, recorded: PutObject on a suspended bucket).
                  assert.equal(r.VersionId, undefined, step);
                  pushNull(stack, { id: 'null', body });
                }
              } else if (o.op === 'delete') {
                const r = await s3.send(new DeleteObjectCommand({ Bucket, Key: o.key }));
                if (status === 'Unversioned') {
                  stack.length = 0;
                } else {
                  assert.equal(r.DeleteMarker, true, step);
                  if (status === 'Enabled') {
                    assert.ok(r.VersionId && r.VersionId !== 'null', step);
                    stack.unshift({ id: r.VersionId });
                  } else {
                    assert.equal(r.VersionId, 'null', step);
                    pushNull(stack, { id: 'null' });
                  }
                }
              } else if (o.op === 'deleteVersion' || o.op === 'getVersion' || o.op === 'tagVersion') {
                const v = stack[o.pick % Math.max(stack.length, 1)];
                if (!v) continue;
                if (o.op === 'tagVersion') {
                  // A version's tags change its record in place (in a page when it is an older one); a marker has none.
                  const tag = String(tags++);
                  const r = await s3
                    .send(new PutObjectTaggingCommand({ Bucket, Key: o.key, VersionId: v.id, Tagging: { TagSet: [{ Key: 'n', Value: tag }] } }))
                    .catch((err: { $metadata: { httpStatusCode: number } }) => err);
                  if (v.body === undefined)
                    assert.equal((r as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 405, `${step}: tagging a marker`);
                  else v.tag = tag;
                } else if (o.op === 'deleteVersion') {
                  const r = await s3.send(new DeleteObjectCommand({ Bucket, Key: o.key, VersionId: v.id }));
                  assert.equal(r.VersionId, v.id, step);
                  assert.equal(r.DeleteMarker === true, v.body === undefined, step);
                  stack.splice(stack.indexOf(v), 1);
                } else {
                  const r = await s3
                    .send(new GetObjectCommand({ Bucket, Key: o.key, VersionId: v.id }))
                    .catch((err: { $metadata: { httpStatusCode: number } }) => err);
                  if (v.body === undefined) {
                    assert.equal((r as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 405, `${step}: reading a delete marker`);
                  } else {
                    const got = r as { Body: { transformToByteArray(): Promise<Uint8Array> }; VersionId?: string };
                    assert.ok(Buffer.from(await got.Body.transformToByteArray()).equals(v.body), step);
                    if (status !== 'Unversioned') assert.equal(got.VersionId, v.id, step);
                  }
                }
              } else {
                const current = stack[0];
                const r = await s3.send(new GetObjectCommand({ Bucket, Key: o.key })).catch((err: { name: string }) => err);
                if (!current?.body) {
                  assert.equal((r as { name: string }).name, 'NoSuchKey', step);
                } else {
                  const got = r as { Body: { transformToByteArray(): Promise<Uint8Array> } };
                  assert.ok(Buffer.from(await got.Body.transformToByteArray()).equals(current.body), step);
                }
              }
            }
            const listed = await s3.send(new ListObjectVersionsCommand({ Bucket }));
            const row = (key: string | undefined, id: string | undefined, marker: boolean, latest: boolean | undefined) => `${key}|${id}|${marker}|${latest}`;
            const got = [
              ...(listed.Versions ?? []).map((v) => row(v.Key, v.VersionId, false, v.IsLatest)),
              ...(listed.DeleteMarkers ?? []).map((m) => row(m.Key, m.VersionId, true, m.IsLatest)),
            ].sort();
            const inOrder = [...stacks].flatMap(([key, stack]) => stack.map((v, i) => row(key, v.id, v.body === undefined, i === 0)));
            const want = [...inOrder].sort();
            assert.deepEqual(got, want, `versions after ${JSON.stringify(seq)}`);
            // Every version kept its tags, and only its own, through whatever happened to its neighbours.
            for (const [key, stack] of stacks) {
              for (const v of stack.filter((x) => x.body !== undefined)) {
                const { TagSet } = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: key, VersionId: v.id }));
                assert.deepEqual(TagSet, v.tag === undefined ? [] : [{ Key: 'n', Value: v.tag }], `tags of ${key} ${v.id} after ${JSON.stringify(seq)}`);
              }
            }
            // The XML interleaves <Version> and <DeleteMarker> in key order, newest first, as S3 does: clients that
            // keep the document's order (minio-go, the Java SDK v1) read each key's history from it.
            const xml = (
              await (await signedS3(s.endpoint, s.agent, s.credentials, 'GET', `/${Bucket}?versions=`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).send()
            ).body.toString();
            const documentOrder = [...xml.matchAll(/<(Version|DeleteMarker)><Key>([^<]*)<\/Key><VersionId>([^<]*)<\/VersionId><IsLatest>(true|false)</g)].map(
              (m) => row(m[2], m[3], m[1] === 'DeleteMarker', m[4] === 'true'),
            );
            assert.deepEqual(documentOrder, inOrder, `document order after ${JSON.stringify(seq)}`);
            // Paged with small MaxKeys: versions of one key may span pages (NextKeyMarker + NextVersionIdMarker);
            // joined, the pages are the whole listing, newest version first within each key.
            const MaxKeys = 1 + (n % 3);
            const paged: string[] = [];
            let KeyMarker: string | undefined;
            let VersionIdMarker: string | undefined;
            for (let pages = 1; ; pages++) {
              assert.ok(pages <= 60, 'the paged listing ends');
              const r = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys, KeyMarker, VersionIdMarker }));
              const rows = [
                ...(r.Versions ?? []).map((v) => row(v.Key, v.VersionId, false, v.IsLatest)),
                ...(r.DeleteMarkers ?? []).map((m) => row(m.Key, m.VersionId, true, m.IsLatest)),
              ];
              assert.ok(rows.length <= MaxKeys, `a page of ${rows.length} rows > MaxKeys ${MaxKeys}`);
              paged.push(...rows);
              if (!r.IsTruncated) break;
              KeyMarker = r.NextKeyMarker;
              VersionIdMarker = r.NextVersionIdMarker;
            }
            assert.deepEqual(paged.sort(), want, `paged versions (MaxKeys ${MaxKeys}) after ${JSON.stringify(seq)}`);
            const current = ((await s3.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((c) => c.Key).sort();
            assert.deepEqual(
              current,
              [...stacks].filter(([, stack]) => stack[0]?.body).map(([key]) => key),
              `current objects after ${JSON.stringify(seq)}`,
            );
          },
        ),
        { numRuns: Number(process.env.KEYHOLD_MODEL_RUNS ?? 25) * (paging ? 2 : 1) },
      );
    });
  });
