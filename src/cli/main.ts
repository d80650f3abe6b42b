// The keyhold command: serve, env, admin, audit, backup. Each command has complete --help; unknown commands
// and flags are errors (exit code 2).
import { runAdmin } from './admin.js';
import { runAudit } from './audit.js';
import { runBackup } from './backup.js';
import { runEnv } from './env.js';
import { UsageError } from './options.js';
import { runServe } from './serve.js';

const HELP = `Usage: keyhold <command> [options]

Keyhold: a self-hosted, AWS-compatible encryption platform (KMS, certificate manager, S3 with
server-side encryption, and an encrypted audit trail), with TLS on every listener.

Commands:
  serve     start the server (HTTPS endpoint for the AWS CLI and SDKs)
  env       print the shell exports that point AWS clients at a Keyhold data directory
  admin     manage accounts, users and access keys in a data directory (server stopped)
  audit     read and verify the encrypted audit trail
  backup    copy a data directory consistently while its server runs

Run 'keyhold <command> --help' for the options of a command.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await runServe(rest);
      case 'env':
        return await runEnv(rest);
      case 'admin':
        return await runAdmin(rest);
      case 'audit':
        return await runAudit(rest);
      case 'backup':
        return await runBackup(rest);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}' (see keyhold --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`keyhold: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
