// How one key's versions are stored (docs/decisions.md 109): a head record with the newest versions and pages
// of older ones, so that a request on the current version, or one adding a version, reads and writes a bounded
// record however many versions the key has. Before, all versions were one record, and a key with 50,000 versions
// took a second per PUT or HEAD.
//   s3/object       <bucket>/<key>             { key, versions: the newest (at most HEAD_MAX), pages?: ids, newest first }
//   s3/object-page  <bucket>/<page id>/<key>   { versions }   (older versions, newest first, at most PAGE_VERSIONS)
//
// Every write of an entry is one commit that compare-and-swaps its head, and a page is only written or
// deleted by such a commit; a page never changes under its id (a changed page is written under a new one). So
// a head and the pages it names are one consistent state, read without a transaction: a page gone since its
// head was read means the head moved, and the read starts over. A head never has zero versions while it has
// pages. Records written before have no pages (every version in the head); their first write pages them.
import { randomBytes } from 'node:crypto';
import { KvConflictError, type KvOp, type KvStore } from '../../storage/kv/interface.js';
import type { ObjectEntry, VersionRecord } from './model.js';

export const NS_OBJECT = 's3/object';
export const NS_PAGE = 's3/object-page';
/**
 * A write that leaves more than headMax versions in the head moves all but the newest headKeep into new pages of
 * pageVersions each. With headMax = headKeep + pageVersions - 1, a write adding one version moves exactly one full
 * page. The head is what every request on the current version reads and rewrites, and what every listing reads
 * for each key, so it is kept small (decision 114): 8 to 39 versions (at most about 22 KB), where it was 32 to
 * 96 (decision 109), and a key's 50,000 versions are a head and about 1,560 pages.
 */
export interface VersionPaging {
  headMax: number;
  headKeep: number;
  pageVersions: number;
}
export const DEFAULT_PAGING: VersionPaging = { headMax: 39, headKeep: 8, pageVersions: 32 };

/**
 * What a read needs of a key's versions, newest first: 'all'; 'recent', the newest ones (at least the current
 * one: a request on the current version, or one adding a version, needs no more); a version id: the versions
 * down to that one (all when it is not there); or `enough`, the versions down to where the test holds. Pages are
 * read in order until the need is met, so the cost of a read grows with how deep it reaches, not with the key.
 */
export type VersionNeed = 'all' | 'recent' | { versionId: string } | { enough: (newestFirst: ReadonlyArray<VersionRecord>) => boolean };

function enoughFor(need: VersionNeed): (versions: ReadonlyArray<VersionRecord>) => boolean {
  if (need === 'all') return () => false;
  if (need === 'recent') return () => true;
  if ('enough' in need) return need.enough;
  return (versions) => versions.some((v) => v.versionId === need.versionId);
}

interface HeadRecord {
  key: string;
  versions: VersionRecord[];
  pages?: string[];
}

interface LoadedPage {
  id: string;
  versions: VersionRecord[];
  /** The record as read, to tell an unchanged page (kept under its id) from a changed one. */
  raw: string;
}

/** What a read of an entry saw: its head's page ids, and the first of those pages, which it read (maybe none). */
interface Loaded {
  ids: string[];
  /** The pages read, ids[0..pages.length): the entry's versions are the head's and theirs, in order. */
  pages: LoadedPage[];
}

interface OutPage {
  id: string;
  versions?: VersionRecord[];
  /** Written by this commit (a new id); otherwise an existing page kept as it is. */
  fresh: boolean;
}

/** A head record names a page that is not there while the head is unchanged: metadata damaged outside Keyhold. */
export class MissingPageError extends Error {
  constructor(bucket: string, key: string) {
    super(`the metadata of ${bucket}/${key} names a page of versions that is missing`);
    this.name = 'MissingPageError';
  }
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const pageKey = (bucket: string, id: string, key: string) => `${bucket}/${id}/${key}`;
const newPageId = () => randomBytes(8).toString('hex');

export class ObjectPages {
  /** The pages behind each entry this store handed out, for the write that follows (entries are plain data). */
  readonly #loaded = new WeakMap<ObjectEntry, Loaded>();

  constructor(
    private readonly kv: KvStore,
    private readonly paging: VersionPaging = DEFAULT_PAGING,
  ) {}

  /**
   * A key's entry with the versions `need` asks for (and maybe more), and its head's version (for the
   * compare-and-swap of a write).
   */
  async read(bucket: string, key: string, need: VersionNeed = 'all'): Promise<{ entry: ObjectEntry; version: number } | undefined> {
    const enough = enoughFor(need);
    let missedUnder: Buffer | undefined;
    read: for (;;) {
      const e = await this.kv.get(NS_OBJECT, `${bucket}/${key}`);
      if (!e) return undefined;
      // A page missing under a head that is still the same (the same bytes, so the same random page ids) is not a
      // write racing this read but damaged metadata: an error, not a read that never ends.
      if (missedUnder?.equals(e.value)) throw new MissingPageError(bucket, key);
      const head = JSON.parse(e.value.toString()) as HeadRecord;
      const ids = head.pages ?? [];
      const entry: ObjectEntry = { key: head.key, versions: head.versions };
      const pages: LoadedPage[] = [];
      // A few pages first, then more at a time: a version near the top costs little, a full read few round trips.
      for (let batch = 2; pages.length < ids.length && !enough(entry.versions); batch = Math.min(batch * 2, 64)) {
        const more = await this.#readPages(bucket, key, ids.slice(pages.length, pages.length + batch));
        if (!more) {
          missedUnder = e.value;
          continue read;
        }
        pages.push(...more);
        for (const p of more) entry.versions.push(...p.versions);
      }
      this.#loaded.set(entry, { ids, pages });
      return { entry, version: e.version };
    }
  }

  /** The entry of a head record listed in key order: the versions in its head (the newest ones). */
  listed(value: Buffer): ObjectEntry {
    const head = JSON.parse(value.toString()) as HeadRecord;
    const entry: ObjectEntry = { key: head.key, versions: head.versions };
    this.#loaded.set(entry, { ids: head.pages ?? [], pages: [] });
    return entry;
  }

  /** Whether `entry`, as read, may lack older versions of its key (pages it did not read). */
  mayHaveMore(entry: ObjectEntry): boolean {
    const l = this.#loaded.get(entry);
    return l === undefined || l.pages.length < l.ids.length;
  }

  /** The commit ops that store `entry` over its head at `expectVersion` (0: the key has none). */
  async writeOps(bucket: string, entry: ObjectEntry, expectVersion: number): Promise<KvOp[]> {
    const key = entry.key;
    const loaded = this.#loaded.get(entry) ?? (await this.#idsAt(bucket, key, expectVersion));
    const ops: KvOp[] = [];
    // The pages read are split anew; those not read stay as they are, behind them.
    const repaged = this.#repage(bucket, key, entry.versions, loaded.pages, ops);
    let head = repaged.head;
    let pages: OutPage[] = [...repaged.pages, ...loaded.ids.slice(loaded.pages.length).map((id) => ({ id, fresh: false }))];
    const first = pages[0];
    if (head.length === 0 && first) {
      // The head's versions all went: the newest page's versions become the head's.
      pages.shift();
      const versions = first.versions ?? (await this.#readPages(bucket, key, [first.id]))?.[0]?.versions;
      if (!versions) {
        // Gone because the head moved (a conflict: the caller reads again), or damaged metadata.
        const now = await this.kv.get(NS_OBJECT, `${bucket}/${key}`);
        throw now?.version === expectVersion ? new MissingPageError(bucket, key) : new KvConflictError(NS_OBJECT, `${bucket}/${key}`);
      }
      head = versions;
      if (!first.fresh) ops.push({ type: 'delete', namespace: NS_PAGE, key: pageKey(bucket, first.id, key) });
    }
    const { headMax, headKeep, pageVersions } = this.paging;
    if (head.length > headMax) {
      const moved: OutPage[] = [];
      for (let i = headKeep; i < head.length; i += pageVersions) moved.push({ id: newPageId(), versions: head.slice(i, i + pageVersions), fresh: true });
      head = head.slice(0, headKeep);
      pages = [...moved, ...pages];
    }
    const headKey = `${bucket}/${key}`;
    const record: HeadRecord = { key, versions: head, ...(pages.length > 0 ? { pages: pages.map((p) => p.id) } : {}) };
    ops.unshift(
      head.length === 0
        ? { type: 'delete', namespace: NS_OBJECT, key: headKey, expectVersion }
        : { type: 'put', namespace: NS_OBJECT, key: headKey, value: json(record), expectVersion },
    );
    for (const p of pages) {
      if (p.fresh) ops.push({ type: 'put', namespace: NS_PAGE, key: pageKey(bucket, p.id, key), value: json({ versions: p.versions }), expectVersion: 0 });
    }
    return ops;
  }

  /**
   * Splits the versions of an entry as read (the head's and those of the pages read) into head and pages: a page
   * whose versions are unchanged keeps its id; a page with versions changed or gone is written anew (or
   * dropped); versions ahead of every page (the head's, and new ones) are the head. Should versions have moved
   * between pages, the pages read are all written afresh.
   */
  #repage(bucket: string, key: string, versions: VersionRecord[], read: LoadedPage[], ops: KvOp[]): { head: VersionRecord[]; pages: OutPage[] } {
    const origin = new Map<VersionRecord, number>();
    read.forEach((p, i) => {
      for (const v of p.versions) origin.set(v, i);
    });
    let h = 0;
    while (h < versions.length && !origin.has(versions[h]!)) h++;
    const byPage: VersionRecord[][] = read.map(() => []);
    let last = 0;
    for (const v of versions.slice(h)) {
      const i = origin.get(v);
      if (i === undefined || i < last) {
        for (const p of read) ops.push({ type: 'delete', namespace: NS_PAGE, key: pageKey(bucket, p.id, key) });
        return { head: versions, pages: [] };
      }
      byPage[i]!.push(v);
      last = i;
    }
    const pages: OutPage[] = [];
    read.forEach((p, i) => {
      const kept = byPage[i]!;
      if (kept.length === p.versions.length && JSON.stringify({ versions: kept }) === p.raw) {
        pages.push({ id: p.id, versions: kept, fresh: false });
        return;
      }
      ops.push({ type: 'delete', namespace: NS_PAGE, key: pageKey(bucket, p.id, key) });
      if (kept.length > 0) pages.push({ id: newPageId(), versions: kept, fresh: true });
    });
    return { head: versions.slice(0, h), pages };
  }

  /** The page ids of the head at `expectVersion`, for an entry this store did not hand out (a new one). */
  async #idsAt(bucket: string, key: string, expectVersion: number): Promise<Loaded> {
    if (expectVersion === 0) return { ids: [], pages: [] };
    const e = await this.kv.get(NS_OBJECT, `${bucket}/${key}`);
    if (!e || e.version !== expectVersion) throw new KvConflictError(NS_OBJECT, `${bucket}/${key}`);
    return { ids: (JSON.parse(e.value.toString()) as HeadRecord).pages ?? [], pages: [] };
  }

  /** The pages named, in order; undefined when one is gone (its head was written since it was read). */
  async #readPages(bucket: string, key: string, ids: ReadonlyArray<string>): Promise<LoadedPage[] | undefined> {
    const rows = await Promise.all(ids.map((id) => this.kv.get(NS_PAGE, pageKey(bucket, id, key))));
    const pages: LoadedPage[] = [];
    for (const [i, row] of rows.entries()) {
      if (!row) return undefined;
      const raw = row.value.toString();
      pages.push({ id: ids[i]!, versions: (JSON.parse(raw) as { versions: VersionRecord[] }).versions, raw });
    }
    return pages;
  }
}

/** What a request on one version needs: the version it names, or (none named) the current one. */
export function needFor(versionId: string | undefined): VersionNeed {
  return versionId === undefined ? 'recent' : { versionId };
}

/**
 * What adding a version needs: the newest versions, and for a null version (an unversioned or suspended
 * bucket) the null version it replaces, wherever it is.
 */
export function needToAdd(versionId: string): VersionNeed {
  return versionId === 'null' ? { versionId } : 'recent';
}
