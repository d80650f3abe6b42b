// Tag input rules for CreateKey and TagResource (https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html):
// keys 1-128 chars, values 0-256, at most 50 tags per key, "aws:" prefix reserved, no duplicates in one request.
import { type Input, optList } from '../../../protocol/fields.js';
import { SerializationException, ValidationException } from '../../../protocol/errors.js';
import type { Tag } from '../domain/types.js';
import { TagException } from '../errors.js';

export const MAX_TAGS = 50;

export function parseTags(input: Input, field = 'Tags'): Tag[] {
  const list = optList(input, field) ?? [];
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const t of list) {
    const { TagKey, TagValue } = (t ?? {}) as Record<string, unknown>;
    if (typeof TagKey !== 'string' || typeof TagValue !== 'string') throw new SerializationException('Each tag needs a string TagKey and TagValue.');
    if (TagKey.length < 1 || TagKey.length > 128)
      throw new ValidationException(
        `1 validation error detected: Value '${TagKey}' at 'tags.member.tagKey' failed to satisfy constraint: Member must have length between 1 and 128`,
      );
    if (TagValue.length > 256)
      throw new ValidationException(
        `1 validation error detected: Value at 'tags.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256`,
      );
    if (TagKey.startsWith('aws:')) throw new TagException('Tags beginning with aws: are reserved');
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
