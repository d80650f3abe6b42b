// A pull-based, streaming reader of multipart/form-data bodies (RFC 7578 over RFC 2046 §5.1): the caller asks
// for the next part's headers, then reads that part's content either buffered (form fields, bounded) or as a
// stream (an upload of any size, with the caller's back-pressure). Nothing is buffered beyond one network chunk
// plus the delimiter's length, so a 5 GB browser upload costs no more memory than a 5 KB one.

export class MultipartError extends Error {}

export interface PartHead {
  /** The form field's name (content-disposition "name"), as sent. */
  name: string;
  /** The content-disposition "filename", when the part is a file a browser attached. */
  filename?: string;
  /** The part's own Content-Type, when it has one. */
  contentType?: string;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** A part's header block larger than this is not a form a client means to send. */
const MAX_PART_HEADER_BYTES = 16 * 1024;

/** The boundary parameter of a multipart/form-data Content-Type, or undefined if the type is anything else. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const [type, ...params] = contentType.split(';');
  if (type!.trim().toLowerCase() !== 'multipart/form-data') return undefined;
  for (const p of params) {
    const m = /^\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s";]{1,70}))\s*$/i.exec(p);
    if (m) return m[1] ?? m[2];
  }
  return undefined;
}

/** Parameters of a Content-Disposition value: quoted strings (with \" escapes) or tokens. */
function dispositionParams(value: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
  return out;
}

export class MultipartReader {
  readonly #source: AsyncIterator<Buffer>;
  /** The delimiter as it appears before every part and after the last: CRLF "--" boundary. */
  readonly #delimiter: Buffer;
  // The body is read as if it began with CRLF, so the first delimiter (which may open the body) looks like
  // every later one (RFC 2046: the CRLF before a delimiter belongs to the delimiter).
  #buf: Buffer = CRLF;
  #sourceDone = false;
  /** Set once the preamble and the first delimiter have been read. */
  #started = false;
  /** Set once the closing delimiter ("--boundary--") has been read. */
  #finished = false;
  /** True while a part's content has not been read to its end. */
  #inPart = false;

  constructor(source: AsyncIterable<Buffer>, boundary: string) {
    this.#source = source[Symbol.asyncIterator]();
    this.#delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  }

  /** Reads more of the body into the buffer; false when the body has ended. */
  async #fill(): Promise<boolean> {
    if (this.#sourceDone) return false;
    const next = await this.#source.next();
    if (next.done) {
      this.#sourceDone = true;
      return false;
    }
    this.#buf = this.#buf.length === 0 ? next.value : Buffer.concat([this.#buf, next.value]);
    return true;
  }

  /** The headers of the next part, or undefined after the last one. The current part's rest is skipped. */
  async nextPart(): Promise<PartHead | undefined> {
    if (this.#inPart) for await (const _ of this.content()) void _;
    if (this.#finished) return undefined;
    if (!this.#started) {
      // Anything before the first delimiter is preamble (RFC 2046), ignored.
      await this.#skipToDelimiter();
      this.#started = true;
      if (this.#finished) return undefined;
    }
    let end = this.#buf.indexOf(HEADER_END);
    while (end < 0) {
      if (this.#buf.length > MAX_PART_HEADER_BYTES) throw new MultipartError('A part of the form has too large a header.');
      if (!(await this.#fill())) throw new MultipartError('The form ends inside the headers of a part.');
      end = this.#buf.indexOf(HEADER_END);
    }
    if (end > MAX_PART_HEADER_BYTES) throw new MultipartError('A part of the form has too large a header.');
    const lines = this.#buf.subarray(0, end).toString('utf8').split('\r\n');
    this.#buf = this.#buf.subarray(end + HEADER_END.length);
    let disposition: string | undefined;
    let contentType: string | undefined;
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new MultipartError('A part of the form has a malformed header line.');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-disposition') disposition = value;
      else if (name === 'content-type') contentType = value;
    }
    if (!disposition || !/^form-data\s*(;|$)/i.test(disposition)) throw new MultipartError('Every part of the form needs a Content-Disposition of form-data.');
    const params = dispositionParams(disposition.slice(disposition.indexOf(';') < 0 ? disposition.length : disposition.indexOf(';')));
    const name = params.get('name');
    if (name === undefined) throw new MultipartError('A part of the form has no name.');
    this.#inPart = true;
    const filename = params.get('filename');
    return { name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}) };
  }

  /** Consumes the preamble and the first delimiter. */
  async #skipToDelimiter(): Promise<void> {
    for (;;) {
      const i = this.#buf.indexOf(this.#delimiter);
      if (i >= 0) {
        this.#buf = this.#buf.subarray(i + this.#delimiter.length);
        await this.#afterDelimiter();
        return;
      }
      // Keep the tail that could be the start of a delimiter split across chunks.
      this.#buf = this.#buf.subarray(Math.max(0, this.#buf.length - this.#delimiter.length + 1));
      if (!(await this.#fill())) throw new MultipartError('The form has no parts (its boundary never appears).');
    }
  }

  /** After a delimiter: "--" closes the form; otherwise optional whitespace and CRLF open the next part. */
  async #afterDelimiter(): Promise<void> {
    while (this.#buf.length < 2) if (!(await this.#fill())) throw new MultipartError('The form ends after a boundary.');
    if (this.#buf[0] === 0x2d && this.#buf[1] === 0x2d) {
      this.#finished = true;
      return;
    }
    for (;;) {
      const eol = this.#buf.indexOf(CRLF);
      if (eol >= 0) {
        // RFC 2046 allows linear whitespace ("transport padding") between the boundary and its CRLF.
        if (!/^[ \t]*$/.test(this.#buf.subarray(0, eol).toString('latin1'))) throw new MultipartError('A boundary line of the form has trailing characters.');
        this.#buf = this.#buf.subarray(eol + 2);
        return;
      }
      if (this.#buf.length > 1024 || !(await this.#fill())) throw new MultipartError('A boundary line of the form does not end.');
    }
  }

  /** The current part's content, streamed; it ends at the part's delimiter. */
  async *content(): AsyncGenerator<Buffer> {
    if (!this.#inPart) return;
    const d = this.#delimiter;
    for (;;) {
      const i = this.#buf.indexOf(d);
      if (i >= 0) {
        const last = this.#buf.subarray(0, i);
        this.#buf = this.#buf.subarray(i + d.length);
        this.#inPart = false;
        await this.#afterDelimiter();
        if (last.length > 0) yield last;
        return;
      }
      const keep = d.length - 1;
      if (this.#buf.length > keep) {
        const out = this.#buf.subarray(0, this.#buf.length - keep);
        this.#buf = this.#buf.subarray(this.#buf.length - keep);
        yield out;
      }
      if (!(await this.#fill())) throw new MultipartError('The form ends inside a part (its closing boundary is missing).');
    }
  }

  /** The current part's content, buffered; a part longer than `limit` bytes is refused. */
  async text(limit: number, tooLarge: () => Error): Promise<string> {
    const parts: Buffer[] = [];
    let n = 0;
    for await (const c of this.content()) {
      n += c.length;
      if (n > limit) throw tooLarge();
      parts.push(c);
    }
    return Buffer.concat(parts, n).toString('utf8');
  }

  /** Reads and discards whatever follows (fields after the file are ignored, as S3 does), up to the end of the body. */
  async drain(): Promise<void> {
    this.#buf = Buffer.alloc(0);
    while (await this.#fill()) this.#buf = Buffer.alloc(0);
  }
}
