// When the audit trail cannot write, requests are refused with a 5xx (fail closed): no secret leaves
// and, once the failure is known, nothing changes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { EncryptedJsonlSink } from '../../src/audit/encrypted-jsonl-sink.js';
import type { AuditEvent } from '../../src/audit/event.js';
import type { AuditSink } from '../../src/audit/sink.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Routes events to a real file sink, or to a real sink on /dev/full (every write fails with ENOSPC). */
class SwitchableSink implements AuditSink {
  failing = false;
  constructor(
    private readonly good: AuditSink,
    private readonly full: AuditSink,
  ) {}
  get healthy() {
    return (this.failing ? this.full : this.good).healthy;
  }
  write(e: AuditEvent) {
    return (this.failing ? this.full : this.good).write(e);
  }
  async close() {
    await this.good.close();
    await this.full.close();
  }
}

describe('audit sink failure (fail closed)', () => {
  let s: TestServer;
  let sink: SwitchableSink;
  before(async () => {
    s = await startTestServer({
      start: {
        auditSink: (root, dir) => {
          sink = new SwitchableSink(
            new EncryptedJsonlSink(root.derive('audit-v1'), { dir: `${dir}/audit` }),
            new EncryptedJsonlSink(root.derive('audit-v1'), { path: '/dev/full' }),
          );
          return sink;
        },
      },
    });
  });
  after(() => s.stop());

  it('refuses requests with 503 while the sink cannot write, and recovers after', async () => {
    const kms = s.kms();
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const blob = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('secret') }))).CiphertextBlob!;
    const keysBefore = (await kms.send(new ListKeysCommand({}))).Keys!.length;
    sink.failing = true;
    for (const attempt of [1, 2, 3]) {
      const err = (await kms.send(new DecryptCommand({ CiphertextBlob: blob })).catch((e: unknown) => e)) as {
        $metadata?: { httpStatusCode?: number };
        Plaintext?: unknown;
      };
      assert.equal(err.$metadata?.httpStatusCode, 503, `attempt ${attempt}`);
      assert.equal(err.Plaintext, undefined);
    }
    const create = (await kms.send(new CreateKeyCommand({})).catch((e: unknown) => e)) as { $metadata?: { httpStatusCode?: number } };
    assert.equal(create.$metadata?.httpStatusCode, 503);
    sink.failing = false;
    assert.equal((await kms.send(new ListKeysCommand({}))).Keys!.length, keysBefore, 'the refused CreateKey changed nothing');
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(Buffer.from(dec.Plaintext!).toString(), 'secret');
  });
});
