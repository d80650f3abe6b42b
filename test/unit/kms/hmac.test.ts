// The MAC of HMAC KMS keys against Wycheproof's HMAC-SHA-256/384/512 vectors (full-length tags, the only ones
// KMS produces): every valid tag is computed exactly and verified; every invalid one is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeMac, type HmacKeySpec, hmacKeyBytes, macAlgorithmOf, macMatches } from '../../../src/services/kms/domain/hmac.js';
import { hex, loadWycheproof } from '../../helpers/wycheproof.js';

const FILES: Array<[HmacKeySpec, string]> = [
  ['HMAC_256', 'hmac_sha256_test.json'],
  ['HMAC_384', 'hmac_sha384_test.json'],
  ['HMAC_512', 'hmac_sha512_test.json'],
];

describe('HMAC key MACs (Wycheproof)', () => {
  for (const [spec, file] of FILES) {
    it(`${spec}: full-length tags of the vectors are computed and verified, altered ones refused`, () => {
      const v = loadWycheproof(file);
      let checked = 0;
      for (const g of v.testGroups) {
        if (Number(g.tagSize) !== 8 * hmacKeyBytes(spec)) continue;
        for (const t of g.tests) {
          const [key, msg, tag] = [hex(t.key), hex(t.msg), hex(t.tag)];
          if (t.result === 'valid') assert.deepEqual(computeMac(spec, key, msg), tag, `tcId ${t.tcId}`);
          assert.equal(macMatches(spec, key, msg, tag), t.result === 'valid', `tcId ${t.tcId}`);
          checked++;
        }
      }
      assert.ok(checked > 50, `${checked} vectors checked`);
    });
  }

  it('each spec has one algorithm and the key length of its hash; a truncated MAC never verifies', () => {
    assert.deepEqual(
      (['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const).map((s) => [macAlgorithmOf(s), hmacKeyBytes(s)]),
      [
        ['HMAC_SHA_224', 28],
        ['HMAC_SHA_256', 32],
        ['HMAC_SHA_384', 48],
        ['HMAC_SHA_512', 64],
      ],
    );
    const key = Buffer.alloc(28, 1);
    const mac = computeMac('HMAC_224', key, Buffer.from('m'));
    assert.equal(mac.length, 28);
    assert.equal(macMatches('HMAC_224', key, Buffer.from('m'), mac.subarray(0, 27)), false);
  });
});
