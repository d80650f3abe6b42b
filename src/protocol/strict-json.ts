// JSON parsing for wire input: syntax via JSON.parse, plus a linear scan that refuses duplicate member
// names (JSON.parse silently keeps the last one, which lets a body say two things about one field,
// e.g. an encryption context; security.md §5) and "__proto__" members (prototype pollution).
export class StrictJsonError extends Error {}

export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (text.indexOf('"', text.indexOf('"') + 1) >= 0) checkMembers(text);
  return value;
}

function checkMembers(text: string): void {
  // Stack of key sets for the objects we are inside; null marks an array level.
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          j += 2;
          escaped = true;
        } else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (top) {
        // A string is a member name when the next non-space character is ':'.
        let k = j + 1;
        while (k < n && (text[k] === ' ' || text[k] === '\n' || text[k] === '\r' || text[k] === '\t')) k++;
        if (text[k] === ':') {
          const raw = text.slice(i, j + 1);
          const name = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
          if (name === '__proto__') throw new StrictJsonError('member name "__proto__" is not allowed');
          if (top.has(name)) throw new StrictJsonError(`duplicate member "${name}"`);
          top.add(name);
        }
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) stack.push(new Set());
    else if (c === 0x5b /* [ */) stack.push(null);
    else if (c === 0x7d || c === 0x5d) stack.pop();
    i++;
  }
}
