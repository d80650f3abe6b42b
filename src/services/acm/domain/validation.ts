// DNS validation as ACM does it (shared/reference/acm.md §5): one CNAME per account and domain,
//   _<32 hex>.<domain>.  ->  _<32 hex>.<validation zone>.
// derived with a keyed hash, so a re-requested or renewed certificate validates at once; a wildcard name
// is validated on its base domain. Checked through the configured resolvers.
import { createHmac } from 'node:crypto';
import { Resolver } from 'node:dns/promises';

export interface ValidationRecord {
  validationDomain: string;
  name: string;
  value: string;
}

export function validationRecord(secret: Buffer, accountId: string, domain: string, zone: string): ValidationRecord {
  const base = domain.replace(/^\*\./, '').toLowerCase();
  const h = createHmac('sha256', secret).update(`${accountId}\u0000${base}`).digest('hex');
  return { validationDomain: base, name: `_${h.slice(0, 32)}.${base}.`, value: `_${h.slice(32, 64)}.${zone}.` };
}

export class DnsChecker {
  readonly #resolver = new Resolver({ timeout: 2000, tries: 1 });

  constructor(servers: ReadonlyArray<string>) {
    if (servers.length > 0) this.#resolver.setServers([...servers]);
  }

  /** True when the record's name resolves (CNAME) to its value. */
  async holds(r: ValidationRecord): Promise<boolean> {
    try {
      const targets = await this.#resolver.resolveCname(r.name.replace(/\.$/, ''));
      const want = r.value.replace(/\.$/, '').toLowerCase();
      return targets.some((t) => t.replace(/\.$/, '').toLowerCase() === want);
    } catch {
      return false;
    }
  }
}
