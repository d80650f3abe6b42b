// keyhold admin: offline management of accounts, users and access keys in a data directory, and a check of
// the blob store against the metadata. It takes the data-directory lock, so the server must be stopped;
// secrets are printed once and stored sealed.
import { IdentityError } from '../iam/identity-store.js';
import { openState } from '../server/open-state.js';
import { sweepOrphanBlobs } from '../services/s3/orphan-blobs.js';
import { reseal } from './admin-reseal.js';
import { formatHelp, type OptionSpec, parseOptions, UsageError } from './options.js';

const OPTIONS: OptionSpec[] = [
  { name: 'data-dir', env: 'KEYHOLD_DATA_DIR', type: 'string', default: '.keyhold', help: 'the data directory (the server must be stopped)' },
  { name: 'account', type: 'string', help: 'account id (default: the default account)' },
  { name: 'user', type: 'string', help: 'IAM user name (omit for the account root user where allowed)' },
  { name: 'name', type: 'string', help: 'name for create-account' },
  { name: 'access-key-id', type: 'string', help: 'access key id for delete-access-key / deactivate-access-key' },
  { name: 'seal', type: 'string', help: 'reseal: the new seal, passphrase (KEYHOLD_NEW_SEAL_PASSPHRASE) or keyfile' },
];

const SUBCOMMANDS = `Subcommands:
  create-account         --name N                      create another account; prints its id
  list-accounts
  create-user            --user U [--account A]
  list-users             [--account A]
  delete-user            --user U [--account A]
  create-access-key      [--user U] [--account A]      prints the new key pair once (JSON)
  list-access-keys       [--user U] [--account A]
  deactivate-access-key  --access-key-id K [--account A]
  activate-access-key    --access-key-id K [--account A]
  delete-access-key      --access-key-id K [--account A]
  check-blobs                                          remove blob files no object refers to, count objects whose
                                                       blob file is gone (JSON); exits 1 when any is
  reseal                 --seal passphrase|keyfile     wrap the root key under a new seal: the current one from
                                                       KEYHOLD_SEAL_PASSPHRASE (or the key file), a new passphrase
                                                       from KEYHOLD_NEW_SEAL_PASSPHRASE`;

export async function runAdmin(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(formatHelp('keyhold admin <subcommand> [options]', `Offline administration (the server must be stopped).\n\n${SUBCOMMANDS}`, OPTIONS));
    return argv.length === 0 ? 2 : 0;
  }
  const { values, positional } = parseOptions(OPTIONS, argv, process.env);
  const [sub, ...extra] = positional;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const known = [
    'create-account',
    'list-accounts',
    'create-user',
    'list-users',
    'delete-user',
    'create-access-key',
    'list-access-keys',
    'deactivate-access-key',
    'activate-access-key',
    'delete-access-key',
    'check-blobs',
    'reseal',
  ];
  if (!sub || !known.includes(sub)) throw new UsageError(`unknown admin subcommand '${sub ?? ''}' (see keyhold admin --help)`);
  const need = (name: string) => {
    const v = values[name] as string | undefined;
    if (!v) throw new UsageError(`${sub} needs --${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    return v;
  };
  if (sub === 'reseal') {
    process.stdout.write(`${await reseal(String(values.dataDir), values.seal as string | undefined, process.env)}\n`);
    return 0;
  }
  const state = await openState(String(values.dataDir), process.env, { create: false });
  try {
    if (sub === 'check-blobs') {
      // The same sweep a start runs after an unclean stop (docs/decisions.md 72), on demand; the exit code lets a
      // scheduled check alert when objects have lost their data.
      const result = await sweepOrphanBlobs(state.kv, state.blobs);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return result.missing > 0 ? 1 : 0;
    }
    const id = state.identity;
    const account = (values.account as string | undefined) ?? (await id.defaultAccountId());
    if (!account) throw new UsageError('the data directory has no default account yet; start the server once first');
    const user = values.user as string | undefined;
    const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
    switch (sub) {
      case 'create-account':
        print(await id.createAccount(need('name')));
        break;
      case 'list-accounts':
        print(await id.listAccounts());
        break;
      case 'create-user':
        print(await id.createUser(account, need('user')));
        break;
      case 'list-users':
        print(await id.listUsers(account));
        break;
      case 'delete-user':
        await id.deleteUser(account, need('user'));
        break;
      case 'create-access-key':
        print(await id.createAccessKey(account, user));
        break;
      case 'list-access-keys':
        print(await id.listAccessKeys(account, user));
        break;
      case 'deactivate-access-key':
      case 'activate-access-key':
        await id.setAccessKeyStatus(account, need('accessKeyId'), sub === 'activate-access-key' ? 'Active' : 'Inactive');
        break;
      case 'delete-access-key':
        await id.deleteAccessKey(account, need('accessKeyId'));
        break;
    }
    return 0;
  } catch (err) {
    if (err instanceof IdentityError) {
      process.stderr.write(`keyhold: ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await state.close();
  }
}
