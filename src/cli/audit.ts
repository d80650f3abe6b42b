// keyhold audit read: decrypts the audit trail to CloudTrail-shaped JSON lines on stdout and reports any
// record that fails authentication (exit code 1), so tampering cannot pass silently.
import { join, resolve } from 'node:path';
import { openKeyring } from '../barrier/keyring.js';
import { sealFromEnv } from '../barrier/seal-from-env.js';
import { readAuditDir } from '../audit/reader.js';
import { formatHelp, type OptionSpec, parseOptions, UsageError } from './options.js';

const OPTIONS: OptionSpec[] = [{ name: 'data-dir', env: 'KEYHOLD_DATA_DIR', type: 'string', default: '.keyhold', help: 'the data directory' }];

export async function runAudit(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      formatHelp(
        'keyhold audit read [options]',
        'Decrypts and prints the audit trail as CloudTrail-shaped JSON lines; reports damaged records on stderr.',
        OPTIONS,
      ),
    );
    return argv.length === 0 ? 2 : 0;
  }
  const { values, positional } = parseOptions(OPTIONS, argv, process.env);
  if (positional[0] !== 'read' || positional.length > 1) throw new UsageError('usage: keyhold audit read [--data-dir DIR]');
  const dataDir = resolve(String(values.dataDir));
  const seal = sealFromEnv(dataDir, process.env);
  const root = await openKeyring(dataDir, seal);
  let bad = 0;
  try {
    for (const r of readAuditDir(root.derive('audit-v1'), join(dataDir, 'audit'))) {
      if ('event' in r) process.stdout.write(`${JSON.stringify(r.event)}\n`);
      else {
        bad++;
        process.stderr.write(`keyhold: ${r.file} record ${r.seq}: ${r.error}\n`);
      }
    }
  } finally {
    root.destroy();
  }
  return bad > 0 ? 1 : 0;
}
