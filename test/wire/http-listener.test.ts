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
});
