// Calls for the AWS JSON services' fuzz properties: a valid body per operation with one or two members mutated
// (set to a value of another JSON type, empty, huge, nested, or a real identifier of another kind; or removed;
// or an unknown member added), so that each member's checks are reached with the others valid. A wholly
// random body would mostly stop at the first type check.
import fc from 'fast-check';

/** Values of every JSON type, plus `known` real identifiers (ARNs, ids, tokens) of the running server. */
export function junkValue(known: string[]): fc.Arbitrary<unknown> {
  const scalar = fc.oneof(
    fc.constantFrom(...known),
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', ' ', 'AAAA', '====', 'alias/', 'alias/aws/', 'arn:aws:kms:us-east-1:000000000000:key/x', 'arn:', '-1', '1e400', 'null'),
    fc.integer(),
    fc.constantFrom(0, -1, 1, 1024, 1025, 2 ** 31, 2 ** 53, 1e300, -0, 0.5),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant('x'.repeat(70_000)),
  );
  const names = fc.constantFrom(
    'TagKey',
    'TagValue',
    'Key',
    'Value',
    'EncryptionContextSubset',
    'EncryptionContextEquals',
    'constructor',
    'toString',
    'valueOf',
    'toJSON',
  );
  return fc.oneof(
    { weight: 4, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.string(), names), scalar, { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.array(fc.dictionary(names, scalar), { maxLength: 3 }) },
  );
}

/** [operation, body]: a valid body of a random operation with up to two mutations. */
export function mutatedCalls(valid: Record<string, Record<string, unknown>>, known: string[]): fc.Arbitrary<readonly [string, Record<string, unknown>]> {
  // A mutation: a member (of the body, or a name it does not have) gets a junk value, or is removed (null).
  const mutation = fc.tuple(fc.oneof(fc.nat(20), fc.string({ maxLength: 12 })), fc.option(junkValue(known), { freq: 6 }));
  return fc.tuple(fc.constantFrom(...Object.keys(valid)), fc.array(mutation, { maxLength: 2 })).map(([op, mutations]) => {
    const body: Record<string, unknown> = { ...valid[op] };
    const members = Object.keys(body);
    for (const [which, v] of mutations) {
      const name = typeof which === 'number' ? (members[which % Math.max(members.length, 1)] ?? 'Unknown') : which;
      if (v === null) delete body[name];
      else body[name] = v;
    }
    return [op, body] as const;
  });
}
