// Lifecycle transitions (S3 user guide, "Transitioning objects using Amazon S3 Lifecycle"): a rule's Transition
// moves a current version to another storage class some days after its creation (or on a date), and its
// NoncurrentVersionTransition moves a noncurrent version some days after it stopped being current. Keyhold
// keeps every object on its one disk, so a transition changes the version's recorded class; what follows from
// the class is S3's contract (api/archive.ts: a GLACIER or DEEP_ARCHIVE version is read only once restored).
//
// Checked as S3 checks a configuration ("Constraints and considerations for transitions"): one of Days and
// Date, a class a transition can name, at least 30 days before STANDARD_IA and ONEZONE_IA, each class once per
// rule, and Days and Dates not mixed with the rule's Expiration. Objects move only down S3's waterfall
// (STANDARD → STANDARD_IA / INTELLIGENT_TIERING → ONEZONE_IA → GLACIER_IR → GLACIER → DEEP_ARCHIVE), and
// objects smaller than 128 KiB stay where they are unless the rule's own size filter selects them (the bucket's
// TransitionDefaultMinimumObjectSize; varies_by_storage_class lets them go to GLACIER and DEEP_ARCHIVE).
import { S3 } from '../errors.js';
import { xmlList as list, xmlObject as obj, xmlText } from '../xml.js';

export interface Transition {
  days?: number;
  /** ISO 8601, midnight UTC. */
  date?: string;
  storageClass: string;
}

export interface NoncurrentTransition {
  days: number;
  storageClass: string;
  newerNoncurrentVersions?: number;
}

// How far down the waterfall each class is: a transition never moves a version up or sideways.
const RANK: Record<string, number> = {
  STANDARD: 0,
  REDUCED_REDUNDANCY: 0,
  STANDARD_IA: 1,
  INTELLIGENT_TIERING: 1,
  ONEZONE_IA: 2,
  GLACIER_IR: 3,
  GLACIER: 4,
  DEEP_ARCHIVE: 5,
};
const TRANSITION_CLASSES = new Set(['GLACIER', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'DEEP_ARCHIVE', 'GLACIER_IR']);
const INFREQUENT_ACCESS = new Set(['STANDARD_IA', 'ONEZONE_IA']);
const SMALL_OBJECT_BYTES = 128 * 1024;

/** A nonnegative day count: zero days is a valid transition (straight to the class), unlike an expiration. */
function days(v: string, what: string, action: string): number {
  if (!/^\s*\d+\s*$/.test(v)) throw S3.InvalidArgument(`'${what}' for ${action} action must be a nonnegative integer`);
  const n = Number(v.trim());
  if (!Number.isSafeInteger(n)) throw S3.InvalidArgument(`'${what}' for ${action} action must be a nonnegative integer`);
  return n;
}

function storageClass(t: Record<string, unknown>, minimumDays: number | undefined, what: string, action: string): string {
  const cls = xmlText(t.StorageClass) ?? '';
  if (!TRANSITION_CLASSES.has(cls)) throw S3.MalformedXML();
  if (minimumDays !== undefined && INFREQUENT_ACCESS.has(cls) && minimumDays < 30) {
    throw S3.InvalidArgument(`'${what}' in ${action} action must be greater than or equal to 30 for storageClass '${cls}'`);
  }
  return cls;
}

function onceEach(classes: string[], action: string): void {
  if (new Set(classes).size !== classes.length) throw S3.InvalidArgument(`'StorageClass' must be different for '${action}' actions in same 'Rule'`);
}

/**
 * A rule's Transition and NoncurrentVersionTransition elements, checked. `midnight` turns a Date into the
 * stored ISO form (refusing one that is not midnight UTC); `expiration` is the rule's own Expiration, which
 * must be of the same kind (Days or Date) and later than every transition.
 */
export function parseTransitions(
  rule: Record<string, unknown>,
  midnight: (date: string) => string,
  expiration: { days?: number; date?: string } | undefined,
): { transitions?: Transition[]; noncurrentTransitions?: NoncurrentTransition[] } {
  const transitions = list(rule.Transition)
    .map(obj)
    .map((t): Transition => {
      const n = xmlText(t.Days);
      const date = xmlText(t.Date);
      if ((n === undefined) === (date === undefined)) throw S3.MalformedXML();
      const d = n === undefined ? undefined : days(n, 'Days', 'Transition');
      const at = date === undefined ? undefined : midnight(date);
      return { ...(d !== undefined ? { days: d } : {}), ...(at ? { date: at } : {}), storageClass: storageClass(t, d, 'Days', 'Transition') };
    });
  const noncurrent = list(rule.NoncurrentVersionTransition)
    .map(obj)
    .map((t): NoncurrentTransition => {
      const n = xmlText(t.NoncurrentDays);
      if (n === undefined) throw S3.MalformedXML();
      const d = days(n, 'NoncurrentDays', 'NoncurrentVersionTransition');
      const newer = xmlText(t.NewerNoncurrentVersions);
      if (newer !== undefined && !/^\s*[1-9]\d*\s*$/.test(newer)) throw S3.InvalidArgument("'NewerNoncurrentVersions' must be a positive integer");
      return {
        days: d,
        storageClass: storageClass(t, d, 'NoncurrentDays', 'NoncurrentVersionTransition'),
        ...(newer !== undefined ? { newerNoncurrentVersions: Number(newer.trim()) } : {}),
      };
    });
  onceEach(
    transitions.map((t) => t.storageClass),
    'Transition',
  );
  onceEach(
    noncurrent.map((t) => t.storageClass),
    'NoncurrentVersionTransition',
  );
  const kinds = new Set(transitions.map((t) => (t.days !== undefined ? 'days' : 'date')));
  if (expiration?.days !== undefined) kinds.add('days');
  if (expiration?.date !== undefined) kinds.add('date');
  if (kinds.size > 1) throw S3.InvalidRequest("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule");
  const latest = Math.max(...transitions.map((t) => t.days ?? -1));
  if (expiration?.days !== undefined && expiration.days <= latest) {
    throw S3.InvalidArgument("'Days' in the Expiration action must be greater than 'Days' in the Transition action");
  }
  return {
    ...(transitions.length ? { transitions } : {}),
    ...(noncurrent.length ? { noncurrentTransitions: noncurrent } : {}),
  };
}

/** The transitions as GetBucketLifecycleConfiguration returns them (Transition, then NoncurrentVersionTransition). */
export function transitionsBody(r: { transitions?: Transition[]; noncurrentTransitions?: NoncurrentTransition[] }) {
  return {
    Transition: r.transitions?.map((t) => ({ Date: t.date, Days: t.days, StorageClass: t.storageClass })),
    NoncurrentVersionTransition: r.noncurrentTransitions?.map((t) => ({
      NoncurrentDays: t.days,
      StorageClass: t.storageClass,
      NewerNoncurrentVersions: t.newerNoncurrentVersions,
    })),
  };
}

/**
 * Whether an object of `size` bytes may go to `target` under the bucket's minimum-size setting, unless the
 * rule's filter bounds the size itself (S3 lets a size filter select smaller objects).
 */
export function largeEnough(size: number, target: string, ownSizeFilter: boolean, minimum: 'varies_by_storage_class' | undefined): boolean {
  if (ownSizeFilter || size >= SMALL_OBJECT_BYTES) return true;
  return minimum === 'varies_by_storage_class' && (target === 'GLACIER' || target === 'DEEP_ARCHIVE');
}

/** The class of `candidates` furthest down the waterfall that is below `current`, if any. */
export function deepest(current: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const c of candidates) if ((RANK[c] ?? 0) > (RANK[best ?? current] ?? 0)) best = c;
  return best;
}
