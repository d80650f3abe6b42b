// The optional plain-HTTP listener (--http-port): off by default, SigV4 still required, and the audit
// trail records that the request did not use TLS.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
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

  it('plain HTTP sent to the TLS port gets a 400 saying to use https, and the TLS port keeps serving', async () => {
    const port = Number(new URL(s.endpoint).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => c.write('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}'));
      let got = '';
      c.setEncoding('latin1');
      c.on('data', (d: string) => {
        got += d;
      });
      c.on('error', reject);
      c.on('close', () => resolve(got));
    });
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(answer, /\r\nConnection: close\r\n/);
    assert.match(answer, /speaks HTTPS only\. Use an https:\/\/ endpoint URL/);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    assert.equal(Buffer.byteLength(body), Number(/Content-Length: (\d+)/.exec(answer)?.[1]));
    assert.ok((await s.kms().send(new ListKeysCommand({}))).Keys);
  });
});
