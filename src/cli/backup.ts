// keyhold backup: a consistent copy of a data directory, taken while the server runs (or not). Prints what it
// copied as JSON; exits 1 when the data directory had already lost blob files its metadata refers to.
import { BackupError, backupDataDir } from '../server/backup/backup-data-dir.js';
import { formatHelp, type OptionSpec, parseOptions, UsageError } from './options.js';

const OPTIONS: OptionSpec[] = [
  { name: 'data-dir', env: 'KEYHOLD_DATA_DIR', type: 'string', default: '.keyhold', help: 'the data directory to copy (its server may be running)' },
  { name: 'to', type: 'string', help: 'the new directory the copy is written to (must not exist)' },
];

const ABOUT = `Copies a data directory, consistently, while its server keeps serving: the metadata as of one moment, the
object data it refers to, the sealed keyring and the audit trail. The copy is a data directory: to restore,
stop the server and start it on the copy (with the same KEYHOLD_SEAL_PASSPHRASE, if one sealed it). No secret
is needed to make it, and every secret in it stays sealed as it was.`;

export async function runBackup(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(formatHelp('keyhold backup --to DIR [options]', ABOUT, OPTIONS));
    return 0;
  }
  const { values, positional } = parseOptions(OPTIONS, argv, process.env);
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const to = values.to as string | undefined;
  if (!to) throw new UsageError('backup needs --to DIR (a directory that does not exist yet)');
  try {
    const report = await backupDataDir({ dataDir: String(values.dataDir), to });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.missing > 0)
      process.stderr.write(
        `keyhold: ${report.missing} blob file(s) the metadata refers to were already gone from the data directory; see keyhold admin check-blobs\n`,
      );
    return report.missing > 0 ? 1 : 0;
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    process.stderr.write(`keyhold: ${err.message}\n`);
    return 1;
  }
}
