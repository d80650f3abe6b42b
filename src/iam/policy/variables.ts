// Policy variables (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
// ${aws:username}, ${aws:PrincipalAccount}, any single-valued context key, ${key, 'default'}, and the
// escapes ${*} ${?} ${$}. Only in Version 2012-10-17 documents. An unresolvable variable makes the
// element match nothing (AWS treats the element as not matching).
import type { ContextValues } from './request-context.js';

const VAR_RE = /\$\{([^}]*)\}/g;
export const UNRESOLVED = '\u0000unresolved\u0000';

export function substitute(text: string, ctx: ContextValues, enabled: boolean): string {
  if (!enabled || !text.includes('${')) return text;
  let unresolved = false;
  const out = text.replace(VAR_RE, (_m, inner: string) => {
    const name = inner.trim();
    if (name === '*' || name === '?' || name === '$') return `\u0001${name}`;
    const def = /^([^,]+),\s*'([^']*)'$/.exec(name);
    const key = (def ? def[1]! : name).trim().toLowerCase();
    const values = ctx.get(key);
    if (values && values.length === 1) return values[0]!;
    if (def) return def[2]!;
    unresolved = true;
    return '';
  });
  if (unresolved) return UNRESOLVED;
  return out;
}

/** Escaped wildcard characters from ${*} / ${?} must match literally: turn them back after matching set-up. */
export function hasEscapes(s: string): boolean {
  return s.includes('\u0001');
}
