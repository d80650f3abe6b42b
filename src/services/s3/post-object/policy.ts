// The POST policy of a browser-based upload: a base64 JSON document with an expiration and conditions that
// every form field must satisfy (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html).
// Parsed only after its signature has been verified; wording of refusals as S3 answers them.
import { S3, S3Error } from '../errors.js';
import type { FormFields } from './form-fields.js';

type Condition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; shown: unknown[] }
  | { op: 'content-length-range'; min: unknown; max: unknown; shown: unknown[] };

export interface PostPolicy {
  expiration: number;
  conditions: Condition[];
}

export interface LengthRange {
  min: number;
  max: number;
}

const invalid = (detail: string) => new S3Error('InvalidPolicyDocument', 400, `Invalid Policy: ${detail}`);
const refused = (detail: string) => S3.AccessDenied(`Invalid according to Policy: ${detail}`);

/** Fields the policy need not name (S3: the signature, the file, the policy itself and x-ignore-* fields). */
function exempt(name: string): boolean {
  // A SigV2 form's AWSAccessKeyId and signature are exempt like SigV4's signature (S3's HTTP POST guide, SigV2).
  return (
    name === 'policy' || name === 'x-amz-signature' || name === 'awsaccesskeyid' || name === 'signature' || name === 'file' || name.startsWith('x-ignore-')
  );
}

/** How S3 quotes a failed condition: the JSON array, elements separated by ", ". */
const show = (parts: unknown[]) => `[${parts.map((p) => JSON.stringify(p)).join(', ')}]`;

function parseCondition(c: unknown): Condition {
  if (Array.isArray(c)) {
    const op = typeof c[0] === 'string' ? c[0].toLowerCase() : undefined;
    if (op === 'content-length-range') {
      if (c.length !== 3) throw invalid('Invalid content-length-range condition: it needs a minimum and a maximum.');
      return { op, min: c[1], max: c[2], shown: c };
    }
    if (op === 'eq' || op === 'starts-with') {
      if (c.length !== 3 || typeof c[1] !== 'string' || typeof c[2] !== 'string')
        throw invalid(`Invalid '${op}' condition: it needs a field name and a string value.`);
      return { op, field: c[1], value: c[2], shown: c };
    }
    throw invalid(`Invalid Condition: unknown operation ${JSON.stringify(c[0])}.`);
  }
  if (c !== null && typeof c === 'object') {
    const entries = Object.entries(c);
    if (entries.length !== 1) throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [name, value] = entries[0]!;
    if (typeof value !== 'string') throw invalid(`Invalid Simple-Condition: the value of '${name}' must be a string.`);
    return { op: 'eq', field: `$${name}`, value, shown: ['eq', `$${name}`, value] };
  }
  throw invalid('Invalid Condition: a condition is an object or an array.');
}

/** Decodes and checks the shape of a policy (after its signature has been verified over the base64 text). */
export function parsePolicy(base64: string): PostPolicy {
  const text = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw invalid('Invalid JSON.');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw invalid('Invalid JSON.');
  const { expiration, conditions } = doc as Record<string, unknown>;
  if (expiration === undefined) throw invalid('Policy missing expiration.');
  // ISO 8601 in UTC, as the documentation shows ("2007-12-01T12:00:00.000Z"); milliseconds optional.
  const at = typeof expiration === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(expiration) ? Date.parse(expiration) : Number.NaN;
  if (Number.isNaN(at)) throw invalid(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (conditions === undefined) throw invalid('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalid("Invalid 'conditions' value: it must be a list.");
  return { expiration: at, conditions: conditions.map(parseCondition) };
}

const lengthBound = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

/**
 * Every condition holds for the form (the bucket condition against the bucket addressed), and every field the form
 * sent is named by a condition. Returns the content-length-range, if the policy sets one. Field names compare
 * case-insensitively; values exactly.
 */
export function checkPolicy(policy: PostPolicy, fields: FormFields, bucket: string, now: number): LengthRange | undefined {
  if (now > policy.expiration) throw refused('Policy expired.');
  const named = new Set<string>();
  let range: LengthRange | undefined;
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') {
      const min = lengthBound(c.min);
      const max = lengthBound(c.max);
      if (min === undefined || max === undefined || min > max) throw refused(`Policy Condition failed: ${show(c.shown)}`);
      range = { min, max };
      continue;
    }
    const name = c.field.startsWith('$') ? c.field.slice(1).toLowerCase() : undefined;
    if (name === undefined) throw refused(`Policy Condition failed: ${show(c.shown)}`);
    named.add(name);
    const value = name === 'bucket' ? bucket : (fields.get(name)?.value ?? '');
    const holds =
      c.op === 'eq'
        ? value === c.value
        : // A Content-Type may list several types; each must start with the prefix (S3's rule for starts-with).
          (name === 'content-type' ? value.split(',').map((v) => v.trim()) : [value]).every((v) => v.startsWith(c.value));
    if (!holds) throw refused(`Policy Condition failed: ${show(c.shown)}`);
  }
  const extra = [...fields.values()].filter((f) => !exempt(f.lower) && !named.has(f.lower)).map((f) => f.name);
  if (extra.length > 0) throw refused(`Extra input fields: ${extra.join(', ')}`);
  return range;
}
