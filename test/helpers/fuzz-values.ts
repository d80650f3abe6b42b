// Pieces the fuzz properties share: printable text (what an HTTP header or a form field can carry), mutations of
// a request body's bytes, and a deadline on an answer (a hang is a failure, not a stuck suite).
import fc from 'fast-check';

/** Strings of printable ASCII, up to maxLength characters. */
export function printable(maxLength = 40): fc.Arbitrary<string> {
  return fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });
}

export type ByteMutation = { flip: number; bit: number } | { truncate: number } | { insert: number; bytes: Uint8Array };

/** A bit flipped, the body cut short, or bytes (random, or framing characters) inserted, anywhere in the body. */
export function byteMutation(framing: ReadonlyArray<string>): fc.Arbitrary<ByteMutation> {
  return fc.oneof(
    fc.record({ flip: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ truncate: fc.nat() }),
    fc.record({ insert: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constantFrom(...framing.map((f) => Buffer.from(f)))) }),
  );
}

export function mutateBytes(body: Buffer, m: ByteMutation): Buffer {
  if ('flip' in m) {
    const out = Buffer.from(body);
    const at = m.flip % out.length;
    out[at] = out[at]! ^ (1 << m.bit);
    return out;
  }
  if ('truncate' in m) return body.subarray(0, m.truncate % body.length);
  const at = m.insert % body.length;
  return Buffer.concat([body.subarray(0, at), m.bytes, body.subarray(at)]);
}

/** The answer, or a failure naming the request when none came within `ms`. */
export async function answeredWithin<T>(answer: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s: ${what()}`)), ms);
  });
  return Promise.race([answer, deadline]).finally(() => clearTimeout(timer));
}
