// Opens the keyring of a test data directory (development key-file seal) to read its audit trail.
import type { AuditEvent } from '../../src/audit/event.js';
import { readAuditDir } from '../../src/audit/reader.js';
import { KeyFileSeal } from '../../src/barrier/keyfile-seal.js';
import { openKeyring } from '../../src/barrier/keyring.js';
import type { RootKey } from '../../src/barrier/root-key.js';

export function openKeyringForTest(dataDir: string): Promise<RootKey> {
  return openKeyring(dataDir, new KeyFileSeal(dataDir));
}

/** Every event of a test server's audit trail (records that fail authentication are left out). */
export async function auditEvents(dataDir: string): Promise<AuditEvent[]> {
  const root = await openKeyringForTest(dataDir);
  try {
    return [...readAuditDir(root.derive('audit-v1'), `${dataDir}/audit`)].flatMap((r) => ('event' in r ? [r.event] : []));
  } finally {
    root.destroy();
  }
}
