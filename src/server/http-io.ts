// Small helpers shared by the protocol edges for reading requests and writing responses.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

export class BodyTooLargeError extends Error {}

/** Buffers a request body up to `limit` bytes; beyond that it stops reading and rejects. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

export function rawHeaderPairs(req: IncomingMessage): Array<[string, string]> {
  const raw = req.rawHeaders;
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

export function splitUrl(url: string | undefined): { path: string; query: string } {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? { path: u, query: '' } : { path: u.slice(0, q), query: u.slice(q + 1) };
}

type TlsDetails = { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string };

// The negotiated protocol and suite never change on a connection, and clients send the same Host on it:
// the details are read once per socket and rebuilt only if the Host differs.
// Each request keeps what it read first too: a request whose connection was closed before it was recorded (a
// client that went away, an upload cut off) no longer has a socket (req.socket is null), and a closed TLS
// socket cannot answer getProtocol(); its audit record still names the TLS it came over.
const detailsOf = new WeakMap<object, TlsDetails>();
const requestDetails = new WeakMap<IncomingMessage, TlsDetails>();

export function tlsDetails(req: IncomingMessage): TlsDetails | undefined {
  const known = requestDetails.get(req);
  if (known) return known;
  const sock = req.socket as Partial<TLSSocket> | null;
  if (!sock || typeof sock.getProtocol !== 'function' || sock.destroyed) return undefined;
  const host = req.headers.host ?? '';
  let d = detailsOf.get(sock);
  if (d?.clientProvidedHostHeader !== host) {
    d = {
      tlsVersion: d?.tlsVersion ?? sock.getProtocol() ?? 'unknown',
      cipherSuite: d?.cipherSuite ?? sock.getCipher?.()?.standardName ?? 'unknown',
      clientProvidedHostHeader: host,
    };
    detailsOf.set(sock, d);
  }
  requestDetails.set(req, d);
  return d;
}

/** Writes a whole response; `headers` is taken over (content-length is added to it), pass a fresh object. */
export function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, closeConnection = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  headers['content-length'] = String(payload.length);
  if (closeConnection) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(payload);
}
