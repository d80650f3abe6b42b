// What makes a bucket policy public (S3's definition, as Block Public Access and GetBucketPolicyStatus use it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePolicy } from '../../../src/iam/policy/document.js';
import { policyIsPublic } from '../../../src/services/s3/public-access.js';

const policy = (statement: Record<string, unknown>) =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...statement }] }), {
    kind: 'resource',
  });

describe('public bucket policies', () => {
  it('an Allow for everyone is public unless a condition pins it to known callers', () => {
    assert.equal(policyIsPublic(policy({ Effect: 'Allow', Principal: '*' })), true);
    assert.equal(policyIsPublic(policy({ Effect: 'Allow', Principal: { AWS: '*' } })), true);
    assert.equal(
      policyIsPublic(policy({ Effect: 'Allow', Principal: '*', Condition: { StringEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } })),
      true,
    );
    assert.equal(policyIsPublic(policy({ Effect: 'Allow', Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), false);
    assert.equal(policyIsPublic(policy({ Effect: 'Allow', Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } })), true);
    assert.equal(policyIsPublic(policy({ Effect: 'Allow', Principal: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } } })), false);
  });

  it('an Allow with NotPrincipal grants everyone else, anonymous callers included: public', () => {
    assert.equal(policyIsPublic(policy({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } })), true);
  });

  it('Deny statements and named principals are not public', () => {
    assert.equal(policyIsPublic(policy({ Effect: 'Deny', Principal: '*' })), false);
    assert.equal(policyIsPublic(policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' } })), false);
  });
});
