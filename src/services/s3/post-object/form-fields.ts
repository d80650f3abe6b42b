// The form of a browser-based upload, read up to its file: the fields before the file are buffered (S3 caps
// them at 20 KB together), the file itself is left in the reader to be streamed, and fields after the file
// are ignored, as S3 documents ("The file or text content must be the last field in the form").
import type { IncomingMessage } from 'node:http';
import { formBoundary, MultipartError, MultipartReader, type PartHead } from '../../../protocol/multipart-form.js';
import { S3, S3Error } from '../errors.js';

export interface FormField {
  /** The name as sent (S3 matches names case-insensitively and reports them as sent). */
  name: string;
  lower: string;
  value: string;
}

/** Fields by lower-cased name; the first of repeated names counts. */
export type FormFields = Map<string, FormField>;

export interface PostForm {
  fields: FormFields;
  file: PartHead;
  reader: MultipartReader;
}

/** S3's limit on the form fields preceding the file. */
export const MAX_PRE_DATA_BYTES = 20 * 1024;

export const malformedForm = () => new S3Error('MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.');
const preDataTooLarge = () => new S3Error('MaxPostPreDataLengthExceeded', 400, 'Your POST request fields preceding the upload file were too large.');

export async function readPostForm(req: IncomingMessage): Promise<PostForm> {
  const boundary = formBoundary(req.headers['content-type']);
  if (boundary === undefined) {
    throw S3.PreconditionFailed(undefined, { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
  }
  const reader = new MultipartReader(req as AsyncIterable<Buffer>, boundary);
  const fields: FormFields = new Map();
  let preData = 0;
  try {
    for (let part = await reader.nextPart(); part; part = await reader.nextPart()) {
      const lower = part.name.toLowerCase();
      // The file may come as a text field without a filename (S3 takes it either way).
      if (lower === 'file') return { fields, file: part, reader };
      const value = await reader.text(MAX_PRE_DATA_BYTES - preData, preDataTooLarge);
      preData += Buffer.byteLength(part.name) + Buffer.byteLength(value);
      if (preData > MAX_PRE_DATA_BYTES) throw preDataTooLarge();
      if (!fields.has(lower)) fields.set(lower, { name: part.name, lower, value });
    }
  } catch (err) {
    if (err instanceof MultipartError) throw malformedForm();
    throw err;
  }
  throw S3.InvalidArgument('POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });
}
