// Carries out the lifecycle rules of every bucket: current versions expire (a delete marker in a versioned
// bucket, deletion otherwise), noncurrent versions expire some days after they stopped being current (keeping
// the newest ones the rule names), lone delete markers are removed when a rule asks, versions move to the
// storage class their rule's transitions name once due (transitions.ts), and incomplete multipart uploads are
// aborted. Each change is a compare-and-swap on the object's entry, so a write racing the sweep
// wins or is re-read; versions under Object Lock are never removed (an expiring locked current version only
// gets a delete marker, as in S3). Runs in the background process of a node (index.ts), idempotently.
import { KvConflictError } from '../../../storage/kv/interface.js';

import { ENDED_UPLOAD_MEMORY_MS, removeUpload } from '../api/multipart.js';
import { deleteBlobs, newVersionId } from '../api/object-common.js';
import { type BucketRecord, blobsOf, type VersionRecord } from '../model.js';
import { protection } from '../object-lock/rules.js';
import type { S3Deps } from '../request.js';
import { dueAfter, expiresAt, type LifecycleRule, selects } from './rules.js';
import { deepest, largeEnough } from './transitions.js';

export interface LifecycleReport {
  expired: number;
  markersAdded: number;
  versionsRemoved: number;
  uploadsAborted: number;
  /** Versions moved to another storage class by a Transition or NoncurrentVersionTransition. */
  transitioned: number;
  /** Ended uploads no longer remembered for AbortMultipartUpload (api/multipart.ts, endedLately). */
  endedUploadsForgotten: number;
}

const PAGE = 1000;

export async function runLifecycle(deps: S3Deps, now: number): Promise<LifecycleReport> {
  const report: LifecycleReport = { expired: 0, markersAdded: 0, versionsRemoved: 0, uploadsAborted: 0, transitioned: 0, endedUploadsForgotten: 0 };
  for (const b of await deps.store.listBuckets()) {
    const rules = (b.lifecycle ?? []).filter((r) => r.enabled);
    if (rules.length === 0) continue;
    const onlyCurrent = !rules.some(touchesNoncurrent);
    for (let after: string | undefined; ; ) {
      const page = await deps.store.listNewest(b.name, { after, limit: PAGE });
      for (const listed of page) {
        // Rules about current versions alone decide on the newest version the listing gives: a key none is due
        // for is not read again (a bucket of logs that expire after 30 days costs the sweep a listing, not a
        // read of every key each hour; docs/decisions.md 115). Otherwise the key is read whole, as its sweep needs.
        if (onlyCurrent && !currentDue(rules, listed.key, listed.newest, now, b.lifecycleMinimumSize)) continue;
        await sweepKey(deps, b, rules, listed.key, now, report);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1]!.key;
    }
    const abortAfter = rules.filter((r) => r.abortIncompleteUploadDays !== undefined);
    if (abortAfter.length === 0) continue;
    for (const listed of await deps.store.listUploads(b.name)) {
      if (!abortAfter.some((r) => selects(r, listed.key, 0, []) && now >= dueAfter(listed.initiated, r.abortIncompleteUploadDays!))) continue;
      // Removed only as read now: an upload completed or given a part meanwhile is left for the next sweep.
      const cur = await deps.store.getUpload(b.name, listed.uploadId);
      if (cur && (await removeUpload(deps, cur.upload, cur.version))) report.uploadsAborted++;
    }
  }
  report.endedUploadsForgotten = await deps.store.forgetEndedUploads(now - ENDED_UPLOAD_MEMORY_MS);
  return report;
}

function currentExpires(rules: ReadonlyArray<LifecycleRule>, key: string, v: VersionRecord, now: number): boolean {
  return rules.some((r) => {
    if (!selects(r, key, v.size, v.tags)) return false;
    const at = expiresAt(r, v.lastModified);
    return at !== undefined && now >= at;
  });
}

/** Whether a rule acts on anything but a key's current version: noncurrent versions or a lone delete marker. */
function touchesNoncurrent(r: LifecycleRule): boolean {
  return r.noncurrentExpiration !== undefined || (r.noncurrentTransitions?.length ?? 0) > 0 || r.expiration?.expiredObjectDeleteMarker === true;
}

/** Whether a key's current version (its newest, unless a delete marker) is due to expire or move now. */
function currentDue(
  rules: ReadonlyArray<LifecycleRule>,
  key: string,
  newest: VersionRecord | undefined,
  now: number,
  minimum: BucketRecord['lifecycleMinimumSize'],
): boolean {
  if (!newest || newest.deleteMarker) return false;
  return currentExpires(rules, key, newest, now) || dueTransitions(rules, key, [newest], now, minimum).size > 0;
}

/**
 * The noncurrent versions (index ≥ 1, newest first) a rule selects beyond the newest `newer` of them, which a
 * NewerNoncurrentVersions setting keeps whatever their age, each with the time it became noncurrent: when the
 * next newer version was written. Delete markers only when `markers` (they expire; they have no class to move).
 */
function* olderNoncurrent(
  r: LifecycleRule,
  key: string,
  versions: ReadonlyArray<VersionRecord>,
  newer: number | undefined,
  markers: boolean,
): Generator<[VersionRecord, number]> {
  let kept = 0;
  for (let i = 1; i < versions.length; i++) {
    const v = versions[i]!;
    if ((v.deleteMarker && !markers) || !selects(r, key, v.size, v.tags)) continue;
    if (kept < (newer ?? 0)) kept++;
    else yield [v, versions[i - 1]!.lastModified];
  }
}

/** Noncurrent versions whose rule says they are due; locked versions are kept. */
function dueNoncurrent(rules: ReadonlyArray<LifecycleRule>, key: string, versions: ReadonlyArray<VersionRecord>, now: number): Set<VersionRecord> {
  const due = new Set<VersionRecord>();
  for (const r of rules) {
    const n = r.noncurrentExpiration;
    if (!n?.days) continue;
    for (const [v, since] of olderNoncurrent(r, key, versions, n.newerNoncurrentVersions, true)) {
      if (now >= dueAfter(since, n.days) && protection(v, now) === undefined) due.add(v);
    }
  }
  return due;
}

/**
 * The storage class each version is due to move to (current versions by Transition, noncurrent ones by
 * NoncurrentVersionTransition), furthest down the waterfall among the due transitions of every rule.
 */
function dueTransitions(
  rules: ReadonlyArray<LifecycleRule>,
  key: string,
  versions: ReadonlyArray<VersionRecord>,
  now: number,
  minimum: BucketRecord['lifecycleMinimumSize'],
): Map<VersionRecord, string> {
  const targets = new Map<VersionRecord, string[]>();
  const add = (v: VersionRecord, cls: string) => targets.set(v, [...(targets.get(v) ?? []), cls]);
  for (const r of rules) {
    const ownSize = r.filter.sizeGreaterThan !== undefined || r.filter.sizeLessThan !== undefined;
    const current = versions[0];
    if (current && !current.deleteMarker && selects(r, key, current.size, current.tags)) {
      for (const t of r.transitions ?? []) {
        const at = t.days !== undefined ? dueAfter(current.lastModified, t.days) : Date.parse(t.date!);
        if (now >= at && largeEnough(current.size, t.storageClass, ownSize, minimum)) add(current, t.storageClass);
      }
    }
    for (const t of r.noncurrentTransitions ?? []) {
      for (const [v, since] of olderNoncurrent(r, key, versions, t.newerNoncurrentVersions, false)) {
        if (now >= dueAfter(since, t.days) && largeEnough(v.size, t.storageClass, ownSize, minimum)) add(v, t.storageClass);
      }
    }
  }
  const due = new Map<VersionRecord, string>();
  for (const [v, classes] of targets) {
    const to = deepest(v.storageClass, classes);
    if (to) due.set(v, to);
  }
  return due;
}

async function sweepKey(deps: S3Deps, b: BucketRecord, rules: ReadonlyArray<LifecycleRule>, key: string, now: number, report: LifecycleReport): Promise<void> {
  for (;;) {
    const cur = await deps.store.getObject(b.name, key);
    if (!cur) return;
    const entry = cur.entry;
    let dropped: VersionRecord[] = [];
    let expired = false;
    let marker = false;
    const current = entry.versions[0];
    if (current && !current.deleteMarker && currentExpires(rules, key, current, now)) {
      expired = true;
      if (b.versioning === 'Unversioned') {
        dropped = entry.versions;
        entry.versions = [];
      } else {
        // Versioned: the expired version becomes noncurrent behind a delete marker; a suspended bucket's marker
        // is the null version, replacing a null version that was current.
        const markerId = newVersionId(b, now);
        if (b.versioning === 'Suspended') dropped = entry.versions.filter((v) => v.versionId === 'null' && protection(v, now) === undefined);
        const deleteMarker: VersionRecord = {
          versionId: markerId,
          deleteMarker: true,
          lastModified: now,
          size: 0,
          etag: '',
          userMetadata: {},
          tags: [],
          storageClass: 'STANDARD',
        };
        entry.versions = [deleteMarker, ...entry.versions.filter((v) => !dropped.includes(v))];
        marker = true;
      }
    }
    const due = dueNoncurrent(rules, key, entry.versions, now);
    if (due.size > 0) {
      dropped = [...dropped, ...due];
      entry.versions = entry.versions.filter((v) => !due.has(v));
    }
    // An expired object delete marker: the only version left is a delete marker.
    const lone = entry.versions.length === 1 && entry.versions[0]!.deleteMarker ? entry.versions[0]! : undefined;
    if (lone && rules.some((r) => r.expiration?.expiredObjectDeleteMarker && selects(r, key, 0, []))) {
      entry.versions = [];
      dropped.push(lone);
    }
    const moved = dueTransitions(rules, key, entry.versions, now, b.lifecycleMinimumSize);
    for (const [v, to] of moved) v.storageClass = to;
    if (!expired && dropped.length === 0 && moved.size === 0) return;
    try {
      await deps.store.putObject(b.name, entry, cur.version);
    } catch (err) {
      if (err instanceof KvConflictError) continue;
      throw err;
    }
    await deleteBlobs(deps, dropped.flatMap(blobsOf));
    if (expired) report.expired++;
    if (marker) report.markersAdded++;
    report.versionsRemoved += dropped.length;
    report.transitioned += moved.size;
    return;
  }
}
