// Wire JSON: duplicate members and __proto__ are refused; everything JSON.parse accepts otherwise is kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseStrictJson, StrictJsonError } from '../../../src/protocol/strict-json.js';

describe('strict JSON', () => {
  it('refuses duplicate members at any depth', () => {
    assert.throws(() => parseStrictJson('{"a":1,"a":2}'), StrictJsonError);
    assert.throws(() => parseStrictJson('{"EncryptionContext":{"k":"1","k":"2"}}'), StrictJsonError);
    assert.throws(() => parseStrictJson('{"x":[{"b":1,"b":1}]}'), StrictJsonError);
    assert.throws(() => parseStrictJson('{"a\\u0062":1,"ab":2}'), StrictJsonError);
  });
  it('allows the same member name in sibling objects and strings that look like members', () => {
    assert.deepEqual(parseStrictJson('{"a":{"k":1},"b":{"k":2},"c":"\\"k\\":"}'), { a: { k: 1 }, b: { k: 2 }, c: '"k":' });
  });
  it('finds the end of strings that end in escaped backslashes', () => {
    assert.throws(() => parseStrictJson('{"a\\\\":1,"a\\\\":2}'), StrictJsonError);
    assert.throws(() => parseStrictJson('{"x":"\\\\","x":1}'), StrictJsonError);
    assert.throws(() => parseStrictJson('{"x":"\\"{[","x":1}'), StrictJsonError);
    assert.deepEqual(parseStrictJson('{"x":"\\\\","y":"\\"}{"}'), { x: '\\', y: '"}{' });
  });
  it('refuses a repeated member of any object (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.nat(), fc.boolean(), (obj, pick, pretty) => {
        const keys = Object.keys(obj);
        const key = keys[pick % keys.length]!;
        const text = JSON.stringify({ outer: obj }, null, pretty ? 2 : undefined);
        const repeated = `${text.slice(0, text.lastIndexOf('}', text.length - 2))},${JSON.stringify(key)}:null${text.slice(text.lastIndexOf('}', text.length - 2))}`;
        assert.throws(() => parseStrictJson(repeated), StrictJsonError);
      }),
      { numRuns: 300 },
    );
  });
  it('refuses __proto__ members', () => {
    assert.throws(() => parseStrictJson('{"__proto__":{"polluted":true}}'), StrictJsonError);
  });
  it('agrees with JSON.parse on duplicate-free documents (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        let strict: unknown;
        try {
          strict = parseStrictJson(text);
        } catch (e) {
          assert.ok(e instanceof StrictJsonError && text.includes('__proto__'));
          return;
        }
        assert.deepEqual(strict, JSON.parse(text));
      }),
      { numRuns: 500 },
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
