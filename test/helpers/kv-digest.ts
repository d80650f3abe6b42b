// A digest of every record in a running server's metadata store, read through a second, read-only SQLite
// connection: the fuzz properties compare it before and after each refused request ("bad input changes
// nothing").
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';

// Written in the background, not by the request being checked: KMS keys' and access keys' last-use records,
// flushed in batches for earlier calls (src/storage/last-uses.ts), and in cluster mode the read leases of GETs
// in progress (src/services/s3/shared-read-leases.ts).
const BACKGROUND_NAMESPACES = ['kms/key-usage', 'iam/access-key-use', 's3/read-lease'];

export function kvDigest(dataDir: string): { read(): Map<string, string>; close(): void } {
  const db = new Database(join(dataDir, 'keyhold.db'), { readonly: true });
  const rows = db.prepare(`SELECT ns, k, v, version FROM kv WHERE ns NOT IN (${BACKGROUND_NAMESPACES.map(() => '?').join(', ')}) ORDER BY ns, k`);
  return {
    read() {
      const out = new Map<string, string>();
      for (const row of rows.iterate(...BACKGROUND_NAMESPACES) as Iterable<{ ns: string; k: string; v: Buffer; version: number }>) {
        out.set(`${row.ns}/${row.k}`, `${row.version}:${createHash('sha256').update(row.v).digest('hex')}`);
      }
      return out;
    },
    close: () => db.close(),
  };
}
