// The optional plain-HTTP listener (--http-port): off by default, SigV4 still required, and the audit
// trail records that the request did not use TLS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { readAuditDir } from '../../src/audit/reader.js';
import { openKeyringForTest } from '../helpers/audit.js';
import { errorName, startTestServer, type TestServer } from '../helpers/server.js';

describe('plain-HTTP listener', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { httpPort: 0 } });
  });
  after(() => s.stop());

  it('serves AWS clients over HTTP when enabled, still authenticated', async () => {
    assert.match(s.kh.httpEndpoint ?? '', /^http:\/\/localhost:\d+$/);
    const kms = new KMSClient({ endpoint: s.kh.httpEndpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 });
    const key = await kms.send(new CreateKeyCommand({ Description: 'over http' }));
    assert.ok(key.KeyMetadata?.KeyId);
    const bad = new KMSClient({
      endpoint: s.kh.httpEndpoint,
      region: 'us-east-1',
      credentials: { ...s.credentials, secretAccessKey: 'wrong-wrong-wrong-wrong' },
      maxAttempts: 1,
    });
    assert.equal(await errorName(bad.send(new ListKeysCommand({}))), 'InvalidSignatureException');
    const root = await openKeyringForTest(s.dataDir);
    const events = [...readAuditDir(root.derive('audit-v1'), `${s.dataDir}/audit`)].flatMap((r) => ('event' in r ? [r.event] : []));
    root.destroy();
    const created = events.find((e) => e.eventName === 'CreateKey');
    assert.ok(created);
    assert.equal(created.tlsDetails, undefined, 'no TLS on this request');
  });

  it('is off by default', async () => {
    const plain = await startTestServer();
    try {
      assert.equal(plain.kh.httpEndpoint, undefined);
    } finally {
      await plain.stop();
    }
  });

  it('aws:SecureTransport in a key policy refuses the plain-HTTP listener', async () => {
    const { PutKeyPolicyCommand, EncryptCommand } = await import('@aws-sdk/client-kms');
    const tls = s.kms();
    const key = (await tls.send(new CreateKeyCommand({}))).KeyMetadata!;
    const acct = s.kh.accountId;
    await tls.send(
      new PutKeyPolicyCommand({
        KeyId: key.KeyId,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'kms:*', Resource: '*' },
            { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          ],
        }),
      }),
    );
    await tls.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    const plain = new KMSClient({ endpoint: s.kh.httpEndpoint, region: 'us-east-1', credentials: s.credentials, maxAttempts: 1 });
    assert.equal(await errorName(plain.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))), 'AccessDeniedException');
  });
});
