// The reference point, measured instead of quoted: "a hand-written SigV4 + AES-GCM handler". A Node HTTPS
// server (Keyhold's TLS settings) that verifies every request with Keyhold's own SigV4 verifier and answers
// CreateKey / Encrypt / Decrypt / GenerateDataKey with one AES-256-GCM operation under a single in-memory key,
// and does nothing else: no key store, no policies or grants, no quotas, no per-ciphertext key derivation, no
// audit record. What Keyhold does beyond it is the price of being a KMS; the ratio says what that price is.
// argv: certPath keyPath accessKeyId secretAccessKey. Not a product: the bench starts it and stops it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sha256Hex } from '../src/protocol/sigv4/canonical.js';
import { verifySigV4 } from '../src/protocol/sigv4/verifier.js';
import { secureContextOptions, serverTlsOptions } from '../src/server/tls-options.js';
import { setServerHeapGrowth } from '../src/server/heap-growth.js';

// The same V8 heap growth as `keyhold serve`: the baselines run under the settings Keyhold does.
setServerHeapGrowth();

const [, , certPath, keyPath, accessKeyId, secretAccessKey] = process.argv;
const credential = { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, active: true, principal: 'bench' };
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const key = randomBytes(32);
const IV = 12;
const TAG = 16;

function seal(plaintext: Buffer): string {
  const iv = randomBytes(IV);
  const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
  return Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]).toString('base64');
}

function open(blob: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, blob.subarray(0, IV), { authTagLength: TAG });
  d.setAuthTag(blob.subarray(blob.length - TAG));
  return Buffer.concat([d.update(blob.subarray(IV, blob.length - TAG)), d.final()]);
}

function answer(operation: string, input: Record<string, string>): Record<string, unknown> {
  switch (operation) {
    case 'CreateKey':
      return { KeyMetadata: { KeyId: KEY_ID } };
    case 'Encrypt':
      return { CiphertextBlob: seal(Buffer.from(input.Plaintext ?? '', 'base64')), KeyId: KEY_ID, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    case 'Decrypt':
      return { Plaintext: open(Buffer.from(input.CiphertextBlob ?? '', 'base64')).toString('base64'), KeyId: KEY_ID, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    case 'GenerateDataKey': {
      const plaintext = randomBytes(32);
      return { CiphertextBlob: seal(plaintext), Plaintext: plaintext.toString('base64'), KeyId: KEY_ID };
    }
    default:
      throw new Error(`unsupported operation ${operation}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer(serverTlsOptions(secureContextOptions(readFileSync(certPath!, 'utf8'), readFileSync(keyPath!, 'utf8'))), (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const headers: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    try {
      verifySigV4(
        { method: req.method ?? 'POST', path: '/', query: '', headers },
        {
          now: Date.now(),
          pathRule: 'normalized',
          service: 'kms',
          payloadHash: sha256Hex(body),
          lookup: (id) => (id === accessKeyId ? credential : undefined),
        },
      );
      const target = String(req.headers['x-amz-target'] ?? '');
      send(res, 200, answer(target.slice(target.indexOf('.') + 1), JSON.parse(body.toString('utf8')) as Record<string, string>));
    } catch (err) {
      send(res, 400, { __type: 'ReferenceError', message: (err as Error).message });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
