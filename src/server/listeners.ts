// The HTTPS listener (and the optional plain-HTTP one). The certificate can be replaced at runtime:
// setSecureContext() applies to new handshakes; open connections keep theirs.
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { createRouter } from './router.js';
import { secureContextOptions, serverTlsOptions } from './tls-options.js';
import { answerPlainHttp } from './plain-http-on-tls.js';

type Route = ReturnType<typeof createRouter>;

export interface Listeners {
  https: HttpsServer;
  http?: HttpServer;
  httpsPort: number;
  httpPort?: number;
  setCertificate(certPem: string, keyPem: string): void;
  /** Serves a certificate by SNI for its names (exact or *. wildcard); replacing an id swaps it live. */
  setSniCertificate(id: string, names: ReadonlyArray<string>, certChainPem: string, keyPem: string): void;
  removeSniCertificate(id: string): void;
  close(): Promise<void>;
}

function tune<T extends HttpServer | HttpsServer>(server: T, route: Route, secure: boolean): T {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 60_000;
  // No limit on a whole request (an upload takes as long as it takes); a stalled body is closed (body-idle.ts).
  server.requestTimeout = 0;
  // Node answers 417 to any Expect other than 100-continue; an empty Expect expects nothing (RFC 9110
  // §10.1.1 defines only 100-continue) and S3 serves such a request, so it is routed as usual.
  server.on('checkExpectation', (req, res) => {
    if (String(req.headers.expect ?? '').trim() === '') void route(req, res, secure);
    else {
      res.writeHead(417, { 'content-length': '0', connection: 'close' });
      res.end();
    }
  });
  server.on('clientError', refuseUnreadableRequest);
  return server;
}

/**
 * Bytes the HTTP parser cannot read as a request: a malformed start line or header, or the body of a request
 * sent without Content-Length (Node's own client does that for a GET or DELETE with a body), which arrives
 * as the start of a next request. Node's default answers 400 and destroys the socket at once, which also drops
 * the answer to the request before it, still being served on the connection (the client sees the connection
 * reset instead of an answer). Here that answer goes out first; then the 400 (431 for oversized headers, 408
 * for a request that took too long), and the connection closes after the bytes are flushed.
 */
function refuseUnreadableRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? '431 Request Header Fields Too Large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : '400 Bad Request';
  const refuse = () => {
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  };
  // Node keeps the response being written on the socket as _httpMessage (its own default handler reads it).
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (pending && !pending.writableFinished) {
    pending.once('finish', refuse);
    pending.once('close', () => {
      if (!pending.writableFinished) socket.destroy();
    });
  } else {
    refuse();
  }
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const DRAIN_POLL_MS = 50;
const DRAIN_DEADLINE_MS = 30_000;

/**
 * Stops accepting connections, lets in-flight requests finish, and closes keep-alive connections as
 * soon as they go idle (a client holding one open must not delay shutdown by the keep-alive timeout).
 * After a deadline every remaining connection is closed.
 */
function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => server.closeIdleConnections(), DRAIN_POLL_MS);
    const deadline = setTimeout(() => server.closeAllConnections(), DRAIN_DEADLINE_MS);
    server.close(() => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export async function startListeners(
  route: Route,
  tls: { certPem: string; keyPem: string },
  opts: { host: string; port: number; httpPort?: number },
): Promise<Listeners> {
  const sni = new Map<string, { names: ReadonlyArray<string>; context: SecureContext }>();
  const pick = (servername: string): SecureContext | undefined => {
    const name = servername.toLowerCase();
    for (const e of sni.values()) {
      if (e.names.some((n) => n === name || (n.startsWith('*.') && name.endsWith(n.slice(1)) && !name.slice(0, -n.length + 1).includes('.')))) return e.context;
    }
    return undefined;
  };
  const https = tune(
    createHttpsServer(
      { ...serverTlsOptions(secureContextOptions(tls.certPem, tls.keyPem)), SNICallback: (servername, cb) => cb(null, pick(servername)) },
      (req, res) => void route(req, res, true),
    ),
    route,
    true,
  );
  https.on('tlsClientError', answerPlainHttp);
  const httpsPort = await listen(https, opts.port, opts.host);
  let http: HttpServer | undefined;
  let httpPort: number | undefined;
  if (opts.httpPort !== undefined) {
    http = tune(
      createHttpServer((req, res) => void route(req, res, false)),
      route,
      false,
    );
    httpPort = await listen(http, opts.httpPort, opts.host);
  }
  return {
    https,
    http,
    httpsPort,
    httpPort,
    setCertificate(certPem, keyPem) {
      https.setSecureContext(secureContextOptions(certPem, keyPem));
    },
    setSniCertificate(id, names, certChainPem, keyPem) {
      sni.set(id, { names: names.map((n) => n.toLowerCase()), context: createSecureContext(secureContextOptions(certChainPem, keyPem)) });
    },
    removeSniCertificate(id) {
      sni.delete(id);
    },
    async close() {
      await Promise.all([closeServer(https), http ? closeServer(http) : Promise.resolve()]);
    },
  };
}
