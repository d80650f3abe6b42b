// AES-GCM through Keyhold's strict wrapper, checked against every Wycheproof vector: with the
// 12-byte-IV / 16-byte-tag policy, every other IV or tag size must be refused; every other verdict
// must match the vector.
import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { AeadError, gcmOpen, gcmSeal } from '../../../src/crypto/aead.js';
import { hex, loadWycheproof } from '../../helpers/wycheproof.js';

describe('AES-GCM (Wycheproof aes_gcm_test.json, strict policy)', () => {
  const file = loadWycheproof('aes_gcm_test.json');
  it(`runs all ${file.numberOfTests} vectors`, () => {
    let checked = 0;
    let refusedByPolicy = 0;
    for (const group of file.testGroups) {
      for (const t of group.tests) {
        const key = hex(t.key);
        const iv = hex(t.iv);
        const tag = hex(t.tag);
        const strictOk = iv.length === 12 && tag.length === 16;
        let opened: Buffer | undefined;
        try {
          opened = gcmOpen(key, iv, hex(t.ct), tag, hex(t.aad));
        } catch (err) {
          assert.ok(err instanceof AeadError, `tc ${t.tcId}: ${String(err)}`);
        }
        if (!strictOk) {
          assert.equal(opened, undefined, `tc ${t.tcId}: IV ${iv.length} / tag ${tag.length} bytes must be refused`);
          refusedByPolicy++;
        } else if (t.result === 'valid') {
          assert.deepEqual(opened, hex(t.msg), `tc ${t.tcId}`);
          const sealed = gcmSeal(key, hex(t.msg), hex(t.aad), iv);
          assert.deepEqual(sealed.ciphertext, hex(t.ct), `tc ${t.tcId} encrypt`);
          assert.deepEqual(sealed.tag, tag, `tc ${t.tcId} tag`);
        } else if (t.result === 'invalid') {
          assert.equal(opened, undefined, `tc ${t.tcId} must fail`);
        }
        checked++;
      }
    }
    assert.equal(checked, file.numberOfTests);
    assert.ok(refusedByPolicy > 0);
  });

  it('refuses truncated tags of 0-15 bytes (authTagLength pinned to 16)', () => {
    const key = randomBytes(32);
    const { iv, ciphertext, tag } = gcmSeal(key, Buffer.from('secret'), Buffer.alloc(0));
    for (let n = 0; n < 16; n++) assert.throws(() => gcmOpen(key, iv, ciphertext, tag.subarray(0, n), Buffer.alloc(0)), AeadError);
    // Without authTagLength, Node 20 would accept a 4-byte tag: the reason for the policy.
    const loose = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    assert.throws(() => loose.setAuthTag(tag.subarray(0, 4)));
  });

  it('binds the AAD', () => {
    const key = randomBytes(32);
    const { iv, ciphertext, tag } = gcmSeal(key, Buffer.from('secret'), Buffer.from('a'));
    assert.throws(() => gcmOpen(key, iv, ciphertext, tag, Buffer.from('b')), AeadError);
  });
});
