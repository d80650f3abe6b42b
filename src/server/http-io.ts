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

// The negotiated protocol and suite never change on a connection: read them once per socket.
const sessionOf = new WeakMap<object, { tlsVersion: string; cipherSuite: string }>();

export function tlsDetails(req: IncomingMessage): { tlsVersion: string; cipherSuite: string; clientProvidedHostHeader: string } | undefined {
  const sock = req.socket as Partial<TLSSocket>;
  if (typeof sock.getProtocol !== 'function') return undefined;
  let session = sessionOf.get(sock);
  if (!session) {
    session = { tlsVersion: sock.getProtocol() ?? 'unknown', cipherSuite: sock.getCipher?.()?.standardName ?? 'unknown' };
    sessionOf.set(sock, session);
  }
  return { ...session, clientProvidedHostHeader: req.headers.host ?? '' };
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
