// What a verified browser-based upload asks PutObject to do: the object key (with ${filename} filled in), the
// form fields S3 turns into request headers (Content-Type, Cache-Control, x-amz-meta-*, SSE, checksums, storage
// class, the tagging document, ...), and the file as the body, held to the policy's content-length-range.
import type { IncomingHttpHeaders } from 'node:http';
import { MultipartError, type MultipartReader } from '../../../protocol/multipart-form.js';
import { parseTagSet } from '../api/buckets.js';
import { S3 } from '../errors.js';
import { type FormFields, malformedForm, type PostForm } from './form-fields.js';
import type { LengthRange } from './policy.js';
import { MAX_SINGLE_UPLOAD_BYTES } from '../api/body-length.js';

/** How much more of an oversized file is read to report its size, before the connection is given up instead. */
const MEASURE_BEYOND_BYTES = 16 * 1024 * 1024;

/** Fields that are standard object headers when given as form fields. */
const HEADER_FIELDS = new Set(['cache-control', 'content-type', 'content-disposition', 'content-encoding', 'content-language', 'expires']);
/** x-amz-* fields that authenticate the form rather than describe the object. */
const AUTH_FIELDS = new Set(['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature', 'x-amz-security-token']);

/** The object key the form names; "${filename}" is replaced by the name of the file the browser attached. */
export function objectKeyOf(fields: FormFields, filename: string | undefined): string {
  const key = fields.get('key')?.value;
  if (key === undefined) {
    throw S3.InvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", {
      ArgumentName: 'key',
      ArgumentValue: '',
    });
  }
  const named = filename === undefined || filename === '' ? key : key.replaceAll('${filename}', filename);
  if (named === '') throw S3.InvalidArgument('User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
  if (Buffer.byteLength(named) > 1024) throw S3.KeyTooLongError();
  return named;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/**
 * Form values are UTF-8 text; HTTP header values reach Keyhold as bytes held in latin1 strings. User metadata is
 * converted to that form (its UTF-8 bytes), so an upload by form and one by PutObject store the same bytes and a
 * GET returns non-ASCII metadata RFC 2047-encoded. A standard header (Content-Disposition, Cache-Control, ...) is
 * kept as the text it is and sent back in ISO-8859-1, each character outside it as a space: what AWS answered
 * for "—" and "é" (localstack test_s3.py test_post_object_with_unicode_metadata), and what a browser reading
 * Content-Disposition as ISO-8859-1 shows correctly. Control characters cannot be sent in a header, and are
 * refused here rather than stored and later unreturnable.
 */
function asHeaderValue(name: string, value: string): string {
  if (name.startsWith('x-amz-meta-')) return Buffer.from(value, 'utf8').toString('latin1');
  if (hasControlCharacter(value)) {
    throw S3.InvalidArgument(`The form field ${name} contains a control character.`, { ArgumentName: name, ArgumentValue: '' });
  }
  // (Control characters were refused above; a tab is allowed.)
  return value.replace(/[^\t\u0020-\u00ff]/gu, ' ');
}

/** The <Tagging> document of the form's "tagging" field, as an x-amz-tagging header value. */
function taggingHeaderOf(xml: string): string {
  if (!xml.trimStart().startsWith('<')) throw S3.MalformedXML();
  return parseTagSet(Buffer.from(xml, 'utf8'), 'Tagging')
    .map((t) => `${encodeURIComponent(t.Key)}=${encodeURIComponent(t.Value)}`)
    .join('&');
}

/** The request headers the form stands for, as PutObject reads them. */
export function headersOf(form: PostForm): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const f of form.fields.values()) {
    if (HEADER_FIELDS.has(f.lower) || (f.lower.startsWith('x-amz-') && !AUTH_FIELDS.has(f.lower))) headers[f.lower] = asHeaderValue(f.lower, f.value);
    else if (f.lower === 'acl') headers['x-amz-acl'] = asHeaderValue('acl', f.value);
    else if (f.lower === 'tagging') headers['x-amz-tagging'] = taggingHeaderOf(f.value);
  }
  return headers;
}

/**
 * The file's bytes, held to the policy's content-length-range (EntityTooLarge / EntityTooSmall with the sizes, as
 * S3 reports them) and to S3's 5 GB; once the file has ended, the rest of the form is read and ignored.
 */
export async function* fileBody(reader: MultipartReader, range: LengthRange | undefined): AsyncGenerator<Buffer> {
  try {
    yield* limitedFile(reader, range);
  } catch (err) {
    throw err instanceof MultipartError ? malformedForm() : err;
  }
}

async function* limitedFile(reader: MultipartReader, range: LengthRange | undefined): AsyncGenerator<Buffer> {
  // PutObject's limit, which browser uploads share (S3: "up to 5 GB").
  const max = Math.min(range?.max ?? MAX_SINGLE_UPLOAD_BYTES, MAX_SINGLE_UPLOAD_BYTES);
  const it = reader.content()[Symbol.asyncIterator]();
  let size = 0;
  for (let n = await it.next(); !n.done; n = await it.next()) {
    size += n.value.length;
    if (size > max) {
      // Measure the rest (within reason) so the error says how large the upload was; nothing has been stored.
      let measured = true;
      for (let m = await it.next(); !m.done; m = await it.next()) {
        size += m.value.length;
        if (size > max + MEASURE_BEYOND_BYTES) {
          measured = false;
          break;
        }
      }
      throw S3.EntityTooLarge(undefined, { ...(measured ? { ProposedSize: String(size) } : {}), MaxSizeAllowed: String(max) });
    }
    yield n.value;
  }
  if (range && size < range.min) throw S3.EntityTooSmall(undefined, { ProposedSize: String(size), MinSizeAllowed: String(range.min) });
  await reader.drain();
}
