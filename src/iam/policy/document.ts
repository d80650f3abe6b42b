// The IAM policy language (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html):
// parsing and validation into a normalized form that the evaluator walks without re-checking types.
// Invalid documents are refused when they are stored (PutKeyPolicy, PutUserPolicy, PutBucketPolicy).
export type Effect = 'Allow' | 'Deny';

export interface PrincipalSpec {
  /** "*" (anyone) or the listed AWS principals (account ids, account root ARNs, user ARNs, "*"). */
  any: boolean;
  aws: string[];
  service: string[];
}

export interface ConditionClause {
  /** Operator as written, e.g. "ForAnyValue:StringLikeIfExists". */
  operator: string;
  /** Condition key, lower-cased (key names are case-insensitive). */
  key: string;
  values: string[];
}

export interface Statement {
  sid?: string;
  effect: Effect;
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  conditions: ConditionClause[];
}

export interface PolicyDocument {
  version: '2008-10-17' | '2012-10-17';
  statements: Statement[];
  /** Every condition key the statements test (lower-cased), computed once at parse time. */
  conditionKeys: ReadonlySet<string>;
}

export class PolicyError extends Error {}

const toList = (v: unknown, what: string): string[] => {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || list.some((x) => typeof x !== 'string' || x === '')) throw new PolicyError(`${what} must be a non-empty string or list of strings`);
  return list as string[];
};

function principalSpec(v: unknown, what: string): PrincipalSpec {
  if (v === '*') return { any: true, aws: [], service: [] };
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PolicyError(`${what} must be "*" or an object such as {"AWS": ...}`);
  const spec: PrincipalSpec = { any: false, aws: [], service: [] };
  for (const [type, value] of Object.entries(v as Record<string, unknown>)) {
    if (type === 'AWS') spec.aws = toList(value, `${what}.AWS`);
    else if (type === 'Service') spec.service = toList(value, `${what}.Service`);
    else if (type === 'Federated' || type === 'CanonicalUser') toList(value, `${what}.${type}`);
    else throw new PolicyError(`${what} has an unknown principal type "${type}"`);
  }
  for (const p of spec.aws) {
    if (p !== '*' && !/^\d{12}$/.test(p) && !/^arn:aws:(iam|sts)::\d{12}:.+$/.test(p)) throw new PolicyError(`Invalid principal in policy: "AWS":"${p}"`);
  }
  if (spec.aws.includes('*')) spec.any = true;
  return spec;
}

const OPERATOR_RE =
  /^(ForAnyValue:|ForAllValues:)?(StringEquals|StringNotEquals|StringEqualsIgnoreCase|StringNotEqualsIgnoreCase|StringLike|StringNotLike|NumericEquals|NumericNotEquals|NumericLessThan|NumericLessThanEquals|NumericGreaterThan|NumericGreaterThanEquals|DateEquals|DateNotEquals|DateLessThan|DateLessThanEquals|DateGreaterThan|DateGreaterThanEquals|Bool|BinaryEquals|IpAddress|NotIpAddress|ArnEquals|ArnLike|ArnNotEquals|ArnNotLike|Null)(IfExists)?$/;

function conditions(v: unknown, sid: string): ConditionClause[] {
  if (v === undefined) return [];
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new PolicyError(`Condition of statement ${sid} must be an object`);
  const out: ConditionClause[] = [];
  for (const [operator, block] of Object.entries(v as Record<string, unknown>)) {
    const m = OPERATOR_RE.exec(operator);
    if (!m || (m[2] === 'Null' && m[3])) throw new PolicyError(`Invalid Condition type : ${operator}`);
    if (!block || typeof block !== 'object' || Array.isArray(block)) throw new PolicyError(`Condition ${operator} must map condition keys to values`);
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.some((x) => typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')) {
        throw new PolicyError(`Condition ${operator} ${key} must have string, number or boolean values`);
      }
      out.push({ operator, key: key.toLowerCase(), values: list.map(String) });
    }
  }
  return out;
}

function statement(raw: unknown, index: number): Statement {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError('Each statement must be an object');
  const s = raw as Record<string, unknown>;
  const known = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
  for (const k of Object.keys(s)) if (!known.has(k)) throw new PolicyError(`Statement has an unknown element "${k}"`);
  // A Sid is a string (the grammar's <sid_block>); String() of a JSON object with a "toString" member would throw.
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw new PolicyError('Statement Sid must be a string');
  const sid = s.Sid as string | undefined;
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError(`Statement ${sid ?? index} Effect must be "Allow" or "Deny"`);
  if (s.Action !== undefined && s.NotAction !== undefined) throw new PolicyError('A statement cannot have both Action and NotAction');
  if (s.Action === undefined && s.NotAction === undefined) throw new PolicyError('Policy statement must contain actions.');
  if (s.Resource !== undefined && s.NotResource !== undefined) throw new PolicyError('A statement cannot have both Resource and NotResource');
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) throw new PolicyError('A statement cannot have both Principal and NotPrincipal');
  const actions = (v: unknown, what: string) => {
    const list = toList(v, what);
    for (const a of list)
      if (a !== '*' && !/^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/.test(a))
        throw new PolicyError(`Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. (${a})`);
    return list;
  };
  return {
    ...(sid !== undefined ? { sid } : {}),
    effect: s.Effect,
    ...(s.Principal !== undefined ? { principal: principalSpec(s.Principal, 'Principal') } : {}),
    ...(s.NotPrincipal !== undefined ? { notPrincipal: principalSpec(s.NotPrincipal, 'NotPrincipal') } : {}),
    ...(s.Action !== undefined ? { action: actions(s.Action, 'Action') } : {}),
    ...(s.NotAction !== undefined ? { notAction: actions(s.NotAction, 'NotAction') } : {}),
    ...(s.Resource !== undefined ? { resource: toList(s.Resource, 'Resource') } : {}),
    ...(s.NotResource !== undefined ? { notResource: toList(s.NotResource, 'NotResource') } : {}),
    conditions: conditions(s.Condition, sid ?? String(index)),
  };
}

export interface ParseOptions {
  /** Resource policies (key, bucket) need a principal in every statement; identity policies must not have one. */
  kind: 'resource' | 'identity';
  maxBytes?: number;
}

export function parsePolicy(text: string, opts: ParseOptions): PolicyDocument {
  if (opts.maxBytes !== undefined && Buffer.byteLength(text) > opts.maxBytes) throw new PolicyError(`The policy must be at most ${opts.maxBytes} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PolicyError('The policy is not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyError('The policy must be a JSON object');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!['Version', 'Id', 'Statement'].includes(k)) throw new PolicyError(`The policy has an unknown element "${k}"`);
  const version = d.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw new PolicyError(`The policy Version must be "2012-10-17" or "2008-10-17"`);
  const raw = Array.isArray(d.Statement) ? d.Statement : d.Statement !== undefined ? [d.Statement] : [];
  if (raw.length === 0) throw new PolicyError('The policy must contain at least one statement');
  const statements = raw.map(statement);
  for (const s of statements) {
    if (opts.kind === 'resource' && !s.principal && !s.notPrincipal) throw new PolicyError('Policy contains a statement with no principal.');
    if (opts.kind === 'identity' && (s.principal || s.notPrincipal)) throw new PolicyError('Policy document should not specify a principal.');
    if (opts.kind === 'identity' && !s.resource && !s.notResource) throw new PolicyError('Policy statement must contain resources.');
  }
  return { version, statements, conditionKeys: new Set(statements.flatMap((s) => s.conditions.map((c) => c.key))) };
}

// One map per kind, keyed by the text itself: a stored policy's string is the same object on every request,
// so V8 hashes it once, where a "kind + text" key was a new string to build and hash on every decision.
const parsedCache: Record<ParseOptions['kind'], Map<string, PolicyDocument>> = { resource: new Map(), identity: new Map() };

/** Parses a stored (already validated) policy once and caches it by its text. */
export function cachedPolicy(text: string, kind: ParseOptions['kind']): PolicyDocument {
  const cache = parsedCache[kind];
  let doc = cache.get(text);
  if (!doc) {
    doc = parsePolicy(text, { kind });
    if (cache.size > 5000) cache.clear();
    cache.set(text, doc);
  }
  return doc;
}
