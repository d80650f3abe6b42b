// A bucket's lifecycle configuration (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html):
// parsing and validating PutBucketLifecycleConfiguration, rendering it, which rules apply to an object, and
// when an action is due. Expiry times follow S3: the number of days is added to the start time and the result
// rounded up to the next midnight UTC. Transitions: transitions.ts.
import { S3 } from '../errors.js';
import { type XmlNode, xmlList as list, xmlObject as obj, xmlText } from '../xml.js';
import { type NoncurrentTransition, parseTransitions, type Transition, transitionsBody } from './transitions.js';

const DAY_MS = 86_400_000;
const MAX_RULES = 1000;

export interface LifecycleFilter {
  prefix: string;
  tags: Array<{ Key: string; Value: string }>;
  sizeGreaterThan?: number;
  sizeLessThan?: number;
  /**
   * How the filter was written, for Get: the legacy top-level Prefix, a Filter with one element, Filter/And, or an
   * empty Filter (which S3 gives back empty, not as an empty Prefix: AWS's recorded answer).
   */
  form: 'legacy' | 'filter' | 'and' | 'empty';
}

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  noncurrentExpiration?: { days?: number; newerNoncurrentVersions?: number };
  abortIncompleteUploadDays?: number;
  transitions?: Transition[];
  noncurrentTransitions?: NoncurrentTransition[];
}

const text = xmlText;
function positive(v: unknown, what: string): number | undefined {
  const t = text(v);
  if (t === undefined) return undefined;
  if (!/^-?\d+$/.test(t.trim())) throw S3.MalformedXML();
  const n = Number(t.trim());
  if (!Number.isSafeInteger(n) || n <= 0) throw S3.InvalidArgument(`'${what}' must be a positive integer`);
  return n;
}

function parseTag(t: unknown): { Key: string; Value: string } {
  const { Key, Value } = obj(t);
  const key = text(Key);
  if (key === undefined) throw S3.MalformedXML();
  return { Key: key, Value: text(Value) ?? '' };
}

function parseFilter(rule: Record<string, unknown>): LifecycleFilter {
  // Exactly one of Filter and the legacy Prefix (a rule with neither is malformed: AWS's recorded answer).
  if ((rule.Filter !== undefined) === (rule.Prefix !== undefined)) throw S3.MalformedXML();
  if (rule.Filter === undefined) return { prefix: text(rule.Prefix) ?? '', tags: [], form: 'legacy' };
  const f = obj(rule.Filter);
  const elements = ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And'].filter((k) => f[k] !== undefined);
  if (elements.length > 1) throw S3.MalformedXML();
  const size = (v: unknown) => {
    const t = text(v);
    if (t === undefined) return undefined;
    if (!/^\d+$/.test(t.trim())) throw S3.MalformedXML();
    return Number(t.trim());
  };
  const src = f.And !== undefined ? obj(f.And) : f;
  // The XML reader makes every <Tag> a list; outside <And> a filter has at most one.
  const tags = list(src.Tag).map(parseTag);
  if (f.And === undefined && tags.length > 1) throw S3.MalformedXML();
  const filter: LifecycleFilter = {
    prefix: text(src.Prefix) ?? '',
    tags,
    ...(size(src.ObjectSizeGreaterThan) !== undefined ? { sizeGreaterThan: size(src.ObjectSizeGreaterThan) } : {}),
    ...(size(src.ObjectSizeLessThan) !== undefined ? { sizeLessThan: size(src.ObjectSizeLessThan) } : {}),
    form: f.And !== undefined ? 'and' : elements.length ? 'filter' : 'empty',
  };
  if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw S3.InvalidRequest('Duplicate Tag Keys are not allowed.');
  if (filter.sizeGreaterThan !== undefined && filter.sizeLessThan !== undefined && filter.sizeGreaterThan >= filter.sizeLessThan) {
    throw S3.InvalidRequest('ObjectSizeGreaterThan must be less than ObjectSizeLessThan');
  }
  return filter;
}

function parseRule(r: unknown, index: number): LifecycleRule {
  const rule = obj(r);
  const status = text(rule.Status);
  if (status !== 'Enabled' && status !== 'Disabled') throw S3.MalformedXML();
  const id = text(rule.ID) ?? `rule-${index + 1}`;
  if (id.length > 255) throw S3.InvalidArgument('ID length should not exceed allowed limit of 255');
  const filter = parseFilter(rule);
  const out: LifecycleRule = { id, enabled: status === 'Enabled', filter };
  if (rule.Expiration !== undefined) {
    const e = obj(rule.Expiration);
    const days = positive(e.Days, 'Days');
    const date = text(e.Date);
    const marker = text(e.ExpiredObjectDeleteMarker);
    if (marker !== undefined && marker !== 'true' && marker !== 'false') throw S3.MalformedXML();
    if ((days !== undefined ? 1 : 0) + (date !== undefined ? 1 : 0) + (marker !== undefined ? 1 : 0) !== 1) {
      throw S3.MalformedXML();
    }
    if (marker !== undefined && filter.tags.length > 0) throw S3.InvalidRequest('ExpiredObjectDeleteMarker cannot be specified with object tags.');
    const iso = date === undefined ? undefined : midnight(date);
    out.expiration = {
      ...(days !== undefined ? { days } : {}),
      ...(iso ? { date: iso } : {}),
      // Kept as given, false included, so the configuration reads back as it was written.
      ...(marker !== undefined ? { expiredObjectDeleteMarker: marker === 'true' } : {}),
    };
  }
  if (rule.NoncurrentVersionExpiration !== undefined) {
    const n = obj(rule.NoncurrentVersionExpiration);
    const days = positive(n.NoncurrentDays, 'NoncurrentDays');
    const newer = positive(n.NewerNoncurrentVersions, 'NewerNoncurrentVersions');
    if (days === undefined) throw S3.MalformedXML();
    out.noncurrentExpiration = { days, ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}) };
  }
  if (rule.AbortIncompleteMultipartUpload !== undefined) {
    const days = positive(obj(rule.AbortIncompleteMultipartUpload).DaysAfterInitiation, 'DaysAfterInitiation');
    if (days === undefined) throw S3.MalformedXML();
    if (filter.tags.length > 0) throw S3.InvalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
    out.abortIncompleteUploadDays = days;
  }
  Object.assign(out, parseTransitions(rule, midnight, out.expiration));
  if (!out.expiration && !out.noncurrentExpiration && out.abortIncompleteUploadDays === undefined && !out.transitions && !out.noncurrentTransitions) {
    throw S3.InvalidRequest('At least one action needs to be specified in a rule');
  }
  return out;
}

/** A lifecycle date: ISO 8601 at midnight UTC, as S3 requires. */
function midnight(date: string): string {
  const t = Date.parse(date);
  if (Number.isNaN(t)) throw S3.InvalidArgument("'Date' must be in ISO 8601 format");
  if (t % DAY_MS !== 0) throw S3.InvalidArgument("'Date' must be at midnight GMT", { ArgumentName: 'Date', ArgumentValue: date });
  return new Date(t).toISOString();
}

/** The rules of a parsed <LifecycleConfiguration> document. */
export function parseLifecycleConfiguration(doc: Record<string, unknown>): LifecycleRule[] {
  const root = doc.LifecycleConfiguration;
  if (root === null || typeof root !== 'object') throw S3.MalformedXML();
  const rules = list((root as Record<string, unknown>).Rule);
  if (rules.length === 0 || rules.length > MAX_RULES) throw S3.MalformedXML();
  const parsed = rules.map(parseRule);
  if (new Set(parsed.map((r) => r.id)).size !== parsed.length) throw S3.InvalidArgument('Rule ID must be unique. Found same ID for more than one rule');
  return parsed;
}

/** The rules as GetBucketLifecycleConfiguration returns them. */
export function lifecycleDocumentBody(rules: ReadonlyArray<LifecycleRule>): { [k: string]: XmlNode } {
  return {
    Rule: rules.map((r) => {
      const f = r.filter;
      const size = { ObjectSizeGreaterThan: f.sizeGreaterThan, ObjectSizeLessThan: f.sizeLessThan };
      const filter =
        f.form === 'legacy'
          ? undefined
          : f.form === 'empty'
            ? {}
            : f.form === 'and'
              ? { And: { Prefix: f.prefix || undefined, Tag: f.tags, ...size } }
              : f.tags.length
                ? { Tag: f.tags[0] }
                : f.sizeGreaterThan !== undefined || f.sizeLessThan !== undefined
                  ? size
                  : { Prefix: f.prefix };
      return {
        Expiration: r.expiration
          ? { Days: r.expiration.days, Date: r.expiration.date, ExpiredObjectDeleteMarker: r.expiration.expiredObjectDeleteMarker }
          : undefined,
        ID: r.id,
        ...(f.form === 'legacy' ? { Prefix: f.prefix } : { Filter: filter as XmlNode }),
        Status: r.enabled ? 'Enabled' : 'Disabled',
        ...transitionsBody(r),
        NoncurrentVersionExpiration: r.noncurrentExpiration
          ? { NoncurrentDays: r.noncurrentExpiration.days, NewerNoncurrentVersions: r.noncurrentExpiration.newerNoncurrentVersions }
          : undefined,
        AbortIncompleteMultipartUpload: r.abortIncompleteUploadDays !== undefined ? { DaysAfterInitiation: r.abortIncompleteUploadDays } : undefined,
      };
    }),
  };
}

/** Whether a rule's filter selects an object (key prefix, every tag, size bounds). */
export function selects(rule: LifecycleRule, key: string, size: number, tags: ReadonlyArray<{ Key: string; Value: string }>): boolean {
  const f = rule.filter;
  if (!key.startsWith(f.prefix)) return false;
  if (f.sizeGreaterThan !== undefined && !(size > f.sizeGreaterThan)) return false;
  if (f.sizeLessThan !== undefined && !(size < f.sizeLessThan)) return false;
  return f.tags.every((t) => tags.some((o) => o.Key === t.Key && o.Value === t.Value));
}

/** `start` plus `days`, rounded up to the next midnight UTC (S3's rule for every lifecycle age). */
export function dueAfter(start: number, days: number): number {
  return Math.ceil((start + days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** When a current version of `created` time expires under a rule's Expiration, if it has Days or Date. */
export function expiresAt(rule: LifecycleRule, created: number): number | undefined {
  const e = rule.expiration;
  if (e?.days !== undefined) return dueAfter(created, e.days);
  if (e?.date !== undefined) return Date.parse(e.date);
  return undefined;
}

/**
 * The x-amz-expiration header of GetObject/HeadObject for a current version: the earliest expiry among the
 * enabled rules that select it (expiry-date in HTTP date form, and the rule's id).
 */
export function expirationHeader(
  rules: ReadonlyArray<LifecycleRule> | undefined,
  key: string,
  v: { lastModified: number; size: number; tags: ReadonlyArray<{ Key: string; Value: string }> },
): Record<string, string> {
  let best: { at: number; id: string } | undefined;
  for (const r of rules ?? []) {
    if (!r.enabled || !selects(r, key, v.size, v.tags)) continue;
    const at = expiresAt(r, v.lastModified);
    if (at !== undefined && (!best || at < best.at)) best = { at, id: r.id };
  }
  return best ? { 'x-amz-expiration': `expiry-date="${new Date(best.at).toUTCString()}", rule-id="${encodeURIComponent(best.id)}"` } : {};
}
