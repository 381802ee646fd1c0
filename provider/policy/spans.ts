// A span scanner for well-formed HuJSON (the text has passed parsePolicyText): where each value and member
// starts and ends, with the comments before it, so composition can copy entries exactly as written.

export interface Member {
  /** Member name in an object; undefined for an array element. */
  key?: string;
  /** Comments before the entry. */
  lead: string;
  /** The value as written. */
  raw: string;
  /** Comments between the value and its comma. */
  mid: string;
  /** A comment on the same line after the comma. */
  trail: string;
  /** Column of the entry's first character (its member name, or the value in an array). */
  column: number;
  value: Scanned;
}

export interface Scanned {
  end: number;
  members?: Member[];
  /** Comments before the closing bracket. */
  tail?: string;
}

export function skipSpace(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith("//", i)) {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl + 1;
    } else if (text.startsWith("/*", i)) i = text.indexOf("*/", i + 2) + 2;
    else return i;
  }
}

function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

function columnAt(text: string, i: number): number {
  return i - (text.lastIndexOf("\n", i - 1) + 1);
}

export function scanValue(text: string, i: number): Scanned {
  const c = text[i];
  if (c === '"') return { end: stringEnd(text, i) };
  if (c !== "{" && c !== "[") {
    let j = i;
    while (j < text.length && !/[\s,\]}/]/.test(text[j]!)) j++;
    return { end: j };
  }
  const close = c === "{" ? "}" : "]";
  const members: Member[] = [];
  let prev = i + 1; // just after the opening bracket or the previous entry's comma (and its trailing comment)
  for (;;) {
    const start = skipSpace(text, prev);
    if (text[start] === close) return { end: start + 1, members, tail: text.slice(prev, start).trim() };
    let key: string | undefined;
    let at = start;
    if (close === "}") {
      const keyEnd = stringEnd(text, start);
      key = JSON.parse(text.slice(start, keyEnd)) as string;
      at = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the ':'
    }
    const value = scanValue(text, at);
    const next = skipSpace(text, value.end);
    const mid = text.slice(value.end, next).trim();
    let trail = "";
    let after = next;
    if (text[next] === ",") {
      after = next + 1;
      const lineEnd = text.indexOf("\n", after);
      const rest = text.slice(after, lineEnd === -1 ? text.length : lineEnd);
      if (/^\s*(\/\/|\/\*.*\*\/\s*$)/.test(rest)) {
        trail = rest.trim();
        after = lineEnd === -1 ? text.length : lineEnd;
      }
    }
    const lead = text.slice(prev, start).trim();
    members.push({
      ...(key === undefined ? {} : { key }),
      lead,
      raw: text.slice(at, value.end),
      mid,
      trail,
      column: columnAt(text, start),
      value,
    });
    prev = after;
  }
}
