// multipart/form-data bodies as browsers write them, for S3 POST Object (browser-based upload) tests.
import { randomBytes } from 'node:crypto';

export type Field = [string, string];
export interface FilePart {
  name?: string;
  filename?: string;
  contentType?: string;
  content: Buffer | string;
}

/** A multipart/form-data body as a browser writes it: the fields in order, then the file. */
export function form(fields: ReadonlyArray<Field>, file?: FilePart, after: ReadonlyArray<Field> = []): { body: Buffer; contentType: string } {
  const boundary = `----KeyholdFormBoundary${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  const field = ([name, value]: Field) => parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  fields.forEach(field);
  if (file) {
    const disposition = `form-data; name="${file.name ?? 'file'}"${file.filename !== undefined ? `; filename="${file.filename}"` : ''}`;
    const type = file.contentType ? `Content-Type: ${file.contentType}\r\n` : '';
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(file.content), Buffer.from('\r\n'));
  }
  after.forEach(field);
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
