// Model-based KMS test: random sequences of Encrypt (by key or alias), GenerateDataKey, Decrypt (with the
// right, a missing or a different encryption context, with the right or a wrong KeyId), ReEncrypt, key state
// changes (disable, enable, schedule and cancel deletion, on-demand rotation) and alias changes, checked
// after every step against a model of key states, the alias target and every ciphertext made so far: each
// decrypts to its plaintext exactly while its key is usable and its context is given, whatever rotations and
// state changes happened in between, and every refusal is the error AWS KMS documents for it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  type KMSClient,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../helpers/server.js';

type State = 'Enabled' | 'Disabled' | 'PendingDeletion';
type Context = Record<string, string> | undefined;
type Op =
  | { op: 'encrypt'; key: number; viaAlias: boolean; context: Context }
  | { op: 'dataKey'; key: number; context: Context }
  | { op: 'decrypt'; ciphertext: number; context: 'same' | 'none' | 'other'; keyHint: 'none' | 'right' | 'wrong' }
  | { op: 'reEncrypt'; ciphertext: number; to: number }
  | { op: 'state'; key: number; action: 'disable' | 'enable' | 'schedule' | 'cancel' | 'rotate' }
  | { op: 'alias'; key: number; action: 'create' | 'update' | 'delete' };

interface KeyModel {
  id: string;
  state: State;
}
interface CiphertextModel {
  blob: Uint8Array;
  key: KeyModel;
  context: Context;
  plaintext: Buffer;
}

// Context keys differ in case on purpose ("a" and "A" are different keys of an encryption context).
const contextArb = fc.option(fc.dictionary(fc.constantFrom('a', 'A', 'b', 'purpose'), fc.constantFrom('x', 'y', ''), { maxKeys: 2 }), { nil: undefined });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('encrypt' as const), key: fc.nat(2), viaAlias: fc.boolean(), context: contextArb }),
  fc.record({ op: fc.constant('dataKey' as const), key: fc.nat(2), context: contextArb }),
  fc.record({
    op: fc.constant('decrypt' as const),
    ciphertext: fc.nat(20),
    context: fc.constantFrom('same' as const, 'none' as const, 'other' as const),
    keyHint: fc.constantFrom('none' as const, 'right' as const, 'wrong' as const),
  }),
  fc.record({ op: fc.constant('reEncrypt' as const), ciphertext: fc.nat(20), to: fc.nat(2) }),
  fc.record({
    op: fc.constant('state' as const),
    key: fc.nat(2),
    action: fc.constantFrom('disable' as const, 'enable' as const, 'schedule' as const, 'cancel' as const, 'rotate' as const),
  }),
  fc.record({ op: fc.constant('alias' as const), key: fc.nat(2), action: fc.constantFrom('create' as const, 'update' as const, 'delete' as const) }),
);

const outcome = (p: Promise<unknown>) =>
  p.then(
    (r) => ({ name: 'OK', r: r as Record<string, unknown> }),
    (err: { name: string }) => ({ name: err.name, r: undefined }),
  );
const sameContext = (a: Context, b: Context) => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
/** The error a key in `state` gives a cryptographic operation (kms.md: DisabledException, KMSInvalidStateException). */
const stateError = (k: KeyModel) => (k.state === 'Enabled' ? 'OK' : k.state === 'Disabled' ? 'DisabledException' : 'KMSInvalidStateException');

describe('KMS against a model (wire, property)', () => {
  let s: TestServer;
  let kms: KMSClient;
  before(async () => {
    s = await startTestServer();
    kms = s.kms();
  });
  after(() => s.stop());

  it('every outcome matches the model after random operation sequences', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 16 }), async (seq) => {
        run++;
        const keys: KeyModel[] = [];
        for (let i = 0; i < 3; i++) keys.push({ id: (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!, state: 'Enabled' });
        const alias = `alias/model-${run}`;
        let aliasTarget: KeyModel | undefined;
        const ciphertexts: CiphertextModel[] = [];
        for (const o of seq) {
          const step = JSON.stringify(o);
          if (o.op === 'encrypt' || o.op === 'dataKey') {
            const viaAlias = o.op === 'encrypt' && o.viaAlias;
            const target = viaAlias ? aliasTarget : keys[o.key]!;
            const KeyId = viaAlias ? alias : keys[o.key]!.id;
            const plaintext = randomBytes(1 + (run % 48));
            const x =
              o.op === 'encrypt'
                ? await outcome(kms.send(new EncryptCommand({ KeyId, Plaintext: plaintext, EncryptionContext: o.context })))
                : await outcome(kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: o.context })));
            assert.equal(x.name, target ? stateError(target) : 'NotFoundException', step);
            if (x.r) {
              const made = o.op === 'encrypt' ? plaintext : Buffer.from(x.r.Plaintext as Uint8Array);
              ciphertexts.push({ blob: x.r.CiphertextBlob as Uint8Array, key: target!, context: o.context, plaintext: made });
            }
          } else if (o.op === 'decrypt') {
            const c = ciphertexts[o.ciphertext % Math.max(ciphertexts.length, 1)];
            if (!c) continue;
            const context = o.context === 'same' ? c.context : o.context === 'none' ? undefined : { ...c.context, extra: '1' };
            const hint = o.keyHint === 'right' ? c.key.id : o.keyHint === 'wrong' ? keys.find((k) => k !== c.key)!.id : undefined;
            const x = await outcome(kms.send(new DecryptCommand({ CiphertextBlob: c.blob, EncryptionContext: context, ...(hint ? { KeyId: hint } : {}) })));
            const contextOk = sameContext(context, c.context);
            let allowed: string[];
            if (o.keyHint === 'wrong') allowed = ['IncorrectKeyException'];
            else if (!contextOk) allowed = c.key.state === 'Enabled' ? ['InvalidCiphertextException'] : ['InvalidCiphertextException', stateError(c.key)];
            else allowed = [stateError(c.key)];
            assert.ok(allowed.includes(x.name), `${step}: ${x.name}, expected ${allowed.join(' or ')} (key ${c.key.state})`);
            if (x.r) {
              assert.ok(Buffer.from(x.r.Plaintext as Uint8Array).equals(c.plaintext), step);
              assert.ok(String(x.r.KeyId).endsWith(c.key.id), step);
            }
          } else if (o.op === 'reEncrypt') {
            const c = ciphertexts[o.ciphertext % Math.max(ciphertexts.length, 1)];
            if (!c) continue;
            const to = keys[o.to]!;
            const x = await outcome(
              kms.send(
                new ReEncryptCommand({
                  CiphertextBlob: c.blob,
                  SourceEncryptionContext: c.context,
                  DestinationKeyId: to.id,
                  DestinationEncryptionContext: c.context,
                }),
              ),
            );
            assert.equal(x.name, stateError(c.key) !== 'OK' ? stateError(c.key) : stateError(to), step);
            if (x.r) ciphertexts.push({ blob: x.r.CiphertextBlob as Uint8Array, key: to, context: c.context, plaintext: c.plaintext });
          } else if (o.op === 'state') {
            const k = keys[o.key]!;
            const commands = {
              disable: () => new DisableKeyCommand({ KeyId: k.id }),
              enable: () => new EnableKeyCommand({ KeyId: k.id }),
              schedule: () => new ScheduleKeyDeletionCommand({ KeyId: k.id, PendingWindowInDays: 7 }),
              cancel: () => new CancelKeyDeletionCommand({ KeyId: k.id }),
              rotate: () => new RotateKeyOnDemandCommand({ KeyId: k.id }),
            };
            const x = await outcome(kms.send(commands[o.action]() as never));
            const pending = k.state === 'PendingDeletion';
            const [expected, next]: [string, State] = {
              disable: pending ? ['KMSInvalidStateException', k.state] : ['OK', 'Disabled'],
              enable: pending ? ['KMSInvalidStateException', k.state] : ['OK', 'Enabled'],
              schedule: pending ? ['KMSInvalidStateException', k.state] : ['OK', 'PendingDeletion'],
              // A key whose deletion is cancelled is Disabled (kms.md).
              cancel: pending ? ['OK', 'Disabled'] : ['KMSInvalidStateException', k.state],
              rotate: [stateError(k), k.state],
            }[o.action] as [string, State];
            assert.equal(x.name, expected, `${step} on a ${k.state} key`);
            if (x.name === 'OK') k.state = next;
            assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: k.id }))).KeyMetadata!.KeyState, k.state, step);
          } else {
            const k = keys[o.key]!;
            const commands = {
              create: () => new CreateAliasCommand({ AliasName: alias, TargetKeyId: k.id }),
              update: () => new UpdateAliasCommand({ AliasName: alias, TargetKeyId: k.id }),
              delete: () => new DeleteAliasCommand({ AliasName: alias }),
            };
            const x = await outcome(kms.send(commands[o.action]() as never));
            const allowed: string[] = [];
            if (o.action === 'delete') allowed.push(aliasTarget ? 'OK' : 'NotFoundException');
            else if (o.action === 'update' && !aliasTarget) allowed.push('NotFoundException');
            else if (k.state === 'PendingDeletion')
              allowed.push('KMSInvalidStateException', ...(o.action === 'create' && aliasTarget ? ['AlreadyExistsException'] : []));
            else allowed.push(o.action === 'create' && aliasTarget ? 'AlreadyExistsException' : 'OK');
            assert.ok(allowed.includes(x.name), `${step}: ${x.name}, expected ${allowed.join(' or ')}`);
            if (x.name === 'OK') aliasTarget = o.action === 'delete' ? undefined : k;
          }
        }
      }),
      { numRuns: Number(process.env.KEYHOLD_MODEL_RUNS ?? 25) },
    );
  });
});
