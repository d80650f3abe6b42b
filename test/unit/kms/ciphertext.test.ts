// The KMS ciphertext blob format v1: a frozen vector (a format change fails loudly), every byte
// authenticated, and the encryption context bound with the length-prefixed encoding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOB_OVERHEAD, decryptBlob, encryptBlob, InvalidBlobError, readBlobHeader } from '../../../src/services/kms/domain/ciphertext.js';

const material = Buffer.alloc(32, 0x42);
const header = { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', materialId: 'ab'.repeat(32) };
// Deterministic "randomness" for the frozen vector only: salt = 0x11..., IV = 0x22...
const fixedRandom = (n: number) => Buffer.alloc(n, n === 16 ? 0x11 : 0x22);

// Computed once when format v1 was written; never regenerate it to make a failing test pass.
const FROZEN =
  '011234abcd12ab34cd56ef1234567890ababababababababababababababababababababababababababababababababab' +
  '1111111111111111111111111111111122222222222222222222222253feb6d48a1b807259f5be0b60e5108fe277fb833e';

describe('KMS ciphertext blob v1', () => {
  it('matches the frozen vector', () => {
    const blob = encryptBlob(header, material, Buffer.from('hello'), { purpose: 'test' }, fixedRandom);
    assert.equal(blob.length, BLOB_OVERHEAD + 5);
    assert.equal(blob.toString('hex'), FROZEN);
    assert.deepEqual(decryptBlob(Buffer.from(FROZEN, 'hex'), material, { purpose: 'test' }), Buffer.from('hello'));
    assert.deepEqual(readBlobHeader(blob), header);
  });

  it('authenticates every byte', () => {
    const blob = encryptBlob(header, material, Buffer.from('secret data'), { a: 'b' });
    for (let i = 0; i < blob.length; i++) {
      const bad = Buffer.from(blob);
      bad[i] = bad[i]! ^ 0x80;
      assert.throws(() => decryptBlob(bad, material, { a: 'b' }), InvalidBlobError, `byte ${i}`);
    }
    assert.throws(() => decryptBlob(blob.subarray(0, blob.length - 1), material, { a: 'b' }), InvalidBlobError);
    assert.throws(() => decryptBlob(Buffer.concat([blob, Buffer.of(0)]), material, { a: 'b' }), InvalidBlobError);
  });

  it('binds the encryption context exactly', () => {
    const blob = encryptBlob(header, material, Buffer.from('x'), { a: 'bc' });
    for (const wrong of <Array<Record<string, string> | undefined>>[{ ab: 'c' }, { a: 'bC' }, { A: 'bc' }, {}, undefined, { a: 'bc', d: 'e' }]) {
      assert.throws(() => decryptBlob(blob, material, wrong), InvalidBlobError, JSON.stringify(wrong));
    }
    assert.deepEqual(decryptBlob(blob, material, { a: 'bc' }), Buffer.from('x'));
    const empty = encryptBlob(header, material, Buffer.from('x'), undefined);
    assert.deepEqual(decryptBlob(empty, material, {}), Buffer.from('x'), 'no context and {} are the same context');
  });

  it('refuses other material and other versions', () => {
    const blob = encryptBlob(header, material, Buffer.from('x'), undefined);
    assert.throws(() => decryptBlob(blob, Buffer.alloc(32, 0x43), undefined), InvalidBlobError);
    const v2 = Buffer.from(blob);
    v2[0] = 2;
    assert.throws(() => readBlobHeader(v2), InvalidBlobError);
  });
});
