// keyhold serve: start the server, print where it is and how to use it, stop cleanly on SIGTERM/SIGINT.
import cluster from 'node:cluster';
import { DataDirLockedError } from '../server/data-dir-lock.js';
import { setServerHeapGrowth } from '../server/heap-growth.js';
import { startKeyhold } from '../server/bootstrap.js';
import { SealError } from '../barrier/seal.js';
import { SERVE_OPTIONS, type ServeConfig, workerCount } from '../server/serve-options.js';
import { READY_MESSAGE, runClusterPrimary, workerRole } from './serve-cluster.js';
import { formatHelp, parseOptions, UsageError } from './options.js';
import { writeRuntimeInfo } from './runtime-file.js';

export async function runServe(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      formatHelp(
        'keyhold serve [options]',
        'Starts Keyhold: one HTTPS endpoint serving every region. On the first start of an empty data directory it\ncreates the root key, a private CA (DIR/ca.pem) and root credentials: KEYHOLD_ROOT_ACCESS_KEY_ID and\nKEYHOLD_ROOT_SECRET_ACCESS_KEY if set, else a random pair written to DIR/credentials (profile "keyhold").\nSet KEYHOLD_SEAL_PASSPHRASE to seal the root key with a passphrase instead of a key file.',
        SERVE_OPTIONS,
      ),
    );
    return 0;
  }
  const { values, positional } = parseOptions(SERVE_OPTIONS, argv, process.env, 'config');
  if (positional.length > 0) throw new UsageError(`unexpected argument '${positional[0]}' (see keyhold serve --help)`);
  const config = values as unknown as ServeConfig;
  // Signal handlers go in before anything is printed or opened: a supervisor may send SIGTERM the
  // moment it sees the banner (or during start-up), and the default action would skip the clean stop.
  const stopRequested = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
    // A cluster worker whose primary is gone (even killed with -9) stops too: nobody holds the lock.
    if (cluster.isWorker) process.once('disconnect', () => resolve('primary gone'));
  });
  const workers = workerCount(config.workers);
  const role = workerRole();
  if (!role && workers > 1) return runClusterPrimary(config, workers, stopRequested);
  try {
    return await serveOne(config, role, stopRequested);
  } finally {
    // A worker's IPC channel would keep it alive after the server closed.
    if (cluster.isWorker && process.connected) process.disconnect();
  }
}

async function serveOne(config: ServeConfig, role: ReturnType<typeof workerRole>, stopRequested: Promise<string>): Promise<number> {
  let generated: { accessKeyId: string; path: string } | undefined;
  let kh: Awaited<ReturnType<typeof startKeyhold>>;
  setServerHeapGrowth();
  try {
    kh = await startKeyhold(config, {
      ...(role ? { cluster: role } : {}),
      onGeneratedCredentials: (c) => {
        generated = { accessKeyId: c.accessKeyId, path: c.path };
      },
    });
  } catch (err) {
    if (err instanceof SealError || err instanceof DataDirLockedError) {
      process.stderr.write(`keyhold: ${err.message}\n`);
      return 1;
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`keyhold: port ${config.port} on ${config.host} is already in use; choose another with --port\n`);
      return 1;
    }
    throw err;
  }
  // A follower of a cluster prints nothing; the leader's banner is printed by the primary once every worker
  // listens, so whoever reads it as the ready signal finds the whole node serving.
  const banner = role?.role === 'follower' ? undefined : started(config, kh, generated, role);
  if (role) process.send?.({ type: READY_MESSAGE, banner });
  else process.stdout.write(banner!);

  const signal = await stopRequested;
  if (!role) process.stderr.write(`keyhold: ${signal} received, finishing in-flight requests\n`);
  try {
    await kh.close();
  } catch (e) {
    // Not a clean stop: no clean-stop record, so the next start checks the blob store (src/server/clean-stop.ts).
    process.stderr.write(`keyhold: error while stopping: ${(e as Error).message}\n`);
    return 1;
  }
  return 0;
}

/** Records where the server is (DIR/runtime.json) and returns the banner telling a newcomer how to use it. */
function started(
  config: ServeConfig,
  kh: Awaited<ReturnType<typeof startKeyhold>>,
  generated: { accessKeyId: string } | undefined,
  role: ReturnType<typeof workerRole>,
): string {
  writeRuntimeInfo(kh.dataDir, { endpoint: kh.endpoint, httpEndpoint: kh.httpEndpoint, region: config.region, accountId: kh.accountId, pid: process.pid });
  const lines = [
    '',
    `Keyhold is running.`,
    `  endpoint     ${kh.endpoint}${kh.httpEndpoint ? `   (plain HTTP: ${kh.httpEndpoint})` : ''}`,
    `  region       ${config.region} (default; every region is served)`,
    `  account      ${kh.accountId}`,
    `  CA to trust  ${kh.caPath}`,
    kh.credentialsPath
      ? `  credentials  ${kh.credentialsPath} (profile "keyhold")${generated ? ` — new root access key ${generated.accessKeyId}` : ''}`
      : '  credentials  the root access key given in KEYHOLD_ROOT_ACCESS_KEY_ID at first start',
    `  data         ${kh.dataDir}`,
    ...(role ? [`  workers      ${role.workers} processes (cluster mode)`] : []),
    '',
    `Point the AWS CLI and SDKs at it:  eval "$(npx keyhold env --data-dir ${kh.dataDir})"`,
    `  e.g. aws kms create-key   (AWS CLI < 2.13: add --endpoint-url ${kh.endpoint})`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
