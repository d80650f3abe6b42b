// A minimal incremental HTTP/1.1 response reader for the load generator (RFC 9112): status line, headers,
// then a body delimited by Content-Length, chunked transfer coding, or the end of the connection. It exists
// because Node's HTTP client costs the generator more CPU than the server it measures; on a 2-core machine
// every cycle the generator burns is taken from the server.
export interface ParsedResponse {
  status: number;
  body: Buffer;
  /** False when the server will close the connection after this response (HTTP/1.0 or Connection: close). */
  keepAlive: boolean;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

export class Http1ResponseParser {
  #buf: Buffer = Buffer.alloc(0);
  #head: { status: number; length: number | 'chunked' | 'close'; keepAlive: boolean; bodyStart: number } | undefined;

  /** Feeds bytes; returns every response completed by them, in order. */
  push(chunk: Buffer): ParsedResponse[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const done: ParsedResponse[] = [];
    for (let r = this.#next(); r; r = this.#next()) done.push(r);
    return done;
  }

  /** The connection ended: a close-delimited body is complete now. */
  end(): ParsedResponse | undefined {
    if (this.#head?.length !== 'close') return undefined;
    const r = { status: this.#head.status, body: this.#buf.subarray(this.#head.bodyStart), keepAlive: false };
    this.#reset(this.#buf.length);
    return r;
  }

  #reset(consumed: number): void {
    this.#buf = this.#buf.subarray(consumed);
    this.#head = undefined;
  }

  #next(): ParsedResponse | undefined {
    if (!this.#head) {
      const end = this.#buf.indexOf(CRLFCRLF);
      if (end < 0) return undefined;
      const lines = this.#buf.toString('latin1', 0, end).split('\r\n');
      const [version, code] = lines[0]!.split(' ');
      let length: number | 'chunked' | 'close' = 'close';
      let keepAlive = version === 'HTTP/1.1';
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line
          .slice(colon + 1)
          .trim()
          .toLowerCase();
        if (name === 'content-length') length = Number(value);
        else if (name === 'transfer-encoding' && value.includes('chunked')) length = 'chunked';
        else if (name === 'connection') keepAlive = value.includes('keep-alive') || (keepAlive && !value.includes('close'));
      }
      this.#head = { status: Number(code), length, keepAlive: keepAlive && length !== 'close', bodyStart: end + 4 };
    }
    const { status, length, keepAlive, bodyStart } = this.#head;
    if (typeof length === 'number') {
      if (this.#buf.length < bodyStart + length) return undefined;
      const body = this.#buf.subarray(bodyStart, bodyStart + length);
      this.#reset(bodyStart + length);
      return { status, body, keepAlive };
    }
    if (length === 'chunked') return this.#chunked(status, keepAlive, bodyStart);
    return undefined;
  }

  #chunked(status: number, keepAlive: boolean, bodyStart: number): ParsedResponse | undefined {
    const parts: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const eol = this.#buf.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = Number.parseInt(this.#buf.toString('latin1', at, eol), 16);
      if (size === 0) {
        const trailerEnd = this.#buf.indexOf('\r\n', eol + 2);
        if (trailerEnd < 0) return undefined;
        this.#reset(trailerEnd + 2);
        return { status, body: Buffer.concat(parts), keepAlive };
      }
      if (this.#buf.length < eol + 2 + size + 2) return undefined;
      parts.push(this.#buf.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
}
