// S3's REST surface fed signed requests that mix its own subresources, headers and XML bodies with wrong,
// empty and hostile values, by a seeded property: the answer is a 2xx/3xx, a 4xx S3 error document, or 501 for
// what Keyhold does not implement, never another 5xx, and the server keeps serving. Values are drawn partly
// from real names (the bucket, an object, an upload id, a KMS key) so that requests reach the deep checks.
// KEYHOLD_FUZZ_RUNS raises the number of requests (the suite sends a few hundred).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { assertBlobsMatchMetadata } from '../helpers/blob-files.js';
import { uriEncode } from '../../src/protocol/sigv4/canonical.js';
import { countOutcome } from '../helpers/fuzz-stats.js';
import { printable } from '../helpers/fuzz-values.js';
import { kvDigest } from '../helpers/kv-digest.js';
import { signedS3 } from '../helpers/s3-signer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SUBRESOURCES = [
  'acl',
  'policy',
  'policyStatus',
  'encryption',
  'tagging',
  'uploads',
  'versioning',
  'versions',
  'cors',
  'lifecycle',
  'object-lock',
  'retention',
  'legal-hold',
  'delete',
  'location',
  'ownershipControls',
  'publicAccessBlock',
  'attributes',
  'restore',
  'select',
  'website',
  'logging',
  'notification',
  'replication',
  'accelerate',
  'requestPayment',
  'analytics',
  'metrics',
  'inventory',
  'intelligent-tiering',
  'torrent',
  'renameObject',
  'encryption-update',
];
const PARAMS = [
  'uploadId',
  'partNumber',
  'versionId',
  'list-type',
  'max-keys',
  'max-uploads',
  'max-parts',
  'part-number-marker',
  'prefix',
  'delimiter',
  'continuation-token',
  'start-after',
  'marker',
  'key-marker',
  'version-id-marker',
  'upload-id-marker',
  'encoding-type',
  'fetch-owner',
  'response-content-type',
  'response-expires',
  'response-content-disposition',
  'x-id',
  'max-buckets',
  'bucket-region',
];
const HEADERS = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-context',
  'x-amz-server-side-encryption-bucket-key-enabled',
  'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key',
  'x-amz-server-side-encryption-customer-key-md5',
  'x-amz-copy-source-server-side-encryption-customer-algorithm',
  'x-amz-copy-source-server-side-encryption-customer-key',
  'x-amz-copy-source-server-side-encryption-customer-key-md5',
  'x-amz-copy-source',
  'x-amz-copy-source-range',
  'x-amz-copy-source-if-match',
  'x-amz-copy-source-if-modified-since',
  'x-amz-metadata-directive',
  'x-amz-tagging-directive',
  'x-amz-tagging',
  'x-amz-meta-fuzz',
  'range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'content-md5',
  'content-type',
  'content-encoding',
  'cache-control',
  'expires',
  'x-amz-checksum-crc32',
  'x-amz-checksum-crc32c',
  'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1',
  'x-amz-checksum-sha256',
  'x-amz-checksum-algorithm',
  'x-amz-checksum-type',
  'x-amz-sdk-checksum-algorithm',
  'x-amz-checksum-mode',
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
  'x-amz-bucket-object-lock-enabled',
  'x-amz-bypass-governance-retention',
  'x-amz-acl',
  'x-amz-grant-read',
  'x-amz-object-ownership',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
  'x-amz-expected-bucket-owner',
  'x-amz-object-attributes',
  'x-amz-max-parts',
  'x-amz-part-number-marker',
  'x-amz-mp-object-size',
  'x-amz-if-match-initiated-time',
  'x-amz-if-match-size',
  'x-amz-if-match-last-modified-time',
  'x-amz-write-offset-bytes',
  'x-amz-confirm-remove-self-bucket-access',
  'x-amz-request-payer',
  'x-amz-bucket-namespace',
  'x-amz-optional-object-attributes',
];
const XML_BODIES = [
  '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>$</SSEAlgorithm><KMSMasterKeyID>$</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>$</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>',
  '<Tagging><TagSet><Tag><Key>$</Key><Value>$</Value></Tag></TagSet></Tagging>',
  '<VersioningConfiguration><Status>$</Status><MfaDelete>$</MfaDelete></VersioningConfiguration>',
  '<Delete><Quiet>$</Quiet><Object><Key>$</Key><VersionId>$</VersionId></Object></Delete>',
  '<CompleteMultipartUpload><Part><PartNumber>$</PartNumber><ETag>$</ETag><ChecksumCRC32>$</ChecksumCRC32></Part></CompleteMultipartUpload>',
  '<CORSConfiguration><CORSRule><AllowedMethod>$</AllowedMethod><AllowedOrigin>$</AllowedOrigin><MaxAgeSeconds>$</MaxAgeSeconds></CORSRule></CORSConfiguration>',
  '<LifecycleConfiguration><Rule><ID>$</ID><Filter><Prefix>$</Prefix></Filter><Status>$</Status><Expiration><Days>$</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>$</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>',
  '<ObjectLockConfiguration><ObjectLockEnabled>$</ObjectLockEnabled><Rule><DefaultRetention><Mode>$</Mode><Days>$</Days><Years>$</Years></DefaultRetention></Rule></ObjectLockConfiguration>',
  '<Retention><Mode>$</Mode><RetainUntilDate>$</RetainUntilDate></Retention>',
  '<LegalHold><Status>$</Status></LegalHold>',
  '<PublicAccessBlockConfiguration><BlockPublicAcls>$</BlockPublicAcls><RestrictPublicBuckets>$</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
  '<OwnershipControls><Rule><ObjectOwnership>$</ObjectOwnership></Rule></OwnershipControls>',
  '<CreateBucketConfiguration><LocationConstraint>$</LocationConstraint></CreateBucketConfiguration>',
  '<AccessControlPolicy><Owner><ID>$</ID></Owner><AccessControlList><Grant><Grantee><ID>$</ID></Grantee><Permission>$</Permission></Grant></AccessControlList></AccessControlPolicy>',
  '{"Version":"2012-10-17","Statement":[{"Effect":"$","Principal":"$","Action":"$","Resource":"$","Condition":{"$":{"$":"$"}}}]}',
];

interface Template {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** S3 requires Content-MD5 (or a checksum) on this body: computed after the mutations unless one sets it. */
  md5?: boolean;
}

/** Real names the valid requests use, made before the property runs. */
interface Fixture {
  keyArn: string;
  uploadId: string;
  partETag: string;
  sseC: Record<string, string>;
}

const xml = (root: string, inner: string) => `<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`;

// A valid request per operation. The property mutates one to three of its parts (a header, a query
// parameter, a value in its XML body, or the whole body) so that each check is reached with the rest valid.
function validRequests(f: Fixture): Template[] {
  const kms = { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': f.keyArn };
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::fuzz/denied/*' }],
  });
  return [
    { method: 'PUT', path: '/fuzz/put', headers: { 'content-type': 'text/plain', 'x-amz-meta-a': 'b', 'x-amz-tagging': 'a=b', ...kms }, body: 'data' },
    { method: 'PUT', path: '/fuzz/put-c', headers: f.sseC, body: 'secret' },
    { method: 'PUT', path: '/fuzz/put-s3', headers: { 'x-amz-server-side-encryption': 'AES256', 'x-amz-checksum-crc32': 'AAAAAA==' }, body: '' },
    { method: 'GET', path: '/fuzz/obj', query: { 'response-content-type': 'text/plain' }, headers: { range: 'bytes=0-1' } },
    { method: 'GET', path: '/fuzz/put-c', headers: f.sseC },
    { method: 'HEAD', path: '/fuzz/obj', headers: { 'if-none-match': '"x"' } },
    { method: 'PUT', path: '/fuzz/copy', headers: { 'x-amz-copy-source': '/fuzz/obj', 'x-amz-metadata-directive': 'REPLACE', ...kms } },
    {
      method: 'PUT',
      path: '/fuzz/copy-c',
      headers: {
        'x-amz-copy-source': '/fuzz/put-c',
        ...Object.fromEntries(Object.entries(f.sseC).map(([k, v]) => [k.replace('x-amz-', 'x-amz-copy-source-'), v])),
      },
    },
    { method: 'DELETE', path: '/fuzz/put' },
    { method: 'POST', path: '/fuzz', query: { delete: '' }, body: xml('Delete', '<Object><Key>put-s3</Key></Object><Quiet>true</Quiet>'), md5: true },
    { method: 'POST', path: '/fuzz/mp2', query: { uploads: '' }, headers: kms },
    { method: 'PUT', path: '/fuzz/mp', query: { partNumber: '1', uploadId: f.uploadId }, body: 'part' },
    {
      method: 'PUT',
      path: '/fuzz/mp',
      query: { partNumber: '2', uploadId: f.uploadId },
      headers: { 'x-amz-copy-source': '/fuzz/obj', 'x-amz-copy-source-range': 'bytes=0-1' },
    },
    { method: 'GET', path: '/fuzz/mp', query: { uploadId: f.uploadId, 'max-parts': '10' } },
    {
      method: 'POST',
      path: '/fuzz/mp',
      query: { uploadId: f.uploadId },
      body: xml('CompleteMultipartUpload', `<Part><PartNumber>1</PartNumber><ETag>${f.partETag}</ETag></Part>`),
    },
    { method: 'DELETE', path: '/fuzz/mp2', query: { uploadId: f.uploadId } },
    { method: 'GET', path: '/fuzz', query: { uploads: '', 'max-uploads': '10' } },
    { method: 'GET', path: '/fuzz', query: { 'list-type': '2', prefix: '', delimiter: '/', 'max-keys': '10', 'fetch-owner': 'true' } },
    { method: 'GET', path: '/fuzz', query: { marker: 'a', 'encoding-type': 'url' } },
    { method: 'GET', path: '/fuzz', query: { versions: '', 'key-marker': 'a' } },
    { method: 'GET', path: '/', query: { 'max-buckets': '10' } },
    { method: 'HEAD', path: '/fuzz' },
    { method: 'GET', path: '/fuzz', query: { location: '' } },
    { method: 'PUT', path: '/fuzz-new', body: xml('CreateBucketConfiguration', '<LocationConstraint>us-west-2</LocationConstraint>') },
    { method: 'DELETE', path: '/fuzz-new' },
    {
      method: 'PUT',
      path: '/fuzz',
      query: { encryption: '' },
      body: xml(
        'ServerSideEncryptionConfiguration',
        `<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>${f.keyArn}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>`,
      ),
      md5: true,
    },
    { method: 'GET', path: '/fuzz', query: { encryption: '' } },
    { method: 'PUT', path: '/fuzz', query: { tagging: '' }, body: xml('Tagging', '<TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet>'), md5: true },
    { method: 'PUT', path: '/fuzz', query: { policy: '' }, body: policy, md5: true },
    { method: 'GET', path: '/fuzz', query: { policyStatus: '' } },
    { method: 'PUT', path: '/fuzz', query: { versioning: '' }, body: xml('VersioningConfiguration', '<Status>Enabled</Status>'), md5: true },
    {
      method: 'PUT',
      path: '/fuzz',
      query: { cors: '' },
      body: xml(
        'CORSConfiguration',
        '<CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule>',
      ),
      md5: true,
    },
    {
      method: 'PUT',
      path: '/fuzz',
      query: { lifecycle: '' },
      body: xml(
        'LifecycleConfiguration',
        '<Rule><ID>r</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>',
      ),
      md5: true,
    },
    {
      method: 'PUT',
      path: '/fuzz-lock',
      query: { 'object-lock': '' },
      body: xml(
        'ObjectLockConfiguration',
        '<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule>',
      ),
      md5: true,
    },
    {
      method: 'PUT',
      path: '/fuzz',
      query: { publicAccessBlock: '' },
      body: xml('PublicAccessBlockConfiguration', '<BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>true</RestrictPublicBuckets>'),
      md5: true,
    },
    { method: 'PUT', path: '/fuzz/obj', query: { tagging: '' }, body: xml('Tagging', '<TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>'), md5: true },
    { method: 'GET', path: '/fuzz/obj', query: { tagging: '' } },
    { method: 'DELETE', path: '/fuzz/obj', query: { tagging: '' } },
    { method: 'GET', path: '/fuzz/obj', query: { attributes: '' }, headers: { 'x-amz-object-attributes': 'ETag,Checksum,ObjectParts,ObjectSize' } },
    {
      method: 'PUT',
      path: '/fuzz-lock/locked',
      query: { retention: '' },
      body: xml('Retention', '<Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate>'),
      md5: true,
    },
    { method: 'PUT', path: '/fuzz-lock/locked', query: { 'legal-hold': '' }, body: xml('LegalHold', '<Status>OFF</Status>'), md5: true },
    { method: 'DELETE', path: '/fuzz-lock/locked', headers: { 'x-amz-bypass-governance-retention': 'true' } },
    {
      method: 'PUT',
      path: '/fuzz/obj',
      query: { encryption: '' },
      body: xml('ObjectEncryption', `<SSEKMS><KMSKeyArn>${f.keyArn}</KMSKeyArn></SSEKMS>`),
      md5: true,
    },
  ];
}

describe('S3 requests with hostile subresources, headers and bodies (property)', () => {
  let s: TestServer;
  let f: Fixture;
  before(async () => {
    s = await startTestServer();
    const s3 = s.s3();
    const keyArn = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await s3.send(new CreateBucketCommand({ Bucket: 'fuzz' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'fuzz-lock', ObjectLockEnabledForBucket: true }));
    await s3.send(new PutObjectCommand({ Bucket: 'fuzz', Key: 'obj', Body: 'hello' }));
    await s3.send(new PutObjectCommand({ Bucket: 'fuzz-lock', Key: 'locked', Body: 'hello' }));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'fuzz', Key: 'mp' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: 'fuzz', Key: 'mp', UploadId: upload.UploadId, PartNumber: 1, Body: 'part' }));
    const customerKey = Buffer.alloc(32, 7);
    f = {
      keyArn,
      uploadId: upload.UploadId!,
      partETag: part.ETag!,
      sseC: {
        'x-amz-server-side-encryption-customer-algorithm': 'AES256',
        'x-amz-server-side-encryption-customer-key': customerKey.toString('base64'),
        'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(customerKey).digest('base64'),
      },
    };
  });
  let stopped = false;
  after(() => (stopped ? undefined : s.stop()));

  it('answers every request with 2xx/3xx, a 4xx S3 error or 501, never another 5xx', async () => {
    const templates = validRequests(f);
    const s3 = s.s3();
    const restore = async () => {
      await s3.send(new PutObjectCommand({ Bucket: 'fuzz', Key: 'obj', Body: 'hello' })).catch(() => undefined);
      await s3.send(new PutObjectCommand({ Bucket: 'fuzz-lock', Key: 'locked', Body: 'hello' })).catch(() => undefined);
    };
    const known = [f.keyArn, f.uploadId, f.partETag, 'fuzz/obj', '/fuzz/obj', '/fuzz/obj?versionId=null', '/nosuch/x', 'AES256', 'aws:kms', 'aws:kms:dsse'];
    known.push('GOVERNANCE', 'COMPLIANCE', 'Enabled', 'Suspended', 'ON', 'OFF', 'true', 'false', 'bytes=0-1', 'bytes=-1', 'bytes=5-', 'bytes=1-0');
    known.push('null', 'STANDARD', 'GLACIER', '*', 'CRC32', 'SHA256', 'COMPOSITE', 'FULL_OBJECT', 'REPLACE', 'COPY', '2030-01-01T00:00:00Z', 'AAAAAA==');
    known.push(...Object.values(f.sseC), 'MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=', 'ETag,Checksum,ObjectParts', 'Thu, 01 Jan 1970 00:00:00 GMT');
    const line = printable(40);
    const text = fc.oneof(
      fc.constantFrom(...known),
      line,
      fc.constantFrom('', ' ', '-1', '0', '1', '10001', '99999999999999999999', '1.5', 'x'.repeat(3000), '%', '%zz', '&amp;'),
      fc.integer().map(String),
    );
    const templateHeaders = templates.flatMap((t) => Object.keys(t.headers ?? {}));
    const templateParams = templates.flatMap((t) => Object.keys(t.query ?? {}));
    const mutation = fc.oneof(
      fc.record({ header: fc.constantFrom(...HEADERS, ...templateHeaders), value: fc.option(text, { freq: 5 }) }),
      fc.record({ param: fc.constantFrom(...PARAMS, ...SUBRESOURCES, ...templateParams), value: fc.option(text, { freq: 5 }) }),
      fc.record({ element: fc.nat(12), value: text }),
      fc.record({
        body: fc.oneof(
          fc.constantFrom(...XML_BODIES),
          line,
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
      }),
      fc.record({ method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD') }),
      fc.record({
        path: fc.constantFrom('/', '/fuzz', '/fuzz-lock', '/nosuch', '/Bad_Name', '/fuzz/%2F', `/fuzz/${'x'.repeat(1100)}`, '/fuzz/a%20b', '/nosuch/x'),
      }),
    );
    const request = fc.tuple(fc.nat(templates.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([i, mutations]) => {
      const t = templates[i]!;
      const q = { method: t.method, path: t.path, query: { ...t.query }, headers: { ...t.headers }, body: t.body };
      let setsMd5 = false;
      for (const m of mutations) {
        if ('header' in m) {
          if (m.value === null) delete q.headers[m.header];
          else q.headers[m.header] = m.value;
          setsMd5 ||= m.header === 'content-md5';
        } else if ('param' in m) {
          if (m.value === null) delete q.query[m.param];
          else q.query[m.param] = m.value;
        } else if ('element' in m) {
          // The n-th text value of the XML body (or of any body) becomes the mutation's value.
          let n = 0;
          q.body = q.body?.replace(/>([^<]*)</g, (all, _v, _at) => (n++ === m.element ? `>${m.value.replace(/[<&]/g, '')}<` : all));
        } else if ('body' in m) q.body = m.body;
        else if ('method' in m) q.method = m.method;
        else q.path = m.path;
      }
      if (t.md5 && !setsMd5 && q.body !== undefined) q.headers['content-md5'] = createHash('md5').update(q.body, 'latin1').digest('base64');
      return q;
    });
    const state = kvDigest(s.dataDir);
    await fc
      .assert(
        fc.asyncProperty(request, async (q) => {
          // Query values RFC 3986-encoded, as the SDKs send them.
          const search = Object.entries(q.query)
            .map(([k, v]) => (v === '' && SUBRESOURCES.includes(k) ? k : `${k}=${uriEncode(v, false)}`))
            .join('&');
          const target = search ? `${q.path}?${search}` : q.path;
          const body = q.body === undefined ? undefined : Buffer.from(q.body, 'latin1');
          // Node's client sends a GET or DELETE body without Content-Length (the SDKs always declare it).
          const framing: Record<string, string> = body === undefined ? {} : { 'content-length': String(body.length) };
          framing['x-amz-content-sha256'] = createHash('sha256')
            .update(body ?? '')
            .digest('hex');
          const signed = await signedS3(s.endpoint, s.agent, s.credentials, q.method, target, { ...q.headers, ...framing }, body);
          const before = state.read();
          const r = await signed.send();
          const what = `${q.method} ${target} ${JSON.stringify(q.headers).slice(0, 400)} ${String(q.body ?? '').slice(0, 300)}`;
          countOutcome(`${r.status} ${/<Code>([\w.]+)/.exec(r.body)?.[1] ?? ''} ${r.status === 501 ? (/<Message>([^<]*)/.exec(r.body)?.[1] ?? '') : ''}`);
          assert.ok(r.status < 500 || r.status === 501, `${what} -> ${r.status} ${r.body.slice(0, 300)}`);
          // Put back the objects a DELETE may have removed, so that later requests reach more than NoSuchKey.
          if (q.method === 'DELETE' && r.status < 300) await restore();
          if (r.status >= 400) assert.deepEqual(state.read(), before, `refused, yet changed state: ${what}`);
          if (r.status >= 400 && q.method !== 'HEAD')
            assert.match(r.body, /<Error>[\s\S]*<Code>[\w.]+<\/Code>/, `${what} -> ${r.status} ${JSON.stringify(r.headers)} ${r.body.slice(0, 300)}`);
        }),
        { numRuns: Number(process.env.KEYHOLD_FUZZ_RUNS ?? 300), seed: Number(process.env.KEYHOLD_FUZZ_SEED ?? 20261129), includeErrorInReport: true },
      )
      .finally(() => state.close());
  });

  it('then every blob file is referenced and every reference has its file: refused writes left nothing behind', async () => {
    stopped = true;
    await assertBlobsMatchMetadata(s);
  });
});
