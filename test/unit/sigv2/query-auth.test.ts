// SigV2 query-string authentication (S3's presigned URLs of Signature Version 2): the S3 user guide's own
// example, and what changes the answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSigV2Presigned, verifySigV2Query } from '../../../src/protocol/sigv2/query-auth.js';
import { authOutcome } from '../../helpers/auth-outcome.js';

// "Query string request authentication alternative" in the S3 guide (Signature Version 2): a GET of
// johnsmith.s3.amazonaws.com/photos/puppy.jpg expiring at 1175139620, signed with the guide's example key (the
// signature of the guide's original version, whose bucket was "johnsmith").
const EXAMPLE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  expires: 1175139620,
  signature: 'NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D',
};
const cred = { accessKeyId: EXAMPLE.accessKeyId, secretAccessKey: EXAMPLE.secretAccessKey, active: true, principal: 'example' };
const lookup = (id: string) => (id === EXAMPLE.accessKeyId ? cred : undefined);
const before = EXAMPLE.expires * 1000 - 1000;

const request = (over: { method?: string; path?: string; query?: string; headers?: Array<[string, string]>; virtualHostBucket?: string } = {}) => ({
  method: over.method ?? 'GET',
  path: over.path ?? '/photos/puppy.jpg',
  query: over.query ?? `AWSAccessKeyId=${EXAMPLE.accessKeyId}&Signature=${EXAMPLE.signature}&Expires=${EXAMPLE.expires}`,
  headers: over.headers ?? [['host', 'johnsmith.s3.amazonaws.com']],
  ...(over.virtualHostBucket === null ? {} : { virtualHostBucket: over.virtualHostBucket ?? 'johnsmith' }),
});

describe('SigV2 query-string authentication', () => {
  it("verifies the S3 guide's example, virtual-hosted and path-style", () => {
    assert.equal(verifySigV2Query(request(), { now: before, lookup }).principal, 'example');
    assert.equal(
      authOutcome(() => verifySigV2Query({ ...request(), path: '/johnsmith/photos/puppy.jpg', virtualHostBucket: undefined }, { now: before, lookup })),
      'verified',
    );
    assert.equal(isSigV2Presigned(request().query), true);
    assert.equal(isSigV2Presigned('X-Amz-Algorithm=AWS4-HMAC-SHA256&AWSAccessKeyId=x'), false);
  });

  it('refuses another method, path, sub-resource, header or expiry; an expired URL; an unknown key; missing parts', () => {
    const now = before;
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ method: 'PUT' }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ path: '/photos/kitten.jpg' }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ query: `${request().query}&acl` }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ query: `${request().query}&other=1` }), { now, lookup })),
      'verified',
      'not a sub-resource',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ headers: [['content-type', 'text/html']] }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ headers: [['x-amz-meta-a', 'b']] }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ query: request().query.replace('1175139620', '1175139621') }), { now, lookup })),
      'SignatureMismatch',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request(), { now: EXAMPLE.expires * 1000 + 1000, lookup })),
      'PresignExpired',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request(), { now, lookup: () => undefined })),
      'UnknownAccessKey',
    );
    assert.equal(
      authOutcome(() => verifySigV2Query(request({ query: request().query.replace(/&Signature=[^&]+/, '') }), { now, lookup })),
      'IncompleteQueryAuth',
    );
    const inactive = { ...cred, active: false };
    assert.equal(
      authOutcome(() => verifySigV2Query(request(), { now, lookup: () => inactive })),
      'InactiveAccessKey',
    );
  });
});
