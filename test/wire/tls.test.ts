// TLS on the listener: 1.2 and 1.3 only, ECDHE suites only, chain verifies against DIR/ca.pem (Node and
// `openssl verify`), SANs as configured, and the certificate swaps at runtime without dropping open connections.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { type ConnectionOptions, connect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

function handshake(port: number, opts: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, servername: 'localhost', ...opts }, () => resolve(sock));
    sock.once('error', reject);
  });
}

describe('TLS listener', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { tlsName: ['keyhold.internal', '10.1.2.3'] } });
  });
  after(() => s.stop());

  it('accepts TLS 1.3 and TLS 1.2, with a chain that verifies against ca.pem', async () => {
    for (const v of ['TLSv1.3', 'TLSv1.2'] as const) {
      const sock = await handshake(s.kh.port, { ca: s.ca, minVersion: v, maxVersion: v });
      assert.equal(sock.getProtocol(), v);
      assert.equal(sock.authorized, true);
      if (v === 'TLSv1.2') assert.match(sock.getCipher().name, /^ECDHE-/);
      sock.destroy();
    }
  });

  it('refuses TLS 1.1 and TLS 1.0', async () => {
    for (const v of ['TLSv1.1', 'TLSv1'] as const) {
      await assert.rejects(handshake(s.kh.port, { ca: s.ca, minVersion: v, maxVersion: v, ciphers: 'DEFAULT:@SECLEVEL=0' }), Error, v);
    }
  });

  it('refuses TLS 1.2 suites without ECDHE or with CBC', async () => {
    for (const cipher of ['AES128-GCM-SHA256', 'AES256-SHA', 'DHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA']) {
      await assert.rejects(handshake(s.kh.port, { ca: s.ca, maxVersion: 'TLSv1.2', ciphers: cipher }), Error, cipher);
    }
  });

  it('serves a certificate for localhost, 127.0.0.1, ::1 and every --tls-name; openssl verifies the chain', async () => {
    const sock = await handshake(s.kh.port, { ca: s.ca });
    const peer = sock.getPeerCertificate(true);
    const pem = new X509Certificate(peer.raw).toString();
    const intermediate = new X509Certificate(peer.issuerCertificate.raw);
    sock.destroy();
    const cert = new X509Certificate(pem);
    const san = cert.subjectAltName ?? '';
    for (const n of [
      'DNS:localhost',
      'IP Address:127.0.0.1',
      'IP Address:0:0:0:0:0:0:0:1',
      'DNS:keyhold.internal',
      'IP Address:10.1.2.3',
      'DNS:*.s3.localhost',
    ])
      assert.ok(san.includes(n), `${n} in ${san}`);
    assert.equal(cert.ca, false);
    // Leaf → the region's issuing CA (sent in the handshake) → the root in ca.pem.
    assert.ok(cert.checkIssued(intermediate));
    assert.ok(intermediate.checkIssued(new X509Certificate(s.ca)));
    const dir = tempDir();
    writeFileSync(join(dir, 'leaf.pem'), pem);
    writeFileSync(join(dir, 'chain.pem'), intermediate.toString());
    const out = execFileSync(
      'openssl',
      ['verify', '-CAfile', s.kh.caPath, '-untrusted', join(dir, 'chain.pem'), '-purpose', 'sslserver', join(dir, 'leaf.pem')],
      {
        encoding: 'utf8',
      },
    );
    assert.match(out, /: OK/);
  });

  it('swaps the certificate at runtime; an open keep-alive connection keeps working', async () => {
    const agentReq = (path: string) =>
      new Promise<{ status: number; serial: string; socket: unknown }>((resolve, reject) => {
        const r = request(`${s.endpoint}${path}`, { agent: s.agent }, (res) => {
          const sock = res.socket as TLSSocket;
          const serial = sock.getPeerCertificate().serialNumber;
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, serial, socket: sock }));
        });
        r.on('error', reject);
        r.end();
      });
    const first = await agentReq('/health');
    const newSerial = await s.kh.refreshListenerCertificate({ force: true });
    assert.notEqual(newSerial.toUpperCase(), first.serial.toUpperCase());
    const again = await agentReq('/health');
    assert.equal(again.status, 200);
    assert.equal(again.socket, first.socket, 'same connection reused after the swap');
    const fresh = await handshake(s.kh.port, { ca: s.ca });
    assert.equal(fresh.getPeerCertificate().serialNumber.toUpperCase(), newSerial.toUpperCase());
    fresh.destroy();
  });
});
