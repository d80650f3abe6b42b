// The ceiling baseline: a minimal Node HTTPS server answering every request with the JSON shape of a KMS
// Encrypt response, doing no other work. Same TLS settings as Keyhold. argv: port certPath keyPath.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { secureContextOptions, serverTlsOptions } from '../src/server/tls-options.js';
import { setServerHeapGrowth } from '../src/server/heap-growth.js';

// The same V8 heap growth as `keyhold serve`: the baselines run under the settings Keyhold does.
setServerHeapGrowth();

const [, , certPath, keyPath] = process.argv;
const body = JSON.stringify({
  CiphertextBlob: Buffer.alloc(125, 7).toString('base64'),
  KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
});
const server = createServer(serverTlsOptions(secureContextOptions(readFileSync(certPath!, 'utf8'), readFileSync(keyPath!, 'utf8'))), (req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
