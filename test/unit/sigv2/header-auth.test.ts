// SigV2 Authorization-header authentication (S3 user guide, "Authenticating Requests (AWS Signature Version 2)"):
// the guide's own examples, signed with its example key for the bucket "johnsmith", and what changes the answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSigV2Header, verifySigV2Header } from '../../../src/protocol/sigv2/header-auth.js';
import { authOutcome } from '../../helpers/auth-outcome.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const cred = { accessKeyId: KEY, secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', active: true, principal: 'example' };
const lookup = (id: string) => (id === KEY ? cred : undefined);

interface Example {
  name: string;
  method: string;
  path: string;
  query: string;
  headers: Array<[string, string]>;
  virtualHostBucket?: string;
  signature: string;
  /** The request's time, for the 15-minute window. */
  at: string;
}
// The guide's examples: object GET, object PUT, list, fetch ACL (virtual-hosted), DELETE with x-amz-date (path-style).
const EXAMPLES: Example[] = [
  {
    name: 'object GET',
    method: 'GET',
    path: '/photos/puppy.jpg',
    query: '',
    headers: [['Date', 'Tue, 27 Mar 2007 19:36:42 +0000']],
    virtualHostBucket: 'johnsmith',
    signature: 'bWq2s1WEIj+Ydj0vQ697zp+IXMU=',
    at: 'Tue, 27 Mar 2007 19:36:42 +0000',
  },
  {
    name: 'object PUT',
    method: 'PUT',
    path: '/photos/puppy.jpg',
    query: '',
    headers: [
      ['Content-Type', 'image/jpeg'],
      ['Content-Length', '94328'],
      ['Date', 'Tue, 27 Mar 2007 21:15:45 +0000'],
    ],
    virtualHostBucket: 'johnsmith',
    signature: 'MyyxeRY7whkBe+bq8fHCL/2kKUg=',
    at: 'Tue, 27 Mar 2007 21:15:45 +0000',
  },
  {
    name: 'list',
    method: 'GET',
    path: '/',
    query: 'prefix=photos&max-keys=50&marker=puppy',
    headers: [
      ['User-Agent', 'Mozilla/5.0'],
      ['Date', 'Tue, 27 Mar 2007 19:42:41 +0000'],
    ],
    virtualHostBucket: 'johnsmith',
    signature: 'htDYFYduRNen8P9ZfE/s9SuKy0U=',
    at: 'Tue, 27 Mar 2007 19:42:41 +0000',
  },
  {
    name: 'fetch ACL',
    method: 'GET',
    path: '/',
    query: 'acl',
    headers: [['Date', 'Tue, 27 Mar 2007 19:44:46 +0000']],
    virtualHostBucket: 'johnsmith',
    signature: 'c2WLPFtWHVgbEmeEG93a4cG37dM=',
    at: 'Tue, 27 Mar 2007 19:44:46 +0000',
  },
  {
    name: 'DELETE with x-amz-date',
    method: 'DELETE',
    path: '/johnsmith/photos/puppy.jpg',
    query: '',
    headers: [
      ['User-Agent', 'dotnet'],
      ['Date', 'Tue, 27 Mar 2007 21:20:27 +0000'],
      ['x-amz-date', 'Tue, 27 Mar 2007 21:20:26 +0000'],
    ],
    signature: 'R4dJ53KECjStyBO5iTBJZ4XVOaI=',
    at: 'Tue, 27 Mar 2007 21:20:26 +0000',
  },
];

const request = (e: Example, over: { headers?: Array<[string, string]>; authorization?: string; method?: string } = {}) => ({
  method: over.method ?? e.method,
  path: e.path,
  query: e.query,
  headers: [...(over.headers ?? e.headers), ['Authorization', over.authorization ?? `AWS ${KEY}:${e.signature}`]] as Array<[string, string]>,
  ...(e.virtualHostBucket ? { virtualHostBucket: e.virtualHostBucket } : {}),
});

describe('SigV2 Authorization-header authentication', () => {
  for (const e of EXAMPLES) {
    it(`verifies the S3 guide's example: ${e.name}`, () => {
      assert.equal(verifySigV2Header(request(e), { now: Date.parse(e.at), lookup }).principal, 'example');
    });
  }

  it('takes a path-style request for a bucket signed as "/bucket/" (botocore) or "/bucket" (the guide)', () => {
    const list = EXAMPLES[2]!;
    const pathStyle = { ...request(list), path: '/johnsmith', virtualHostBucket: undefined };
    assert.equal(
      authOutcome(() => verifySigV2Header(pathStyle, { now: Date.parse(list.at), lookup })),
      'verified',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header({ ...pathStyle, path: '/johnsmith/' }, { now: Date.parse(list.at), lookup })),
      'verified',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header({ ...pathStyle, path: '/other' }, { now: Date.parse(list.at), lookup })),
      'SignatureMismatch',
    );
  });

  it('takes a sub-resource sent as "acl=" signed either as sent or bare (the Go SDK signs it bare)', () => {
    const acl = EXAMPLES[3]!;
    const now = Date.parse(acl.at);
    assert.equal(
      authOutcome(() => verifySigV2Header({ ...request(acl), query: 'acl=' }, { now, lookup })),
      'verified',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header({ ...request(acl), query: 'acl=x' }, { now, lookup })),
      'SignatureMismatch',
    );
  });

  it('refuses any malformed header, date or path with an authentication error, never another exception (property)', () => {
    const get = EXAMPLES[0]!;
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(
          fc.oneof(
            fc.string(),
            fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
          ),
          { nil: undefined },
        ),
        fc.option(fc.string(), { nil: undefined }),
        fc.string(),
        fc.string(),
        (authorization, date, amzDate, path, query) => {
          const headers: Array<[string, string]> = [['Authorization', `AWS ${authorization}`]];
          if (date !== undefined) headers.push(['Date', date]);
          if (amzDate !== undefined) headers.push(['x-amz-date', amzDate]);
          const outcome = authOutcome(() => verifySigV2Header({ method: 'GET', path: `/${path}`, query, headers }, { now: Date.parse(get.at), lookup }));
          assert.notEqual(outcome, 'verified');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('tells SigV2 headers from SigV4 ones', () => {
    assert.equal(isSigV2Header(`AWS ${KEY}:sig=`), true);
    assert.equal(isSigV2Header('AWS4-HMAC-SHA256 Credential=x'), false);
    assert.equal(isSigV2Header(undefined), false);
  });

  it('refuses another method or header, a skewed or missing date, an unknown key, a malformed header', () => {
    const [get, put, , , del] = EXAMPLES as [Example, Example, Example, Example, Example];
    const now = Date.parse(put.at);
    assert.equal(
      authOutcome(() => verifySigV2Header(request(put, { method: 'POST' }), { now, lookup })),
      'SignatureMismatch',
    );
    const retyped = put.headers.map(([n, v]) => [n, n === 'Content-Type' ? 'text/html' : v] as [string, string]);
    assert.equal(
      authOutcome(() => verifySigV2Header(request(put, { headers: retyped }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header(request(put, { headers: [...put.headers, ['x-amz-meta-a', 'b']] }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header(request(put), { now: now + 16 * 60_000, lookup })),
      'RequestTimeTooSkewed',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header(request(put), { now: now - 16 * 60_000, lookup })),
      'RequestTimeTooSkewed',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header(request(get, { headers: [] }), { now, lookup })),
      'InvalidSigV2Date',
    );
    // A date before 1970 is no valid date (s3-tests test_object_create_bad_date_before_epoch_aws2).
    const before1970: Array<[string, string]> = [['x-amz-date', 'Tue, 07 Jul 1950 21:53:04 GMT']];
    assert.equal(
      authOutcome(() => verifySigV2Header(request(get, { headers: before1970 }), { now, lookup })),
      'InvalidSigV2Date',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header(request(get, { authorization: `AWS AKIANOTKNOWN:${get.signature}` }), { now: Date.parse(get.at), lookup })),
      'UnknownAccessKey',
    );
    assert.equal(
      authOutcome(() => verifySigV2Header(request(get, { authorization: `AWS ${KEY}` }), { now, lookup })),
      'MalformedAuthorization',
    );
    // x-amz-date wins over Date: the date line is empty and x-amz-date is signed, so changing Date changes nothing.
    const redated = del.headers.map(([n, v]) => [n, n === 'Date' ? 'Tue, 27 Mar 2007 21:25:00 +0000' : v] as [string, string]);
    assert.equal(
      authOutcome(() => verifySigV2Header(request(del, { headers: redated }), { now: Date.parse(del.at), lookup })),
      'verified',
    );
    const inactive = { ...cred, active: false };
    assert.equal(
      authOutcome(() => verifySigV2Header(request(get), { now: Date.parse(get.at), lookup: () => inactive })),
      'InactiveAccessKey',
    );
  });
});
