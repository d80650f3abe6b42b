// The canonical encryption-context encoding (kms.md §8): the reference table, byte-order sorting, and
// the property that distinct contexts never encode alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeEncryptionContext, EncryptionContextError } from '../../../src/crypto/encryption-context.js';

const hexOf = (ctx: Record<string, string>) => encodeEncryptionContext(ctx).toString('hex');

describe('encryption context encoding', () => {
  it('matches the reference table', () => {
    assert.equal(hexOf({ a: 'bc' }), '00000001' + '00000001' + '61' + '00000002' + '6263');
    assert.equal(hexOf({ ab: 'c' }), '00000001' + '00000002' + '6162' + '00000001' + '63');
    assert.equal(hexOf({}), '00000000');
    assert.equal(hexOf({ z: 'y', é: 'x' }), '00000002' + '00000001' + '7a' + '00000001' + '79' + '00000002' + 'c3a9' + '00000001' + '78');
  });

  it('sorts by UTF-8 bytes, not UTF-16 code units', () => {
    const enc = encodeEncryptionContext({ '\u{1F600}': '1', '\uFF61': '2' });
    // U+FF61 (ef bd a1) sorts before U+1F600 (f0 9f 98 80) in UTF-8.
    assert.equal(enc.subarray(8, 11).toString('hex'), 'efbda1');
  });

  it('refuses lone surrogates', () => {
    assert.throws(() => encodeEncryptionContext({ '\uD800': 'x' }), EncryptionContextError);
  });

  it('never encodes two different contexts alike (property)', () => {
    const ctx = fc.dictionary(fc.string({ maxLength: 6, unit: 'grapheme' }), fc.string({ maxLength: 6, unit: 'grapheme' }), { maxKeys: 4 });
    fc.assert(
      fc.property(ctx, ctx, (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        assert.equal(encodeEncryptionContext(a).equals(encodeEncryptionContext(b)), same);
      }),
      { numRuns: 2000 },
    );
  });
});
