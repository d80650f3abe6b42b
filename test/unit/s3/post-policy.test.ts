// POST policies: malformed documents are InvalidPolicyDocument (400) with S3's wording; conditions compare
// field names case-insensitively and values exactly; the bucket condition reads the bucket addressed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FormFields } from '../../../src/services/s3/post-object/form-fields.js';
import { checkPolicy, parsePolicy } from '../../../src/services/s3/post-object/policy.js';

const b64 = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)).toString('base64');
const fields = (entries: Record<string, string>): FormFields =>
  new Map(Object.entries(entries).map(([name, value]) => [name.toLowerCase(), { name, lower: name.toLowerCase(), value }]));
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    const e = err as { code: string; status: number; message: string };
    return `${e.status} ${e.code}: ${e.message}`;
  }
  return 'accepted';
};
const LATER = '2099-01-01T00:00:00Z';
const NOW = Date.parse('2026-11-29T00:00:00Z');

describe('POST policy', () => {
  it('refuses malformed documents as InvalidPolicyDocument', () => {
    assert.equal(
      refusal(() => parsePolicy(b64('{not json'))),
      '400 InvalidPolicyDocument: Invalid Policy: Invalid JSON.',
    );
    assert.equal(
      refusal(() => parsePolicy('%%%')),
      '400 InvalidPolicyDocument: Invalid Policy: Invalid JSON.',
    );
    assert.equal(
      refusal(() => parsePolicy(b64({ conditions: [] }))),
      '400 InvalidPolicyDocument: Invalid Policy: Policy missing expiration.',
    );
    assert.equal(
      refusal(() => parsePolicy(b64({ expiration: LATER }))),
      '400 InvalidPolicyDocument: Invalid Policy: Policy missing conditions.',
    );
    assert.equal(
      refusal(() => parsePolicy(b64({ expiration: 'tomorrow', conditions: [] }))),
      "400 InvalidPolicyDocument: Invalid Policy: Invalid 'expiration' value: 'tomorrow'",
    );
    assert.equal(
      refusal(() => parsePolicy(b64({ expiration: LATER, conditions: [{ bucket: 'b', key: 'k' }] }))),
      '400 InvalidPolicyDocument: Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    );
    assert.match(
      refusal(() => parsePolicy(b64({ expiration: LATER, conditions: [['matches', '$key', 'k']] }))),
      /^400 InvalidPolicyDocument/,
    );
    assert.match(
      refusal(() => parsePolicy(b64({ expiration: LATER, conditions: [42] }))),
      /^400 InvalidPolicyDocument/,
    );
  });

  it('accepts base64 with line breaks, as some encoders write it', () => {
    const text = b64({ expiration: LATER, conditions: [{ bucket: 'b' }] });
    assert.equal(parsePolicy(`${text.slice(0, 10)}\n${text.slice(10)}`).conditions.length, 1);
  });

  it('checks conditions against the form and the bucket addressed', () => {
    const policy = parsePolicy(
      b64({
        expiration: LATER,
        conditions: [
          { bucket: 'photos' },
          ['starts-with', '$Key', 'user/'],
          ['eq', '$x-amz-meta-Tag', 'v'],
          ['starts-with', '$Content-Type', 'image/'],
          ['content-length-range', '1', 100],
        ],
      }),
    );
    const ok = fields({ key: 'user/a.png', 'X-AMZ-META-TAG': 'v', 'Content-Type': 'image/png, image/jpeg' });
    assert.deepEqual(checkPolicy(policy, ok, 'photos', NOW), { min: 1, max: 100 });
    assert.equal(
      refusal(() => checkPolicy(policy, ok, 'other', NOW)),
      '403 AccessDenied: Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "photos"]',
    );
    assert.match(
      refusal(() => checkPolicy(policy, fields({ key: 'user/a', 'x-amz-meta-tag': 'V', 'content-type': 'image/x' }), 'photos', NOW)),
      /\["eq", "\$x-amz-meta-Tag", "v"\]/,
    );
    assert.match(
      refusal(() => checkPolicy(policy, fields({ key: 'user/a', 'x-amz-meta-tag': 'v', 'content-type': 'image/png,text/html' }), 'photos', NOW)),
      /"\$Content-Type"/,
    );
    assert.equal(
      refusal(() => checkPolicy(policy, ok, 'photos', Date.parse('2100-01-01T00:00:00Z'))),
      '403 AccessDenied: Invalid according to Policy: Policy expired.',
    );
  });

  it('requires every field but the signature, the policy, the file and x-ignore-* to be named by a condition', () => {
    const policy = parsePolicy(b64({ expiration: LATER, conditions: [{ key: 'k' }] }));
    const exempt = fields({ key: 'k', policy: 'p', 'X-Amz-Signature': 's', 'x-ignore-anything': 'x' });
    assert.equal(checkPolicy(policy, exempt, 'b', NOW), undefined);
    assert.equal(
      refusal(() => checkPolicy(policy, fields({ key: 'k', Acl: 'private', 'x-amz-date': 'd' }), 'b', NOW)),
      '403 AccessDenied: Invalid according to Policy: Extra input fields: Acl, x-amz-date',
    );
  });
});
