// A client that speaks plain HTTP to the TLS port (an endpoint URL given as http:// instead of https://) gets
// an HTTP answer that says so, instead of a connection closed without a word ("socket hang up", "EPROTO").
// OpenSSL recognises an HTTP request line where a ClientHello belongs (SSL_R_HTTP_REQUEST, surfaced by Node as
// ERR_SSL_HTTP_REQUEST); the answer goes out on the TCP socket under the failed TLS socket, in clear, and the
// connection is closed. Nothing of the request is read or acted on.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

const BODY =
  'This Keyhold port speaks HTTPS only. Use an https:// endpoint URL and trust the CA certificate the server ' +
  'printed when it started (or add --http-port for a plain-HTTP listener).\n';

const ANSWER =
  'HTTP/1.1 400 Bad Request\r\n' +
  'Content-Type: text/plain; charset=utf-8\r\n' +
  `Content-Length: ${Buffer.byteLength(BODY)}\r\n` +
  'Connection: close\r\n\r\n' +
  BODY;

/** The https server's 'tlsClientError' listener. Any other handshake failure just closes, as before. */
export function answerPlainHttp(err: Error & { code?: string }, tlsSocket: TLSSocket): void {
  if (err.code !== 'ERR_SSL_HTTP_REQUEST') return;
  // The raw TCP socket the TLS socket wraps. `_parent` is Node's own field for it (not a public API): where
  // it is missing, the connection simply closes as it would without this answer.
  const raw = (tlsSocket as TLSSocket & { _parent?: Socket | null })._parent;
  if (!raw || raw.destroyed || !raw.writable) return;
  raw.end(ANSWER);
}
