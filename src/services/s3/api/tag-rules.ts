// S3 tag rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html,
// https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): keys of 1-128 and values of 0-256
// Unicode characters drawn from letters, digits, spaces and _ . : / = + - @; no key twice; the aws: prefix is
// reserved; at most 10 tags on an object and 50 on a bucket. The x-amz-tagging header is a URL-encoded query
// string. Error codes and messages as S3's (quoted by versity/versitygw's tests against AWS).
import { S3 } from '../errors.js';

export type Tag = { Key: string; Value: string };

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Tags as GetObjectTagging and GetBucketTagging list them: by key. S3 keeps no order of its own (localstack sorts
 * AWS's answers before comparing them); sorted is what ceph's s3-tests expect and what a reader can rely on.
 */
export const byKey = (tags: ReadonlyArray<Tag>): Tag[] => [...tags].sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0));
const chars = (s: string) => [...s].length;

export function checkTags(tags: ReadonlyArray<Tag>, limit: { max: number; what: 'Object' | 'Bucket' | 'CreateBucket' }): void {
  if (tags.length > limit.max)
    throw S3.BadRequest(limit.what === 'Object' ? `Object tags cannot be greater than ${limit.max}` : `Bucket tag count cannot be greater than ${limit.max}`);
  const seen = new Set<string>();
  for (const { Key, Value } of tags) {
    // S3 names the offending tag in the error (TagKey, and TagValue for a bad value; AWS-recorded answers).
    if (chars(Key) < 1 || chars(Key) > 128 || !TAG_TEXT.test(Key)) throw S3.InvalidTag('The TagKey you have provided is invalid', { TagKey: Key });
    if (chars(Value) > 256 || !TAG_TEXT.test(Value)) throw S3.InvalidTag('The TagValue you have provided is invalid', { TagKey: Key, TagValue: Value });
    // Each operation words it its own way (AWS's recordings); CreateBucket's names no TagKey.
    if (Key.toLowerCase().startsWith('aws:')) {
      if (limit.what === 'CreateBucket')
        throw S3.InvalidTag(
          'User-defined tag keys can\'t start with "aws:". This prefix is reserved for system tags. Remove "aws:" from your tag keys and try again.',
        );
      throw S3.InvalidTag(limit.what === 'Object' ? 'Your TagKey cannot be prefixed with aws:' : 'System tags cannot be added/updated by requester', {
        TagKey: Key,
      });
    }
    if (seen.has(Key)) throw S3.InvalidTag('Cannot provide multiple Tags with the same key', { TagKey: Key });
    seen.add(Key);
  }
}

const BAD_TAGGING_HEADER = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";

/** The x-amz-tagging header (PutObject, CreateMultipartUpload, CopyObject with REPLACE): key[=value]&... */
export function parseTaggingHeader(header: string | undefined): Tag[] {
  if (header === undefined) return [];
  const bad = () => S3.InvalidArgument(BAD_TAGGING_HEADER, { ArgumentName: 'x-amz-tagging', ArgumentValue: header });
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw bad();
    }
  };
  const tags: Tag[] = [];
  for (const pair of header.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const Key = decode(eq < 0 ? pair : pair.slice(0, eq));
    // A second "=" not URL-encoded is not a query parameter ("key1=val1,key2=val2": AWS's recorded refusal).
    if (eq >= 0 && pair.includes('=', eq + 1)) throw bad();
    const Value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (Key === '' || tags.some((t) => t.Key === Key)) throw bad();
    tags.push({ Key, Value });
  }
  checkTags(tags, { max: 10, what: 'Object' });
  return tags;
}

/**
 * The tag condition keys of a request that sets tags (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html):
 * s3:RequestObjectTagKeys (every key) and s3:RequestObjectTag/<key> (its value), for authorizeS3's extra keys.
 */
export function requestTagKeys(tags: ReadonlyArray<Tag>): Record<string, string[]> {
  if (tags.length === 0) return {};
  return { 's3:RequestObjectTagKeys': tags.map((t) => t.Key), ...Object.fromEntries(tags.map((t) => [`s3:RequestObjectTag/${t.Key}`, [t.Value]])) };
}

/** s3:ExistingObjectTag/<key> for an operation on an object version (none for a delete marker or no version). */
export function existingTagKeys(v: { deleteMarker: boolean; tags: ReadonlyArray<Tag> } | undefined): Record<string, string[]> {
  if (!v || v.deleteMarker) return {};
  return Object.fromEntries(v.tags.map((t) => [`s3:ExistingObjectTag/${t.Key}`, [t.Value]]));
}
