// Wire-input validation for AWS JSON operations, with AWS's message shapes:
//   type errors -> SerializationException (the SDKs never produce them; hand-made bodies do)
//   constraint errors -> ValidationException "1 validation error detected: Value 'x' at 'keyId' failed to
//   satisfy constraint: Member must have length greater than or equal to 1"
import { SerializationException, ValidationException } from './errors.js';

export type Input = Record<string, unknown>;

const lcFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * A wire value as text for an error message. Never throws: String() would call a JSON object's own "toString"
 * member (a number or a string after JSON.parse), which throws a TypeError, so a hostile body became a 500.
 */
export function shownValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  return JSON.stringify(v);
}
// A blob's value is never echoed (it may be a plaintext): "Value at 'plaintext' ...", as AWS answers (recorded).
// `field` may be a member path ("tags.1.member.key"); its first letter is lower-cased, as AWS writes it. AWS
// echoes a too-long value whole (a 257-character tag value, recorded); the cap only bounds the message.
const ECHO_CAP = 4096;
export const memberConstraintError = (value: unknown, field: string, constraint: string, hidden = false) =>
  new ValidationException(
    `1 validation error detected: Value${hidden ? '' : ` '${shownValue(value).slice(0, ECHO_CAP)}'`} at '${lcFirst(field)}' failed to satisfy constraint: ${constraint}`,
  );
// A missing member is "Value null", unquoted: AWS's answer everywhere (recorded, e.g. ACM's idempotencyToken, KMS's tagKeys).
export const missingMemberMessage = (field: string) =>
  `1 validation error detected: Value null at '${lcFirst(field)}' failed to satisfy constraint: Member must not be null`;
export const missingMember = (field: string) => new ValidationException(missingMemberMessage(field));

export interface StringRules {
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: ReadonlyArray<string>;
}

export function optString(input: Input, field: string, rules: StringRules = {}): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SerializationException(`STRING_VALUE can not be converted to ${field}`);
  if (rules.min !== undefined && v.length < rules.min) throw memberConstraintError(v, field, `Member must have length greater than or equal to ${rules.min}`);
  if (rules.max !== undefined && v.length > rules.max) throw memberConstraintError(v, field, `Member must have length less than or equal to ${rules.max}`);
  if (rules.pattern && !rules.pattern.test(v)) throw memberConstraintError(v, field, `Member must satisfy regular expression pattern: ${rules.pattern.source}`);
  if (rules.enum && !rules.enum.includes(v)) throw memberConstraintError(v, field, `Member must satisfy enum value set: [${rules.enum.join(', ')}]`);
  return v;
}

export function reqString(input: Input, field: string, rules: StringRules = {}): string {
  const v = optString(input, field, rules);
  if (v === undefined) throw missingMember(field);
  return v;
}

export function optInt(input: Input, field: string, min: number, max: number): number | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SerializationException(`NUMBER_VALUE can not be converted to ${field}`);
  if (v < min) throw memberConstraintError(v, field, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw memberConstraintError(v, field, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optBool(input: Input, field: string): boolean | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new SerializationException(`BOOLEAN_VALUE can not be converted to ${field}`);
  return v;
}

/** A base64 blob member; length limits apply to the decoded bytes. */
export function optBlob(input: Input, field: string, min: number, max: number): Buffer | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1) {
    throw new SerializationException(`Base64 value for ${field} is not valid`);
  }
  const buf = Buffer.from(v, 'base64');
  if (buf.length < min) throw memberConstraintError(undefined, field, `Member must have length greater than or equal to ${min}`, true);
  if (buf.length > max) throw memberConstraintError(undefined, field, `Member must have length less than or equal to ${max}`, true);
  return buf;
}

export function reqBlob(input: Input, field: string, min: number, max: number): Buffer {
  const v = optBlob(input, field, min, max);
  if (v === undefined) throw missingMember(field);
  return v;
}

export function optStringMap(input: Input, field: string): Record<string, string> | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new SerializationException(`Expected a map for ${field}`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val !== 'string') throw new SerializationException(`Expected string values in ${field}`);
    out[k] = val;
  }
  return out;
}

export function optStringList(input: Input, field: string, maxItems = 1000): string[] | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new SerializationException(`Expected a list of strings for ${field}`);
  if (v.length > maxItems) throw memberConstraintError(`[${v.length} items]`, field, `Member must have length less than or equal to ${maxItems}`);
  return v as string[];
}

export function optList(input: Input, field: string): unknown[] | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new SerializationException(`Expected a list for ${field}`);
  return v;
}

/** A structure member (a JSON object); SerializationException for any other JSON type. */
export function optStruct(input: Input, field: string): Input | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new SerializationException(`Expected a structure for ${field}`);
  return v as Input;
}

/** A list of strings each from `values`: SerializationException for other types, ValidationException for other strings. */
export function optEnumList(input: Input, field: string, values: ReadonlyArray<string>, maxItems = 1000): string[] | undefined {
  const list = optStringList(input, field, maxItems);
  const bad = list?.find((v) => !values.includes(v));
  if (bad !== undefined) throw memberConstraintError(bad, field, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return list;
}
