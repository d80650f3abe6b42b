// IAM wildcard matching: '*' matches any run of characters (including none), '?' exactly one.
// Compiled patterns are cached: policies are evaluated on every request.
const cache = new Map<string, RegExp>();

export function wildcardRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const id = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let re = cache.get(id);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(id, re);
  }
  return re;
}

export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  return wildcardRegExp(pattern, ignoreCase).test(value);
}

/** ARN matching as ArnLike does: six colon-separated parts, each matched with wildcards on its own. */
export function arnMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = pattern.split(':');
  const a = arn.split(':');
  if (p.length < 6 || a.length < 6) return wildcardMatch(pattern, arn);
  const pHead = p.slice(0, 5);
  const aHead = a.slice(0, 5);
  return pHead.every((part, i) => wildcardMatch(part, aHead[i]!)) && wildcardMatch(p.slice(5).join(':'), a.slice(5).join(':'));
}
