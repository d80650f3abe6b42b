// The object ceiling: a minimal Node HTTPS server (Keyhold's TLS settings) that streams PUT bodies to
// plain files (temp file, fsync, rename — the same durability as Keyhold's blob store) and streams them
// back on GET, with no authentication, no encryption and no metadata. Its files are written and read in the
// same I/O units as Keyhold's blob store, so the ratio measures encryption and S3's own work, not buffer
// sizes (with Node's defaults, 16 KiB write buffers and 64 KiB reads, this server spent ~1.8x the CPU per MiB
// on a PUT). argv: certPath keyPath dataDir.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readFileSync } from 'node:fs';
import { secureContextOptions, serverTlsOptions } from '../src/server/tls-options.js';
import { BLOB_IO_BYTES } from '../src/storage/blob/local-disk.js';
import { setServerHeapGrowth } from '../src/server/heap-growth.js';

// The same V8 heap growth as `keyhold serve`: the baselines run under the settings Keyhold does.
setServerHeapGrowth();

const [, , certPath, keyPath, dir] = process.argv as [string, string, string, string, string];
mkdirSync(dir, { recursive: true });
const fileOf = (path: string) => join(dir, createHash('sha256').update(path).digest('hex'));
let n = 0;
const server = createServer(serverTlsOptions(secureContextOptions(readFileSync(certPath, 'utf8'), readFileSync(keyPath, 'utf8'))), (req, res) => {
  const file = fileOf(req.url ?? '/');
  if (req.method === 'PUT') {
    const tmp = `${file}.tmp${n++}`;
    pipeline(req, createWriteStream(tmp, { highWaterMark: BLOB_IO_BYTES }))
      .then(async () => {
        const fh = await open(tmp, 'r');
        await fh.sync();
        await fh.close();
        await rename(tmp, file);
        res.writeHead(200, { etag: '"x"', 'content-length': '0' });
        res.end();
      })
      .catch(() => res.destroy());
    return;
  }
  req.resume();
  if (!existsSync(file)) {
    res.writeHead(404, { 'content-length': '0' });
    res.end();
    return;
  }
  res.writeHead(200, { 'content-length': String(statSync(file).size) });
  pipeline(createReadStream(file, { highWaterMark: BLOB_IO_BYTES }), res).catch(() => res.destroy());
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
