// keyhold env: the shell exports that point AWS clients at a Keyhold data directory, so
//   eval "$(npx keyhold env --data-dir DIR)"
// is the whole client set-up.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CA_FILE, CREDENTIALS_FILE } from '../server/bootstrap.js';
import { formatHelp, type OptionSpec, parseOptions, UsageError } from './options.js';
import { readRuntimeInfo } from './runtime-file.js';

const OPTIONS: OptionSpec[] = [
  { name: 'data-dir', env: 'KEYHOLD_DATA_DIR', type: 'string', default: '.keyhold', help: 'the data directory of the server' },
  { name: 'endpoint', type: 'string', help: 'endpoint URL (default: the one the running server recorded in DIR/endpoint.json)' },
  { name: 'region', type: 'string', help: 'region for clients (default: the server default region)' },
];

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function runEnv(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      formatHelp('keyhold env [options]', 'Prints shell exports for the AWS CLI and SDKs: endpoint, region, CA bundle and credentials.', OPTIONS),
    );
    return 0;
  }
  const { values, positional } = parseOptions(OPTIONS, argv, process.env);
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}'`);
  const dataDir = resolve(String(values.dataDir));
  const runtime = readRuntimeInfo(dataDir);
  const endpoint = (values.endpoint as string | undefined) ?? runtime?.endpoint;
  if (!endpoint) throw new UsageError(`no endpoint known for ${dataDir}: start the server first (keyhold serve --data-dir ${dataDir}) or pass --endpoint`);
  const region = (values.region as string | undefined) ?? runtime?.region ?? 'us-east-1';
  const ca = join(dataDir, CA_FILE);
  const creds = join(dataDir, CREDENTIALS_FILE);
  const out = [
    `export AWS_ENDPOINT_URL=${quote(endpoint)}`,
    `export AWS_REGION=${quote(region)}`,
    `export AWS_DEFAULT_REGION=${quote(region)}`,
    `export AWS_CA_BUNDLE=${quote(ca)}`,
    `export NODE_EXTRA_CA_CERTS=${quote(ca)}`,
  ];
  if (existsSync(creds)) {
    out.push(
      `export AWS_SHARED_CREDENTIALS_FILE=${quote(creds)}`,
      `export AWS_PROFILE=keyhold`,
      'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
    );
  } else {
    out.push('# credentials: use the root access key given in KEYHOLD_ROOT_ACCESS_KEY_ID at first start (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)');
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
