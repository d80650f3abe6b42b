// Tag input rules for CreateKey and TagResource (https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html):
// keys 1-128 chars, values 0-256, at most 50 tags per key, "aws:" prefix reserved, no duplicates in one request.
import { type Input, memberConstraintError, optList } from '../../../protocol/fields.js';
import { SerializationException } from '../../../protocol/errors.js';
import type { Tag } from '../domain/types.js';
import { TagException } from '../errors.js';

export const MAX_TAGS = 50;

export function parseTags(input: Input, field = 'Tags'): Tag[] {
  const list = optList(input, field) ?? [];
  const tags: Tag[] = [];
  const seen = new Set<string>();
  // Messages as KMS words them, with the member's 1-based position (recorded from AWS by localstack's snapshots).
  for (const [i, t] of list.entries()) {
    const { TagKey, TagValue } = (t ?? {}) as Record<string, unknown>;
    if (typeof TagKey !== 'string' || typeof TagValue !== 'string') throw new SerializationException('Each tag needs a string TagKey and TagValue.');
    const at = `tags.${i + 1}.member`;
    if (TagKey.length < 1) throw memberConstraintError(TagKey, `${at}.tagKey`, 'Member must have length greater than or equal to 1');
    if (TagKey.length > 128) throw memberConstraintError(TagKey, `${at}.tagKey`, 'Member must have length less than or equal to 128');
    if (TagValue.length > 256) throw memberConstraintError(TagValue, `${at}.tagValue`, 'Member must have length less than or equal to 256');
    // The reserved prefix in any case (KMS refuses "AWS:" too).
    if (TagKey.toLowerCase().startsWith('aws:')) throw new TagException('Tags beginning with aws: are reserved');
    if (seen.has(TagKey)) throw new TagException('Duplicate tag keys');
    seen.add(TagKey);
    tags.push({ TagKey, TagValue });
  }
  if (tags.length > MAX_TAGS) throw new TagException('Too many tags');
  return tags;
}

/** Merges new tags over existing ones (same key = new value); enforces the per-key limit. */
export function mergeTags(existing: ReadonlyArray<Tag>, added: ReadonlyArray<Tag>): Tag[] {
  const map = new Map(existing.map((t) => [t.TagKey, t.TagValue]));
  for (const t of added) map.set(t.TagKey, t.TagValue);
  if (map.size > MAX_TAGS) throw new TagException('Too many tags');
  return [...map].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}
