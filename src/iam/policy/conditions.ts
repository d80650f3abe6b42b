// Condition operators (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
// and the set operators ForAnyValue / ForAllValues, ...IfExists and Null.
// Semantics kept from AWS's documentation:
// - several values for one key: OR; several keys or operators: AND;
// - a key missing from the request: false, except for negated operators (true), ...IfExists (true) and Null;
// - ForAnyValue: true if any request value matches; a missing key is false;
// - ForAllValues: true if every request value matches; a missing or empty key is true.
import { isIP } from 'node:net';
import type { ConditionClause } from './document.js';
import type { ContextValues } from './request-context.js';
import { substitute, UNRESOLVED } from './variables.js';
import { arnMatch, wildcardMatch } from './wildcard.js';

type Test = (requestValue: string, policyValue: string) => boolean;

function num(s: string): number | undefined {
  const n = Number(s);
  return s.trim() === '' || Number.isNaN(n) ? undefined : n;
}

function date(s: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsRaw] = cidr.split('/');
  const family = isIP(base ?? '');
  const ipFamily = isIP(ip);
  if (!family || family !== ipFamily) {
    // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) compare as IPv4.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    return mapped ? cidrContains(cidr, mapped[1]!) : false;
  }
  const toBytes = (a: string) => (family === 4 ? Buffer.from(a.split('.').map(Number)) : ipv6Bytes(a));
  const bits = bitsRaw === undefined ? (family === 4 ? 32 : 128) : Number(bitsRaw);
  const a = toBytes(base!);
  const b = toBytes(ip);
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8);
    if ((a[i >> 3]! & mask) !== (b[i >> 3]! & mask)) return false;
  }
  return true;
}

function ipv6Bytes(a: string): Buffer {
  const [head, tail] = a.split('::') as [string, string | undefined];
  const parse = (s: string | undefined) => (s ? s.split(':').filter(Boolean) : []);
  const h = parse(head);
  const t = parse(tail);
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  for (let i = 0; i < groups.length && i < 8; i++) out.writeUInt16BE(Number.parseInt(groups[i]!, 16) || 0, i * 2);
  return out;
}

const BASE: Record<string, { test: Test; negated: boolean }> = {
  StringEquals: { test: (r, p) => r === p, negated: false },
  StringNotEquals: { test: (r, p) => r === p, negated: true },
  StringEqualsIgnoreCase: { test: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { test: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: true },
  StringLike: { test: (r, p) => wildcardMatch(p, r), negated: false },
  StringNotLike: { test: (r, p) => wildcardMatch(p, r), negated: true },
  NumericEquals: { test: (r, p) => num(r) !== undefined && num(r) === num(p), negated: false },
  NumericNotEquals: { test: (r, p) => num(r) !== undefined && num(r) === num(p), negated: true },
  NumericLessThan: { test: (r, p) => (num(r) ?? Number.NaN) < (num(p) ?? Number.NaN), negated: false },
  NumericLessThanEquals: { test: (r, p) => (num(r) ?? Number.NaN) <= (num(p) ?? Number.NaN), negated: false },
  NumericGreaterThan: { test: (r, p) => (num(r) ?? Number.NaN) > (num(p) ?? Number.NaN), negated: false },
  NumericGreaterThanEquals: { test: (r, p) => (num(r) ?? Number.NaN) >= (num(p) ?? Number.NaN), negated: false },
  DateEquals: { test: (r, p) => date(r) !== undefined && date(r) === date(p), negated: false },
  DateNotEquals: { test: (r, p) => date(r) !== undefined && date(r) === date(p), negated: true },
  DateLessThan: { test: (r, p) => (date(r) ?? Number.NaN) < (date(p) ?? Number.NaN), negated: false },
  DateLessThanEquals: { test: (r, p) => (date(r) ?? Number.NaN) <= (date(p) ?? Number.NaN), negated: false },
  DateGreaterThan: { test: (r, p) => (date(r) ?? Number.NaN) > (date(p) ?? Number.NaN), negated: false },
  DateGreaterThanEquals: { test: (r, p) => (date(r) ?? Number.NaN) >= (date(p) ?? Number.NaN), negated: false },
  Bool: { test: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  BinaryEquals: { test: (r, p) => r === p, negated: false },
  IpAddress: { test: (r, p) => cidrContains(p, r), negated: false },
  NotIpAddress: { test: (r, p) => cidrContains(p, r), negated: true },
  ArnEquals: { test: (r, p) => arnMatch(p, r), negated: false },
  ArnLike: { test: (r, p) => arnMatch(p, r), negated: false },
  ArnNotEquals: { test: (r, p) => arnMatch(p, r), negated: true },
  ArnNotLike: { test: (r, p) => arnMatch(p, r), negated: true },
};

export function evaluateCondition(c: ConditionClause, ctx: ContextValues, variables: boolean): boolean {
  const m = /^(ForAnyValue:|ForAllValues:)?(\w+?)(IfExists)?$/.exec(c.operator)!;
  const set = m[1];
  const name = m[2]!;
  const ifExists = m[3] !== undefined;
  const requestValues = ctx.get(c.key);
  if (name === 'Null') {
    const absent = requestValues === undefined || requestValues.length === 0;
    return c.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const op = BASE[name];
  if (!op) return false;
  const policyValues = c.values.map((v) => substitute(v, ctx, variables)).filter((v) => v !== UNRESOLVED);
  const matchesAny = (r: string) => policyValues.some((p) => op.test(r, p));
  if (set === 'ForAllValues:') {
    if (!requestValues || requestValues.length === 0) return true;
    return requestValues.every((r) => (op.negated ? !matchesAny(r) : matchesAny(r)));
  }
  if (set === 'ForAnyValue:') {
    if (!requestValues || requestValues.length === 0) return false;
    return requestValues.some((r) => (op.negated ? !matchesAny(r) : matchesAny(r)));
  }
  if (!requestValues || requestValues.length === 0) return ifExists || op.negated;
  // Single-valued use: every request value (normally one) must satisfy the operator.
  return requestValues.every((r) => (op.negated ? !matchesAny(r) : matchesAny(r)));
}
