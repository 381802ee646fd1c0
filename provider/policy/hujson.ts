// Parsing of the policy text exactly as strictly as Headscale reads it.
//
// Headscale stores the policy as HuJSON (Tailscale's "human JSON": JSON plus `//` and `/* */` comments
// and trailing commas) and parses it with github.com/tailscale/hujson before decoding it. We parse with
// `json5`, a superset of HuJSON, so that comments and trailing commas work; then a small scanner walks
// the same text and reports everything JSON5 accepts but Headscale's parser would reject (single quotes,
// unquoted keys, hex numbers, NaN…), so a policy that passes here does not fail later at apply time.
import JSON5 from "json5";
import { at, PolicyPositions } from "./paths.js";

export type ParsedPolicy =
  /** `positions`: where each value starts, so that every later problem can name its line and column too. */
  { ok: true; value: Record<string, unknown>; positions: PolicyPositions } | { ok: false; line: number; column: number; message: string };
type ParseFailure = Extract<ParsedPolicy, { ok: false }>;

/**
 * Parses a policy written in HuJSON. Errors carry a 1-based line and column (in UTF-16 units, like
 * editors and json5 count) and a message that says how to fix the text.
 *
 * The empty text is an error too: Headscale reads "" as "no policy at all", which is not the same as
 * `{}` (a policy without rules); callers that accept "" must handle it before calling this.
 */
export function parsePolicyText(text: string): ParsedPolicy {
  if (firstTokenOffset(text) >= text.length) {
    return located(text, {
      offset: text.length,
      message: 'the policy text is empty; write {} for a policy without rules (Headscale reads an empty text as "no policy")',
    });
  }
  // Report whichever problem comes first in the text: a JSON5-only construct early in the text is the
  // thing to fix even when a real syntax error follows later.
  const { issue: strictness, positions } = scanHuJson(text);
  let value: unknown;
  try {
    value = JSON5.parse(text);
  } catch (e) {
    const syntax = fromJson5Error(text, e);
    if (strictness && strictness.offset <= offsetOf(text, syntax.line, syntax.column)) return located(text, strictness);
    return syntax;
  }
  if (strictness) return located(text, strictness);

  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const at = firstTokenOffset(text);
    return located(text, {
      offset: at,
      message: `the policy must be a JSON object at the top level ({ "acls": [...], ... }), not ${describeJson(value)}`,
    });
  }
  return { ok: true, value: value as Record<string, unknown>, positions };
}

interface Issue {
  offset: number;
  message: string;
}

function located(text: string, issue: Issue): ParsedPolicy {
  const { line, column } = lineColumn(text, issue.offset);
  return { ok: false, line, column, message: issue.message };
}

/** 1-based line and column of a UTF-16 offset; only "\n" starts a line (as in json5 and hujson). */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", offset);
    if (nl === -1) return text.length;
    offset = nl + 1;
  }
  return offset + column - 1;
}

function fromJson5Error(text: string, e: unknown): ParseFailure {
  const err = e as { message?: unknown; lineNumber?: unknown; columnNumber?: unknown };
  const line = typeof err.lineNumber === "number" ? err.lineNumber : 1;
  const column = typeof err.columnNumber === "number" ? err.columnNumber : 1;
  // json5 says e.g. "JSON5: invalid character 'x' at 3:8"; the position is returned separately.
  let message = (typeof err.message === "string" ? err.message : String(e)).replace(/^JSON5: /, "").replace(/ at \d+:\d+$/, "");
  const bad = /^invalid character '(.*)'$/.exec(message);
  if (bad) {
    let char = bad[1]!;
    try {
      char = JSON.parse(`"${char}"`) as string; // json5 escapes quotes and control characters
    } catch {
      /* keep it as json5 wrote it */
    }
    message = `unexpected character ${JSON.stringify(char)}`;
    // A value that starts right after another value: the usual cause is a missing comma.
    const before = text.slice(0, offsetOf(text, line, column)).replace(/\s+$/, "");
    if (/["'\]}\w]$/.test(before) && /["'{[\w-]/.test(char)) message += "; a comma is probably missing before it";
  } else if (/^invalid end of input/.test(message)) {
    message = 'unexpected end of the text: a closing }, ] or " is missing';
  }
  return { ok: false, line, column, message: `syntax error: ${message}` };
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** Offset of the first character that is neither whitespace nor inside a comment (text.length if none). */
function firstTokenOffset(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isJson5Space(c)) i++;
    else if (text.startsWith("//", i)) {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl + 1;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) return i; // unterminated: not empty, a syntax error for json5 to report
      i = end + 2;
    } else return i;
  }
  return i;
}

// ---- the strictness scanner ---------------------------------------------------------------------------

/** Whitespace HuJSON accepts between tokens: exactly JSON's. */
const isJsonSpace = (c: string): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";

/** Whitespace JSON5 also accepts (ECMAScript's), which HuJSON rejects. */
const EXTRA_JSON5_SPACE: Record<string, string> = {
  "\v": "vertical tab",
  "\f": "form feed",
  "\u00a0": "no-break space",
  "\ufeff": "byte-order mark",
  "\u2028": "line separator",
  "\u2029": "paragraph separator",
  "\u1680": "Ogham space mark",
  "\u202f": "narrow no-break space",
  "\u205f": "medium mathematical space",
  "\u3000": "ideographic space",
};
const isExtraJson5Space = (c: string): boolean => c in EXTRA_JSON5_SPACE || (c >= "\u2000" && c <= "\u200a");
const isJson5Space = (c: string): boolean => isJsonSpace(c) || isExtraJson5Space(c);

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const JSON_ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const CONTROL_NAMES: Record<string, string> = { "\t": "\\t", "\b": "\\b", "\f": "\\f" };

interface Container {
  kind: "object" | "array";
  /** Path of the object or array itself ("" for the whole policy). */
  path: string;
  keys: Set<string>;
  /** In an object: the next string or word is a member name. */
  expectKey: boolean;
  /** In an object: the member whose value comes next. In an array: the index of the next element. */
  key: string;
  index: number;
}

/**
 * Walks the text token by token and returns the first construct that JSON5 accepts but HuJSON does
 * not, plus duplicate member names (Headscale 0.27+ rejects those; JSON5 silently keeps the last one).
 * It stops quietly at anything it does not understand: json5 reports real syntax errors better. On the
 * way it records where each value starts.
 */
function scanHuJson(text: string): { issue?: Issue; positions: PolicyPositions } {
  const positions = new PolicyPositions(text);
  const issue = findNonHuJson(text, positions);
  return issue ? { issue, positions } : { positions };
}

function findNonHuJson(text: string, positions: PolicyPositions): Issue | undefined {
  const stack: Container[] = [];
  const top = (): Container | undefined => stack[stack.length - 1];
  /** Path of the value that starts here. */
  const valuePath = (c: Container | undefined): string => (!c ? "" : c.kind === "object" ? at(c.path, c.key) : at(c.path, c.index));
  let i = 0;
  const n = text.length;

  while (i < n) {
    const c = text[i]!;

    if (isJsonSpace(c)) {
      i++;
      continue;
    }
    if (isExtraJson5Space(c)) {
      const name = EXTRA_JSON5_SPACE[c] ?? "space";
      const code = `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
      const fix = c === "\ufeff" && i === 0 ? "remove it from the start of the text" : "replace it with a plain space or line break";
      return {
        offset: i,
        message: `invisible character ${code} (${name}) between tokens: Headscale accepts only spaces, tabs and line breaks there; ${fix}`,
      };
    }
    if (text.startsWith("//", i)) {
      const nl = text.indexOf("\n", i);
      if (nl === -1) {
        // hujson ends a line comment only at "\n": `{...} // note` at the very end is "unexpected EOF".
        return {
          offset: i,
          message: "a // comment on the last line must end with a line break (Headscale's parser requires it); add a newline at the end of the text",
        };
      }
      i = nl + 1;
      continue;
    }
    if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) return undefined;
      i = end + 2;
      continue;
    }

    const container = top();
    const isKey = container?.kind === "object" && container.expectKey;

    const path = isKey ? "" : valuePath(container);
    if (!isKey && "]},:".indexOf(c) === -1) positions.record(path, i);
    switch (c) {
      case "{":
        stack.push({ kind: "object", path, keys: new Set(), expectKey: true, key: "", index: 0 });
        i++;
        continue;
      case "[":
        stack.push({ kind: "array", path, keys: new Set(), expectKey: false, key: "", index: 0 });
        i++;
        continue;
      case "}":
      case "]":
        stack.pop();
        i++;
        continue;
      case ",":
        if (container?.kind === "object") container.expectKey = true;
        if (container?.kind === "array") container.index++;
        i++;
        continue;
      case ":":
        if (container?.kind === "object") container.expectKey = false;
        i++;
        continue;
    }

    if (c === '"' || c === "'") {
      const str = scanString(text, i);
      if (!str) return undefined;
      if (str.issue) return str.issue;
      if (c === "'") {
        const what = isKey ? "member name" : "string";
        return {
          offset: i,
          message: `single-quoted ${what} '${str.value}': Headscale's HuJSON parser accepts only double quotes; use double quotes: ${JSON.stringify(str.value)}`,
        };
      }
      if (isKey && container) {
        const dup = duplicateKey(container, str.value, i);
        if (dup) return dup;
        container.key = str.value;
        positions.record(at(container.path, str.value), i);
      }
      i = str.end;
      continue;
    }

    const word = /^[\p{ID_Continue}$+\-.\\]+/u.exec(text.slice(i, i + 200))?.[0];
    if (!word) return undefined;
    if (isKey) {
      return {
        offset: i,
        message: `unquoted member name ${word}: Headscale's HuJSON parser needs quoted names; use double quotes: ${JSON.stringify(word)}`,
      };
    }
    const problem = checkLiteral(word);
    if (problem) return { offset: i, message: problem };
    i += word.length;
  }
  return undefined;
}

function duplicateKey(container: Container, key: string, offset: number): Issue | undefined {
  if (container.keys.has(key)) {
    return {
      offset,
      message: `duplicate member name ${JSON.stringify(key)} in the same object: Headscale rejects the policy (JSON5 would silently keep the last one); merge the two entries`,
    };
  }
  container.keys.add(key);
  return undefined;
}

/** Checks a bare word in value position: true/false/null and JSON numbers pass; JSON5 extras do not. */
function checkLiteral(word: string): string | undefined {
  if (word === "true" || word === "false" || word === "null" || JSON_NUMBER.test(word)) return undefined;
  if (/^[+-]?(?:Infinity|NaN)$/.test(word)) {
    return `${word} is not a JSON number (JSON5-only syntax that Headscale rejects); write a finite number, or a string in double quotes`;
  }
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]+)$/.exec(word);
  if (hex) {
    const decimal = (hex[1] === "-" ? -1 : 1) * parseInt(hex[2]!, 16);
    return `hexadecimal number ${word} is not JSON (JSON5-only syntax that Headscale rejects); write it in decimal: ${decimal}`;
  }
  const asNumber = Number(word);
  if (/^[+-]?[\d.]/.test(word) && Number.isFinite(asNumber)) {
    const why = word.startsWith("+") ? "a leading +" : "a leading or trailing decimal point";
    return `number ${word} uses ${why}, which is JSON5-only syntax that Headscale rejects; write ${JSON.stringify(asNumber)}`;
  }
  return `${word} is not valid JSON here; put text in double quotes: ${JSON.stringify(word)}`;
}

/**
 * Scans a quoted string starting at `start`. Returns its (approximately decoded) value and end offset,
 * an issue for JSON5-only escapes or raw control characters, or undefined if it is unterminated.
 */
function scanString(text: string, start: number): { value: string; end: number; issue?: Issue } | undefined {
  const quote = text[start]!;
  let value = "";
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === quote) return { value, end: i + 1 };
    if (c === "\\") {
      const e = text[i + 1];
      if (e === undefined) return undefined;
      if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      if (JSON_ESCAPES.has(e) || (quote === "'" && e === "'")) {
        value += ({ b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" } as Record<string, string>)[e] ?? e;
        i += 2;
        continue;
      }
      if (quote === "'") {
        // The quote style is reported anyway; keep decoding leniently.
        value += e;
        i += 2;
        continue;
      }
      return { value, end: i, issue: { offset: i, message: escapeProblem(e, text.slice(i + 2, i + 4)) } };
    }
    if (quote === '"' && c < " ") {
      const shown = CONTROL_NAMES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
      return {
        value,
        end: i,
        issue: { offset: i, message: `raw control character inside a string (JSON5 allows it, Headscale does not); write it as ${shown}` },
      };
    }
    value += c;
    i++;
  }
  return undefined;
}

function escapeProblem(e: string, next2: string): string {
  const prefix = `escape \\${e === "\n" || e === "\r" ? "<line break>" : e} is JSON5-only syntax that Headscale rejects;`;
  if (e === "\n" || e === "\r" || e === "\u2028" || e === "\u2029") return `${prefix} join the lines into one string (or use \\n)`;
  if (e === "'") return `${prefix} write ' without the backslash`;
  if (e === "x" && /^[0-9a-fA-F]{2}$/.test(next2)) return `${prefix} write \\u00${next2.toLowerCase()}`;
  if (e === "v") return `${prefix} write \\u000b`;
  if (e === "0") return `${prefix} write \\u0000`;
  return `${prefix} JSON allows only \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write the character itself (or \\\\ for a backslash)`;
}
