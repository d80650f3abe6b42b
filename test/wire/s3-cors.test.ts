// Bucket CORS: the configuration through the SDK, preflights as browsers send them (unauthenticated OPTIONS),
// and the headers that let a browser read answers to presigned and form requests from another origin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type RawAnswer, rawHttps } from '../helpers/raw-https.js';
import { errorName, failure, startTestServer, type TestServer } from '../helpers/server.js';

describe('S3 bucket CORS', () => {
  let s: TestServer;
  const bucket = 'cors-bucket';
  const origin = 'https://app.example';

  const call = (method: string, url: string, headers: Record<string, string>, body?: string) => rawHttps(s, method, url, headers, body);
  const options = (path: string, headers: Record<string, string>) => call('OPTIONS', path, headers);
  const code = (a: RawAnswer) => /<Code>([^<]*)<\/Code>/.exec(a.body)?.[1];
  const setRules = (CORSRules: NonNullable<ConstructorParameters<typeof PutBucketCorsCommand>[0]['CORSConfiguration']>['CORSRules']) =>
    s.s3().send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules } }));

  before(async () => {
    s = await startTestServer();
    await s.s3().send(new CreateBucketCommand({ Bucket: bucket }));
    await s.s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'page.html', Body: '<p>hi</p>' }));
  });
  after(() => s.stop());

  it('stores, returns and deletes the configuration; refuses invalid rules as S3 does', async () => {
    assert.equal(await errorName(s.s3().send(new GetBucketCorsCommand({ Bucket: bucket }))), 'NoSuchCORSConfiguration');
    await setRules([
      {
        ID: 'app',
        AllowedOrigins: [origin, 'http://*.example.org'],
        AllowedMethods: ['GET', 'PUT', 'HEAD'],
        AllowedHeaders: ['*'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 3000,
      },
      { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
    ]);
    const got = await s.s3().send(new GetBucketCorsCommand({ Bucket: bucket }));
    assert.deepEqual(got.CORSRules, [
      {
        ID: 'app',
        AllowedHeaders: ['*'],
        AllowedMethods: ['GET', 'PUT', 'HEAD'],
        AllowedOrigins: [origin, 'http://*.example.org'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 3000,
      },
      { AllowedMethods: ['GET'], AllowedOrigins: ['*'] },
    ]);
    const bad = await failure(setRules([{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }]));
    assert.equal(bad.name, 'InvalidRequest');
    assert.equal(bad.message, 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH');
    assert.equal(await errorName(setRules([{ AllowedOrigins: ['http://*.*.example'], AllowedMethods: ['GET'] }])), 'InvalidRequest');
    assert.equal(await errorName(setRules([])), 'MalformedXML');
    assert.equal((await s.s3().send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules?.length, 2, 'a refused configuration changes nothing');
    assert.equal((await s.s3().send(new DeleteBucketCorsCommand({ Bucket: bucket }))).$metadata.httpStatusCode, 204);
    assert.equal(await errorName(s.s3().send(new GetBucketCorsCommand({ Bucket: bucket }))), 'NoSuchCORSConfiguration');
  });

  it('answers preflights without credentials, from the rules: granted, or refused with the reason', async () => {
    const path = `/${bucket}/page.html`;
    const noOrigin = await options(path, { 'access-control-request-method': 'GET' });
    assert.equal(noOrigin.status, 400);
    assert.equal(code(noOrigin), 'BadRequest');
    const notEnabled = await options(path, { origin, 'access-control-request-method': 'PUT' });
    assert.equal(notEnabled.status, 403);
    assert.equal(code(notEnabled), 'AccessForbidden');
    assert.match(notEnabled.body, /CORS is not enabled for this bucket\..*<Method>PUT<\/Method><ResourceType>BUCKET<\/ResourceType>/);
    const noBucket = await options('/no-such-cors-bucket/x', { origin, 'access-control-request-method': 'GET' });
    assert.match(noBucket.body, /CORSResponse: Bucket not found/);

    await setRules([
      {
        AllowedOrigins: [origin, 'http://*.example.org'],
        AllowedMethods: ['GET', 'PUT'],
        AllowedHeaders: ['x-amz-*', 'Content-Type'],
        ExposeHeaders: ['ETag', 'x-amz-version-id'],
        MaxAgeSeconds: 600,
      },
      { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
    ]);
    const granted = await options(path, {
      origin,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'Content-Type,X-Amz-Date, x-amz-content-sha256',
    });
    assert.equal(granted.status, 200, granted.body);
    assert.equal(granted.headers['access-control-allow-origin'], origin);
    assert.equal(granted.headers['access-control-allow-credentials'], 'true');
    assert.equal(granted.headers['access-control-allow-methods'], 'GET, PUT');
    assert.equal(granted.headers['access-control-allow-headers'], 'content-type, x-amz-date, x-amz-content-sha256');
    assert.equal(granted.headers['access-control-expose-headers'], 'ETag, x-amz-version-id');
    assert.equal(granted.headers['access-control-max-age'], '600');
    assert.equal(granted.headers.vary, 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
    const sub = await options(path, { origin: 'http://cdn.example.org', 'access-control-request-method': 'GET' });
    assert.equal(sub.headers['access-control-allow-origin'], 'http://cdn.example.org', 'a wildcard inside an origin');
    const anyone = await options(path, { origin: 'https://elsewhere.test', 'access-control-request-method': 'GET' });
    assert.equal(anyone.headers['access-control-allow-origin'], '*');
    assert.equal(anyone.headers['access-control-allow-credentials'], undefined, 'no credentials for "*"');
    const wrongMethod = await options(path, { origin: 'https://elsewhere.test', 'access-control-request-method': 'DELETE' });
    assert.equal(wrongMethod.status, 403);
    assert.match(wrongMethod.body, /This CORS request is not allowed.*<Method>DELETE<\/Method><ResourceType>OBJECT<\/ResourceType>/);
    const wrongHeader = await options(path, { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-custom' });
    assert.equal(wrongHeader.status, 403);
  });

  it('adds the grant to answers of cross-origin requests (presigned GET and PUT, errors too), not to others', async () => {
    await setRules([{ AllowedOrigins: [origin], AllowedMethods: ['GET', 'PUT'], ExposeHeaders: ['ETag'] }]);
    const getUrl = await getSignedUrl(s.s3(), new GetObjectCommand({ Bucket: bucket, Key: 'page.html' }), { expiresIn: 300 });
    const fromApp = await call('GET', getUrl, { origin });
    assert.equal(fromApp.status, 200);
    assert.equal(fromApp.body, '<p>hi</p>');
    assert.equal(fromApp.headers['access-control-allow-origin'], origin);
    assert.equal(fromApp.headers['access-control-expose-headers'], 'ETag');
    const fromElsewhere = await call('GET', getUrl, { origin: 'https://evil.test' });
    assert.equal(fromElsewhere.status, 200);
    assert.equal(fromElsewhere.headers['access-control-allow-origin'], undefined);
    const sameOrigin = await call('GET', getUrl, {});
    assert.equal(sameOrigin.headers['access-control-allow-origin'], undefined);
    const putUrl = await getSignedUrl(s.s3(), new PutObjectCommand({ Bucket: bucket, Key: 'upload.txt' }), { expiresIn: 300 });
    const put = await call('PUT', putUrl, { origin, 'content-length': '5' }, 'hello');
    assert.equal(put.status, 200, put.body);
    assert.equal(put.headers['access-control-allow-origin'], origin);
    const missingUrl = await getSignedUrl(s.s3(), new GetObjectCommand({ Bucket: bucket, Key: 'missing' }), { expiresIn: 300 });
    const missing = await call('GET', missingUrl, { origin });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['access-control-allow-origin'], origin, 'the browser can read the error');
  });
});
