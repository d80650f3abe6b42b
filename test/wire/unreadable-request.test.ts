// Bytes the HTTP parser cannot read after a request on the same connection (the unframed body a client sends
// without Content-Length, or garbage): the request before them still gets its answer, then a 400, then the
// connection closes cleanly (Node's default handler reset the connection and dropped the pending answer).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Writes `bytes` on a fresh TLS connection and collects everything the server sends until it closes. */
function exchange(s: TestServer, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port: s.kh.port, servername: 'localhost', ca: s.ca }, () => sock.write(bytes));
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.on('error', reject);
  });
}

describe('unreadable bytes after a request', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.stop());

  it('answers the request first, then 400, then closes', async () => {
    const answer = await exchange(s, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n\u0001not a request\r\n\r\n');
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '400'], answer);
    assert.match(answer, /HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n/);
  });

  it('answers 400 at once when nothing is pending', async () => {
    const answer = await exchange(s, '\u0001not a request\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
