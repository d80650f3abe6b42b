// Payload modes and protocol error mapping: a request signed by the AWS SDK's signer with
// UNSIGNED-PAYLOAD verifies when the edge passes that mode (S3 path rules), and fails when the edge
// expects a signed body; every failure reason maps to an S3 error code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { NodeSha256 } from '../../helpers/sha256.js';
import { authErrorToJson } from '../../../src/protocol/aws-json.js';
import { authErrorToS3 } from '../../../src/protocol/s3-auth-errors.js';
import { type AuthFailure, SigV4Error } from '../../../src/protocol/sigv4/errors.js';
import { verifySigV4 } from '../../../src/protocol/sigv4/verifier.js';

const creds = { accessKeyId: 'AKIAPAYLOADMODES0001', secretAccessKey: 'payload-modes-secret-0123456789' };
const lookup = (id: string) => (id === creds.accessKeyId ? { ...creds, active: true, principal: 'p' } : undefined);

describe('SigV4 payload modes', () => {
  it('verifies UNSIGNED-PAYLOAD on S3 path rules, and a signed body hash', async () => {
    const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 's3', sha256: NodeSha256 as never, uriEscapePath: false });
    const now = new Date();
    const signed = await signer.sign(
      {
        method: 'PUT',
        protocol: 'https:',
        hostname: 'localhost',
        path: '/bucket/a%20key/../x',
        headers: { host: 'localhost', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        body: 'anything',
      },
      { signingDate: now },
    );
    const req = { method: 'PUT', path: signed.path, query: '', headers: Object.entries(signed.headers) as Array<[string, string]> };
    const v = verifySigV4(req, { now: now.getTime(), pathRule: 's3', service: 's3', payloadHash: 'UNSIGNED-PAYLOAD', lookup });
    assert.equal(v.mode, 'header');
    assert.ok(v.signingKey.length === 32, 'the signing key is handed on for chunk signatures');
    assert.throws(
      () => verifySigV4(req, { now: now.getTime(), pathRule: 's3', service: 's3', payloadHash: createHash('sha256').update('anything').digest('hex'), lookup }),
      SigV4Error,
    );
    assert.throws(
      () => verifySigV4(req, { now: now.getTime(), pathRule: 'normalized', service: 's3', payloadHash: 'UNSIGNED-PAYLOAD', lookup }),
      SigV4Error,
      'S3 signs the raw path',
    );
  });

  it('maps every failure reason to a JSON and an S3 error code', () => {
    const reasons: AuthFailure[] = [
      'MissingAuthentication',
      'IncompleteSignature',
      'MalformedAuthorization',
      'UnknownAccessKey',
      'SignatureMismatch',
      'RequestTimeTooSkewed',
      'PresignExpired',
      'PresignNotYetValid',
      'InvalidPresignExpiry',
      'WrongService',
      'InactiveAccessKey',
      'ContentSha256Mismatch',
    ];
    const s3 = Object.fromEntries(reasons.map((r) => [r, authErrorToS3(new SigV4Error(r, 'm')).code]));
    assert.equal(s3.UnknownAccessKey, 'InvalidAccessKeyId');
    assert.equal(s3.SignatureMismatch, 'SignatureDoesNotMatch');
    assert.equal(s3.RequestTimeTooSkewed, 'RequestTimeTooSkewed');
    const json = Object.fromEntries(reasons.map((r) => [r, authErrorToJson(new SigV4Error(r, 'm')).code]));
    assert.equal(json.UnknownAccessKey, 'UnrecognizedClientException');
    assert.equal(json.SignatureMismatch, 'InvalidSignatureException');
    assert.equal(json.IncompleteSignature, 'IncompleteSignatureException');
    assert.equal(json.MissingAuthentication, 'MissingAuthenticationTokenException');
    for (const r of reasons) assert.ok(authErrorToJson(new SigV4Error(r, 'm')).status < 500);
  });
});
