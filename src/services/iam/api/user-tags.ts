// IAM user tags: TagUser, UntagUser, ListUserTags, and the Tags of CreateUser
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html). At most 50 tags per user, keys of 1–128
// and values of 0–256 characters from IAM's tag alphabet; keys are unique without regard to case, and a tag
// set on a key already present replaces its value. Tagging needs iam:TagUser, also when CreateUser carries tags.
import type { Input } from '../../../protocol/fields.js';
import { InvalidInput, LimitExceeded, ValidationError } from '../errors.js';
import { authorizeOnUser, existing, type IamOperationDef, param } from './common.js';

export type Tag = { Key: string; Value: string };

const MAX_TAGS = 50;
// IAM's tag pattern (API reference, Tag): letters, spaces, numbers and _ . : / = + - @.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function constraint(value: string, field: string, rule: string): never {
  throw new ValidationError(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`);
}

/** The numbered members of a Query list (`Name.member.1`, `Name.member.2`, ...), as far as they go without a gap. */
function members(input: Input, name: string, field?: string): string[] {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const v = input[`${name}.member.${i}${field ? `.${field}` : ''}`];
    if (v === undefined) return out;
    out.push(String(v));
  }
}

/** The tags of a request's `Tags` list, checked. */
export function requestTags(input: Input): Tag[] {
  const keys = members(input, 'Tags', 'Key');
  const tags = keys.map((Key, i) => ({ Key, Value: String(input[`Tags.member.${i + 1}.Value`] ?? '') }));
  tags.forEach((t, i) => {
    const at = `tags.${i + 1}.member`;
    if (t.Key.length < 1) constraint(t.Key, `${at}.key`, 'Member must have length greater than or equal to 1');
    if (t.Key.length > 128) constraint(t.Key, `${at}.key`, 'Member must have length less than or equal to 128');
    if (!TAG_TEXT.test(t.Key)) constraint(t.Key, `${at}.key`, `Member must satisfy regular expression pattern: ${TAG_TEXT.source}`);
    if (t.Value.length > 256) constraint(t.Value, `${at}.value`, 'Member must have length less than or equal to 256');
    if (!TAG_TEXT.test(t.Value)) constraint(t.Value, `${at}.value`, `Member must satisfy regular expression pattern: ${TAG_TEXT.source}`);
  });
  if (new Set(tags.map((t) => t.Key.toLowerCase())).size !== tags.length) {
    throw new InvalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  }
  if (tags.length > MAX_TAGS) constraint(`[${keys.join(', ')}]`, 'tags', `Member must have length less than or equal to ${MAX_TAGS}`);
  return tags;
}

/** `tags` with `added` set (a key already present, in any case, takes the new key and value). */
export function withTags(tags: ReadonlyArray<Tag>, added: ReadonlyArray<Tag>): Tag[] {
  const out = tags.filter((t) => !added.some((a) => a.Key.toLowerCase() === t.Key.toLowerCase()));
  const merged = [...out, ...added];
  if (merged.length > MAX_TAGS) throw new LimitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);
  return merged;
}

export const tagUser: IamOperationDef = {
  name: 'TagUser',
  readOnly: false,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    await authorizeOnUser(deps, ctx, 'TagUser', name);
    const added = requestTags(input);
    if (added.length === 0)
      throw new ValidationError("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    await deps.identity.updateUserTags(ctx.principal.accountId, name, (tags) => withTags(tags, added));
    return {};
  },
};

export const untagUser: IamOperationDef = {
  name: 'UntagUser',
  readOnly: false,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    await authorizeOnUser(deps, ctx, 'UntagUser', name);
    const keys = members(input, 'TagKeys');
    if (keys.length === 0)
      throw new ValidationError("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    const gone = new Set(keys.map((k) => k.toLowerCase()));
    await deps.identity.updateUserTags(ctx.principal.accountId, name, (tags) => tags.filter((t) => !gone.has(t.Key.toLowerCase())));
    return {};
  },
};

export const listUserTags: IamOperationDef = {
  name: 'ListUserTags',
  readOnly: true,
  async handler(deps, ctx, input) {
    const name = param(input, 'UserName', true);
    const user = existing(await authorizeOnUser(deps, ctx, 'ListUserTags', name), name);
    return { Tags: user.tags ?? [], IsTruncated: false };
  },
};
