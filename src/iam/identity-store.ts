// Accounts, users and access keys. Secret access keys are stored only sealed by the barrier (AAD binds
// each to its access key id), and kept decrypted in memory for SigV4 verification, which must not
// touch storage on the hot path. Every change goes through this class, which keeps the cache exact.
import { randomBytes, randomInt } from 'node:crypto';
import type { Barrier } from '../barrier/barrier.js';
import type { VerifiableCredential } from '../protocol/sigv4/verifier.js';
import { KvConflictError, type KvOp, type KvStore } from '../storage/kv/interface.js';
import { cachedPolicy, type PolicyDocument } from './policy/document.js';
import type { Principal } from './principal.js';
import { NS_ACCESS_KEY_USE } from './access-key-uses.js';

const NS_ACCOUNT = 'iam/account';
const NS_USER = 'iam/user';
const NS_KEY = 'iam/access-key';
const NS_META = 'iam/meta';
const NS_USER_POLICY = 'iam/user-policy';

export interface Account {
  accountId: string;
  name: string;
  createdAt: number;
}

export interface User {
  accountId: string;
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createdAt: number;
  /** IAM tags (CreateUser, TagUser, UntagUser), in the order they were first set; absent when none. */
  tags?: Array<{ Key: string; Value: string }>;
}

interface AccessKeyRecord {
  accessKeyId: string;
  accountId: string;
  /** Absent for the account root user. */
  userName?: string;
  /** The user's unique id (CloudTrail principalId), copied at creation. */
  userId?: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
  /** base64 of the barrier-sealed secret. */
  sealedSecret: string;
}

export interface AccessKeyInfo {
  accessKeyId: string;
  accountId: string;
  userName?: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

export class IdentityError extends Error {
  constructor(
    readonly code: 'NoSuchEntity' | 'EntityAlreadyExists' | 'LimitExceeded' | 'InvalidInput' | 'DeleteConflict' | 'ConcurrentModification',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** A write about a user that lost a race with another change to the same user (retryable, IAM's 409). */
const userChanged = () => new IdentityError('ConcurrentModification', 'The user was changed by another request; try again.');

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomId = (prefix: string, len: number) => prefix + Array.from(randomBytes(len), (b) => BASE32[b & 31]).join('');
export const newAccessKeyId = () => randomId('AKIA', 16);
export const newSecretAccessKey = () => randomBytes(30).toString('base64');
const newAccountId = () => String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(0, 10)).join('');
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

export const ACCESS_KEY_ID_RE = /^[A-Z0-9]{16,128}$/;
export const USER_NAME_RE = /^[\w+=,.@-]{1,64}$/;
const MAX_KEYS_PER_USER = 2;

export class IdentityStore {
  readonly #creds = new Map<string, VerifiableCredential<Principal>>();
  /** Parsed inline policies per user ("<account>/<user>"), exact: every change goes through this class. */
  readonly #userPolicies = new Map<string, PolicyDocument[]>();

  private constructor(
    private readonly kv: KvStore,
    private readonly barrier: Barrier,
  ) {}

  static async open(kv: KvStore, barrier: Barrier): Promise<IdentityStore> {
    const store = new IdentityStore(kv, barrier);
    await store.#load();
    // Access keys and policies changed by another Keyhold process sharing the store (cluster mode).
    kv.changes?.watch(['iam/'], () => store.#load());
    return store;
  }

  /** (Re)builds the memory copy from the store; the maps are swapped in one synchronous step. */
  async #load(): Promise<void> {
    const keys = await this.kv.list(NS_KEY);
    const policies = await this.kv.list(NS_USER_POLICY);
    const arns = new Map((await this.kv.list(NS_USER)).map((e) => [e.key, (JSON.parse(e.value.toString()) as User).arn]));
    this.#creds.clear();
    this.#userPolicies.clear();
    for (const e of keys) {
      const rec = JSON.parse(e.value.toString()) as AccessKeyRecord;
      this.#cache(rec, rec.userName === undefined ? undefined : arns.get(`${rec.accountId}/${rec.userName}`));
    }
    for (const e of policies) {
      const user = e.key.slice(0, e.key.lastIndexOf('/'));
      this.#userPolicies.set(user, [...(this.#userPolicies.get(user) ?? []), cachedPolicy(e.value.toString(), 'identity')]);
    }
  }

  /** Caches a key's credential; `userArn` is its user's ARN (with the user's path), when it has a user. */
  #cache(rec: AccessKeyRecord, userArn?: string): void {
    const secret = this.barrier.open({ namespace: NS_KEY, id: rec.accessKeyId, version: 1 }, Buffer.from(rec.sealedSecret, 'base64'));
    this.#creds.set(rec.accessKeyId, {
      accessKeyId: rec.accessKeyId,
      secretAccessKey: secret.toString('utf8'),
      active: rec.status === 'Active',
      principal: this.#principalFor(rec, userArn),
    });
  }

  #principalFor(rec: AccessKeyRecord, userArn?: string): Principal {
    if (!rec.userName) {
      return { type: 'Root', accountId: rec.accountId, arn: `arn:aws:iam::${rec.accountId}:root`, principalId: rec.accountId, accessKeyId: rec.accessKeyId };
    }
    return {
      type: 'IAMUser',
      accountId: rec.accountId,
      arn: userArn ?? `arn:aws:iam::${rec.accountId}:user/${rec.userName}`,
      principalId: rec.userId ?? `AIDA${rec.accessKeyId.slice(4, 20)}`,
      userName: rec.userName,
      accessKeyId: rec.accessKeyId,
    };
  }

  /** SigV4's credential lookup: memory only. */
  lookup = (accessKeyId: string): VerifiableCredential<Principal> | undefined => this.#creds.get(accessKeyId);

  async defaultAccountId(): Promise<string | undefined> {
    return (await this.kv.get(NS_META, 'default-account'))?.value.toString();
  }

  async createAccount(name: string, opts: { makeDefault?: boolean } = {}): Promise<Account> {
    const account: Account = { accountId: newAccountId(), name, createdAt: Date.now() };
    const ops = [{ type: 'put' as const, namespace: NS_ACCOUNT, key: account.accountId, value: json(account), expectVersion: 0 }];
    if (opts.makeDefault) ops.push({ type: 'put', namespace: NS_META, key: 'default-account', value: Buffer.from(account.accountId), expectVersion: 0 });
    await this.kv.commit(ops);
    return account;
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.kv.list(NS_ACCOUNT)).map((e) => JSON.parse(e.value.toString()) as Account);
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    const e = await this.kv.get(NS_ACCOUNT, accountId);
    return e ? (JSON.parse(e.value.toString()) as Account) : undefined;
  }

  async createUser(accountId: string, userName: string, path = '/', tags: Array<{ Key: string; Value: string }> = []): Promise<User> {
    if (!USER_NAME_RE.test(userName)) throw new IdentityError('InvalidInput', `Invalid user name: ${userName}`);
    if (!(await this.getAccount(accountId))) throw new IdentityError('NoSuchEntity', `The account ${accountId} does not exist.`);
    const user: User = {
      accountId,
      userName,
      userId: randomId('AIDA', 17),
      arn: `arn:aws:iam::${accountId}:user${path}${userName}`,
      path,
      createdAt: Date.now(),
      ...(tags.length ? { tags } : {}),
    };
    try {
      await this.kv.commit([{ type: 'put', namespace: NS_USER, key: `${accountId}/${userName}`, value: json(user), expectVersion: 0 }]);
    } catch {
      throw new IdentityError('EntityAlreadyExists', `User with name ${userName} already exists.`);
    }
    return user;
  }

  /**
   * A write about a user (a policy, an access key, its deletion) commits together with this op: it rewrites the
   * user's record as read, at the version read. So a rename or deletion that happens in between fails one of the
   * two commits, and no policy or key is left under a name another user may take later.
   */
  async #userGuard(accountId: string, userName: string): Promise<{ user: User; version: number; op: KvOp }> {
    const e = await this.kv.get(NS_USER, `${accountId}/${userName}`);
    if (!e) throw new IdentityError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
    const op: KvOp = { type: 'put', namespace: NS_USER, key: e.key, value: e.value, expectVersion: e.version };
    return { user: JSON.parse(e.value.toString()) as User, version: e.version, op };
  }

  async getUser(accountId: string, userName: string): Promise<User | undefined> {
    const e = await this.kv.get(NS_USER, `${accountId}/${userName}`);
    return e ? (JSON.parse(e.value.toString()) as User) : undefined;
  }

  /**
   * Replaces a user's tags with what `change` makes of them, as a compare-and-swap on the user's record (a
   * concurrent change is re-read and applied again, so neither is lost).
   */
  async updateUserTags(
    accountId: string,
    userName: string,
    change: (tags: Array<{ Key: string; Value: string }>) => Array<{ Key: string; Value: string }>,
  ): Promise<void> {
    for (;;) {
      const e = await this.kv.get(NS_USER, `${accountId}/${userName}`);
      if (!e) throw new IdentityError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
      const user = JSON.parse(e.value.toString()) as User;
      const tags = change(user.tags ?? []);
      const next: User = { ...user, tags };
      if (tags.length === 0) delete next.tags;
      try {
        await this.kv.commit([{ type: 'put', namespace: NS_USER, key: `${accountId}/${userName}`, value: json(next), expectVersion: e.version }]);
        return;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
  }

  /**
   * Renames a user and/or moves it to another path (IAM UpdateUser), in one commit: the user's record, its inline
   * policies and its access keys move together, its id, tags and keys' secrets stay. Policies elsewhere that name
   * the old ARN keep naming it, as IAM warns.
   */
  async updateUser(accountId: string, userName: string, change: { newUserName?: string; newPath?: string }): Promise<User> {
    const { user, version } = await this.#userGuard(accountId, userName);
    const key = `${accountId}/${userName}`;
    const name = change.newUserName ?? userName;
    if (!USER_NAME_RE.test(name)) throw new IdentityError('InvalidInput', `Invalid user name: ${name}`);
    const path = change.newPath ?? user.path;
    const next: User = { ...user, userName: name, path, arn: `arn:aws:iam::${accountId}:user${path}${name}` };
    const ops: KvOp[] = [];
    if (name === userName) {
      ops.push({ type: 'put', namespace: NS_USER, key, value: json(next), expectVersion: version });
    } else {
      ops.push(
        { type: 'put', namespace: NS_USER, key: `${accountId}/${name}`, value: json(next), expectVersion: 0 },
        { type: 'delete', namespace: NS_USER, key, expectVersion: version },
      );
      for (const p of await this.kv.list(NS_USER_POLICY, { prefix: `${accountId}/${userName}/` })) {
        const policyName = p.key.slice(`${accountId}/${userName}/`.length);
        ops.push(
          { type: 'put', namespace: NS_USER_POLICY, key: `${accountId}/${name}/${policyName}`, value: p.value, expectVersion: 0 },
          { type: 'delete', namespace: NS_USER_POLICY, key: p.key, expectVersion: p.version },
        );
      }
      for (const k of await this.kv.list(NS_KEY)) {
        const rec = JSON.parse(k.value.toString()) as AccessKeyRecord;
        if (rec.accountId !== accountId || rec.userName !== userName) continue;
        ops.push({ type: 'put', namespace: NS_KEY, key: k.key, value: json({ ...rec, userName: name }), expectVersion: k.version });
      }
    }
    try {
      await this.kv.commit(ops);
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
      if (name !== userName && (await this.getUser(accountId, name))) throw new IdentityError('EntityAlreadyExists', `User with name ${name} already exists.`);
      throw userChanged();
    }
    // Credentials, principals and cached policies are rebuilt from the store (the principals' ARNs changed).
    await this.#load();
    return next;
  }

  async listUsers(accountId: string): Promise<User[]> {
    return (await this.kv.list(NS_USER, { prefix: `${accountId}/` })).map((e) => JSON.parse(e.value.toString()) as User);
  }

  /** Identity policies of a principal: a user's inline policies; the root user has none (and needs none). */
  policiesOf(p: Principal): ReadonlyArray<PolicyDocument> {
    return p.userName ? (this.#userPolicies.get(`${p.accountId}/${p.userName}`) ?? []) : [];
  }

  async #reloadUserPolicies(accountId: string, userName: string): Promise<void> {
    const rows = await this.kv.list(NS_USER_POLICY, { prefix: `${accountId}/${userName}/` });
    this.#userPolicies.set(
      `${accountId}/${userName}`,
      rows.map((r) => cachedPolicy(r.value.toString(), 'identity')),
    );
  }

  /** Stores a validated inline policy (the caller parses it first, to report MalformedPolicyDocument). */
  async putUserPolicy(accountId: string, userName: string, policyName: string, document: string): Promise<void> {
    const guard = await this.#userGuard(accountId, userName);
    await this.#commitAboutUser([
      { type: 'put', namespace: NS_USER_POLICY, key: `${accountId}/${userName}/${policyName}`, value: Buffer.from(document) },
      guard.op,
    ]);
    await this.#reloadUserPolicies(accountId, userName);
  }

  /** Commits ops that carry a #userGuard; the user changed meanwhile is ConcurrentModification (retryable). */
  async #commitAboutUser(ops: KvOp[]): Promise<void> {
    try {
      await this.kv.commit(ops);
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
      throw userChanged();
    }
  }

  async getUserPolicy(accountId: string, userName: string, policyName: string): Promise<string | undefined> {
    return (await this.kv.get(NS_USER_POLICY, `${accountId}/${userName}/${policyName}`))?.value.toString();
  }

  async listUserPolicies(accountId: string, userName: string): Promise<string[]> {
    if (!(await this.getUser(accountId, userName))) throw new IdentityError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
    const prefix = `${accountId}/${userName}/`;
    return (await this.kv.list(NS_USER_POLICY, { prefix })).map((r) => r.key.slice(prefix.length));
  }

  async deleteUserPolicy(accountId: string, userName: string, policyName: string): Promise<void> {
    if (!(await this.getUserPolicy(accountId, userName, policyName))) {
      throw new IdentityError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    }
    await this.kv.commit([{ type: 'delete', namespace: NS_USER_POLICY, key: `${accountId}/${userName}/${policyName}` }]);
    await this.#reloadUserPolicies(accountId, userName);
  }

  async deleteUser(accountId: string, userName: string): Promise<void> {
    const guard = await this.#userGuard(accountId, userName);
    if ((await this.listAccessKeys(accountId, userName)).length > 0) {
      throw new IdentityError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
    }
    if ((await this.listUserPolicies(accountId, userName)).length > 0) {
      throw new IdentityError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    }
    await this.#commitAboutUser([{ type: 'delete', namespace: NS_USER, key: `${accountId}/${userName}`, expectVersion: guard.version }]);
  }

  /**
   * Creates an access key for a user (or the account root user when userName is undefined). The secret
   * is returned once; only its sealed form is stored.
   */
  async createAccessKey(
    accountId: string,
    userName: string | undefined,
    given?: { accessKeyId: string; secretAccessKey: string },
  ): Promise<AccessKeyInfo & { secretAccessKey: string }> {
    const guard = userName === undefined ? undefined : await this.#userGuard(accountId, userName);
    const user = guard?.user;
    if ((await this.listAccessKeys(accountId, userName)).length >= MAX_KEYS_PER_USER) {
      throw new IdentityError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
    }
    const accessKeyId = given?.accessKeyId ?? newAccessKeyId();
    const secretAccessKey = given?.secretAccessKey ?? newSecretAccessKey();
    if (!ACCESS_KEY_ID_RE.test(accessKeyId)) throw new IdentityError('InvalidInput', 'An access key id must be 16 to 128 upper-case letters and digits.');
    if (secretAccessKey.length < 16) throw new IdentityError('InvalidInput', 'A secret access key must be at least 16 characters.');
    const rec: AccessKeyRecord = {
      accessKeyId,
      accountId,
      ...(userName !== undefined ? { userName } : {}),
      ...(user ? { userId: user.userId } : {}),
      status: 'Active',
      createdAt: Date.now(),
      sealedSecret: this.barrier.seal({ namespace: NS_KEY, id: accessKeyId, version: 1 }, Buffer.from(secretAccessKey, 'utf8')).toString('base64'),
    };
    try {
      await this.kv.commit([{ type: 'put', namespace: NS_KEY, key: accessKeyId, value: json(rec), expectVersion: 0 }, ...(guard ? [guard.op] : [])]);
    } catch (err) {
      if (!(err instanceof KvConflictError)) throw err;
      if (await this.kv.get(NS_KEY, accessKeyId)) throw new IdentityError('EntityAlreadyExists', `Access key ${accessKeyId} already exists.`);
      throw userChanged();
    }
    this.#cache(rec, user?.arn);
    const { sealedSecret: _s, userId: _u, ...info } = rec;
    return { ...info, secretAccessKey };
  }

  async listAccessKeys(accountId: string, userName: string | undefined): Promise<AccessKeyInfo[]> {
    const out: AccessKeyInfo[] = [];
    for (const e of await this.kv.list(NS_KEY)) {
      const { sealedSecret: _s, userId: _u, ...info } = JSON.parse(e.value.toString()) as AccessKeyRecord;
      if (info.accountId === accountId && info.userName === userName) out.push(info);
    }
    return out;
  }

  /** An access key's record without its secret, or undefined when there is none. */
  async getAccessKey(accessKeyId: string): Promise<AccessKeyInfo | undefined> {
    const e = await this.kv.get(NS_KEY, accessKeyId);
    if (!e) return undefined;
    const { sealedSecret: _s, userId: _u, ...info } = JSON.parse(e.value.toString()) as AccessKeyRecord;
    return info;
  }

  async setAccessKeyStatus(accountId: string, accessKeyId: string, status: 'Active' | 'Inactive'): Promise<void> {
    const e = await this.kv.get(NS_KEY, accessKeyId);
    const rec = e ? (JSON.parse(e.value.toString()) as AccessKeyRecord) : undefined;
    if (!e || !rec || rec.accountId !== accountId) throw new IdentityError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    rec.status = status;
    await this.kv.commit([{ type: 'put', namespace: NS_KEY, key: accessKeyId, value: json(rec), expectVersion: e.version }]);
    const cred = this.#creds.get(accessKeyId);
    if (cred) cred.active = status === 'Active';
  }

  async deleteAccessKey(accountId: string, accessKeyId: string): Promise<void> {
    const e = await this.kv.get(NS_KEY, accessKeyId);
    const rec = e ? (JSON.parse(e.value.toString()) as AccessKeyRecord) : undefined;
    if (!rec || rec.accountId !== accountId) throw new IdentityError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    // Its last use goes with it (access-key-uses.ts).
    await this.kv.commit([
      { type: 'delete', namespace: NS_KEY, key: accessKeyId },
      { type: 'delete', namespace: NS_ACCESS_KEY_USE, key: accessKeyId },
    ]);
    this.#creds.delete(accessKeyId);
  }
}
