// Removing one top-level section from HuJSON text while keeping everything else as written (comments,
// layout): what is sent to a server that must not see a section (Headscale before 0.29 refuses `tests`,
// which the provider then runs itself).

interface Token {
  kind: "punct" | "string" | "literal";
  start: number;
  end: number;
  text: string;
}

/** Significant tokens of HuJSON text: comments and whitespace skipped, strings whole. */
function* tokens(text: string): Generator<Token> {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (text.startsWith("//", i)) i = text.includes("\n", i) ? text.indexOf("\n", i) + 1 : text.length;
    else if (text.startsWith("/*", i)) i = text.includes("*/", i + 2) ? text.indexOf("*/", i + 2) + 2 : text.length;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      yield { kind: "string", start: i, end: j + 1, text: text.slice(i, j + 1) };
      i = j + 1;
    } else if ("{}[]:,".includes(c)) {
      yield { kind: "punct", start: i, end: i + 1, text: c };
      i++;
    } else {
      let j = i;
      while (j < text.length && !/[\s{}[\]:,"/]/.test(text[j]!)) j++;
      yield { kind: "literal", start: i, end: Math.max(j, i + 1), text: text.slice(i, Math.max(j, i + 1)) };
      i = Math.max(j, i + 1);
    }
  }
}

/** The text without the top-level member `name` (and its separating comma); unchanged if it has none. */
export function withoutTopLevelSection(text: string, name: string): string {
  const all = [...tokens(text)];
  let depth = 0;
  for (let k = 0; k < all.length; k++) {
    const t = all[k]!;
    if (t.kind === "punct" && "{[".includes(t.text)) depth++;
    else if (t.kind === "punct" && "}]".includes(t.text)) depth--;
    const prev = all[k - 1];
    const isKey = depth === 1 && t.kind === "string" && prev?.kind === "punct" && (prev.text === "{" || prev.text === ",") && all[k + 1]?.text === ":";
    if (!isKey || safeParse(t.text) !== name) continue;
    // The value: from after the colon to its matching end.
    let v = k + 2;
    let nested = 0;
    do {
      const x = all[v]!;
      if (x.kind === "punct" && "{[".includes(x.text)) nested++;
      else if (x.kind === "punct" && "}]".includes(x.text)) nested--;
      v++;
    } while (nested > 0 && v < all.length);
    const valueEnd = all[v - 1]!.end;
    const next = all[v];
    if (next?.text === ",") return text.slice(0, t.start) + text.slice(next.end).replace(/^[ \t]*\r?\n/, "");
    // The last member: drop the comma before it instead (if there is one).
    const from = prev!.text === "," ? prev!.start : t.start;
    return text.slice(0, from) + text.slice(valueEnd);
  }
  return text;
}

function safeParse(quoted: string): string | undefined {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined;
  }
}
