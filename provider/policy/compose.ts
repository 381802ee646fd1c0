// Composition: one policy text made from the Policy's own text and named fragments, each contributing
// sections. Deterministic (sections in the table order, fragments sorted by name) and comment-keeping:
// each source's entries are copied as written, comments included, under a header naming the source.
//
// Headscale stores one document, so fragments are plain values merged here at plan time, not resources
// that each rewrite the server's text. Conflicts (one name defined differently by two sources) and
// references nobody defines (found by validatePolicy on the merged text) name their sources.
import { parsePolicyText } from "./hujson.js";
import { at as pathOf, type PolicyPositions, type Position } from "./paths.js";
import { POLICY_SECTIONS } from "./sections.js";
import { canonicalPolicyText } from "./semantic.js";
import { scanValue, skipSpace, type Member } from "./spans.js";

export interface ComposeProblem {
  /** The fragment at fault; undefined for the Policy's own text. */
  fragment?: string;
  message: string;
}

export type Composition =
  | {
      ok: true;
      /** The merged HuJSON text: what is written to the server. */
      text: string;
      value: Record<string, unknown>;
      /**
       * Where a path of the merged policy comes from: the source, the same value's path in that source's
       * text (`acls[3].src[0]` → `acls[0].src[0]` of fragment "svc-web") and its line and column there.
       */
      originOf(path: string): Origin | undefined;
    }
  | { ok: false; problems: ComposeProblem[] };

export interface Origin extends Partial<Position> {
  /** The fragment; undefined for the Policy's own text. */
  fragment?: string;
  /** `the policy` or `fragment "name"`. */
  label: string;
  /** The path in the source's own text. */
  path: string;
}

// ---- how sections merge ----------------------------------------------------------------------------
//
// By the sections table's shape (unknown sections by their JSON shape): a list of entries concatenates its
// sources' entries (rules keep their order: the Policy's own first, then each fragment's in name order); a
// map is a set of definitions, each name defined once (the same name in two sources must mean the same,
// and is written once); a single value must be the same in every source; an object section
// (autoApprovers) merges member by member, each member by its JSON shape.
const SECTION_ORDER: readonly string[] = Object.keys(POLICY_SECTIONS);
const isNested = (section: string): boolean => (POLICY_SECTIONS as Record<string, { shape: string }>)[section]?.shape === "object";

const BASE_LABEL = "the policy";
export const fragmentLabel = (name: string): string => `fragment ${JSON.stringify(name)}`;

interface Source {
  fragment?: string;
  label: string;
  text: string;
  value: Record<string, unknown>;
  positions: PolicyPositions;
  members: Member[];
  /** Comments after the last section. */
  tail: string;
}

/**
 * Merges `base` (the Policy's own text; optional) with every fragment. Without fragments the result is
 * the base text exactly as written.
 */
export function composePolicy(base: string | undefined, fragments: Record<string, string> | undefined): Composition {
  const names = Object.keys(fragments ?? {}).sort(byCodeUnit);
  const problems: ComposeProblem[] = [];
  const sources: Source[] = [];
  const add = (fragment: string | undefined, text: string) => {
    const label = fragment === undefined ? BASE_LABEL : fragmentLabel(fragment);
    if (fragment !== undefined && (fragment.trim() === "" || /[\u0000-\u001f\u2028\u2029]/.test(fragment))) {
      problems.push({ fragment, message: `${label}: a fragment name must be non-empty text on one line` });
      return;
    }
    const parsed = parsePolicyText(text);
    if (!parsed.ok) {
      problems.push({
        fragment,
        message: `${fragment === undefined ? "" : `${label}: `}line ${parsed.line}, column ${parsed.column}: ${parsed.message}`,
      });
      return;
    }
    const rootStart = skipSpace(text, 0);
    const root = scanValue(text, rootStart);
    // Comments before the opening brace, after the closing one, and before it: kept at the end.
    const tail = [text.slice(0, rootStart), root.tail ?? "", text.slice(root.end)]
      .map((t) => t.trim())
      .filter(Boolean)
      .join("\n");
    sources.push({ fragment, label, text, value: parsed.value, positions: parsed.positions, members: root.members ?? [], tail });
  };
  if (base !== undefined) add(undefined, base);
  for (const name of names) add(name, fragments![name]!);
  if (problems.length) return { ok: false, problems };
  if (names.length === 0) {
    if (!sources[0]) return { ok: false, problems: [{ message: "set policy, fragments, or both" }] };
    const only = sources[0];
    return {
      ok: true,
      text: only.text,
      value: only.value,
      originOf: (path) => ({ label: BASE_LABEL, path, ...only.positions.locate(path) }),
    };
  }

  const sectionNames = [...new Set([...SECTION_ORDER, ...sources.flatMap((s) => s.members.map((m) => m.key!))])];
  const origins: Origins = new Map();
  const out: string[] = [];
  const value: Record<string, unknown> = {};
  for (const section of sectionNames) {
    const parts = sources.flatMap((s) => s.members.filter((m) => m.key === section).map((m) => ({ source: s, member: m, value: s.value[section] })));
    if (parts.length === 0) continue;
    const merged = mergeSection(section, parts, "  ", origins, problems);
    if (!merged) continue;
    out.push(merged.text);
    value[section] = merged.value;
  }
  for (const s of sources) if (s.tail) out.push(commentBlock(s, s.tail, "  "));
  if (problems.length) return { ok: false, problems };
  const text = `{\n${out.join("\n")}\n}\n`;
  return {
    ok: true,
    text,
    value,
    originOf(path) {
      // Longest recorded prefix that ends at a path boundary.
      for (let end = path.length; end > 0; end--) {
        const o = origins.get(path.slice(0, end));
        if (!o || (end < path.length && !/[.[]/.test(path[end]!))) continue;
        const inSource = o.path + path.slice(end);
        return {
          ...(o.source.fragment === undefined ? {} : { fragment: o.source.fragment }),
          label: o.source.label,
          path: inSource,
          ...o.source.positions.locate(inSource),
        };
      }
      return undefined;
    },
  };
}

/** Merged path → the source it came from and the same value's path there. */
type Origins = Map<string, { source: Source; path: string }>;

interface Part {
  source: Source;
  member: Member;
  value: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const same = (a: unknown, b: unknown, path: string[]): boolean => {
  const wrap = (v: unknown) => path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), v);
  return canonicalPolicyText(wrap(a)) === canonicalPolicyText(wrap(b));
};

/** One section (or a NESTED section's member) from every source that has it; null when it conflicts. */
function mergeSection(
  key: string,
  parts: Part[],
  indent: string,
  origins: Origins,
  problems: ComposeProblem[],
  path: string[] = [key],
): { text: string; value: unknown } | null {
  const where = path.reduce<string>((p, k) => pathOf(p, k), "");
  const shape = (v: unknown) => (Array.isArray(v) ? "list" : isObject(v) ? "map" : "value");
  const kinds = new Set(parts.map((p) => shape(p.value)));
  if (kinds.size > 1) {
    problems.push(
      conflict(
        parts[0]!.source,
        parts.find((p) => shape(p.value) !== shape(parts[0]!.value))!.source,
        `${where} is a ${shape(parts[0]!.value)} in`,
        "and a different kind of value in",
        "make them the same kind",
      ),
    );
    return null;
  }
  const head = `${indent}${JSON.stringify(key)}: `;
  const inner = `${indent}  `;
  const kind = [...kinds][0]!;
  if (kind === "value") {
    const first = parts[0]!;
    const other = parts.find((p) => !same(p.value, first.value, path));
    if (other) {
      problems.push(conflict(first.source, other.source, `${where} is set by`, "and by", "differently; set it in one place"));
      return null;
    }
    origins.set(where, { source: first.source, path: where });
    return {
      text: `${header(first.source, indent)}${leadOf(first.member, indent)}${head}${entryText(first.member, indent)}`,
      value: first.value,
    };
  }
  const blocks: string[] = [];
  if (kind === "list") {
    const value: unknown[] = [];
    for (const p of parts) {
      const entries = p.member.value.members ?? [];
      entries.forEach((_entry, i) => origins.set(pathOf(where, value.length + i), { source: p.source, path: pathOf(where, i) }));
      value.push(...(p.value as unknown[]));
      blocks.push(sourceBlock(p, entries, inner));
    }
    return { text: `${head}[\n${blocks.filter(Boolean).join("\n")}\n${indent}],`, value };
  }
  const value: Record<string, unknown> = {};
  if (isNested(key) && path.length === 1) {
    const memberNames = [...new Set(parts.flatMap((p) => (p.member.value.members ?? []).map((m) => m.key!)))];
    for (const name of memberNames) {
      const sub = parts.flatMap((p) =>
        (p.member.value.members ?? [])
          .filter((m) => m.key === name)
          .map((m) => ({ source: p.source, member: m, value: (p.value as Record<string, unknown>)[name] })),
      );
      const merged = mergeSection(name, sub, inner, origins, problems, [...path, name]);
      if (!merged) continue;
      blocks.push(merged.text);
      value[name] = merged.value;
    }
    for (const p of parts) {
      const comments = [p.member.lead, p.member.value.tail ?? ""].filter(Boolean).join("\n");
      if (comments) blocks.push(commentBlock(p.source, comments, inner));
    }
    return { text: `${head}{\n${blocks.join("\n")}\n${indent}},`, value };
  }
  const definedBy = new Map<string, Source>();
  for (const p of parts) {
    const fresh: Member[] = [];
    for (const entry of p.member.value.members ?? []) {
      const name = entry.key!;
      const v = (p.value as Record<string, unknown>)[name];
      const earlier = definedBy.get(name);
      if (!earlier) {
        definedBy.set(name, p.source);
        origins.set(pathOf(where, name), { source: p.source, path: pathOf(where, name) });
        value[name] = v;
        fresh.push(entry);
      } else if (!same(value[name], v, [...path, name])) {
        problems.push(conflict(earlier, p.source, `${name} is defined by`, "and by", `differently; define it in one place (${where})`));
      }
    }
    blocks.push(sourceBlock(p, fresh, inner));
  }
  return { text: `${head}{\n${blocks.filter(Boolean).join("\n")}\n${indent}},`, value };
}

function conflict(a: Source, b: Source, before: string, between: string, after: string): ComposeProblem {
  const blamed = b.fragment ?? a.fragment;
  return { ...(blamed === undefined ? {} : { fragment: blamed }), message: `${before} ${a.label} ${between} ${b.label} ${after}` };
}

function header(source: Source, indent: string): string {
  return `${indent}// ${source.fragment === undefined ? "policy" : source.label}\n`;
}

/** One source's entries of a section, under its header, comments kept; "" when it contributes nothing. */
function sourceBlock(part: Part, entries: Member[], indent: string): string {
  // Comments before the section's closing bracket and after the section itself end the source's block.
  const comments = [part.member.value.tail ?? "", part.member.mid, part.member.trail].filter(Boolean).join("\n");
  const tail = comments ? `\n${reindentComments(comments, indent)}` : "";
  if (!entries.length && !tail) return "";
  const lead = leadOf(part.member, indent);
  const body = entries.map((e) => `${leadOf(e, indent)}${indent}${e.key === undefined ? "" : `${JSON.stringify(e.key)}: `}${entryText(e, indent)}`);
  return `${header(part.source, indent)}${lead}${body.join("\n")}${tail}`;
}

function commentBlock(source: Source, comments: string, indent: string): string {
  return `${header(source, indent)}${reindentComments(comments, indent)}`;
}

function leadOf(m: Member, indent: string): string {
  return m.lead ? `${reindentComments(m.lead, indent)}\n` : "";
}

/** Comment text (between tokens), one comment line per line at `indent`. */
function reindentComments(text: string, indent: string): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => `${indent}${l}`)
    .join("\n");
}

/**
 * An entry's value as written, its continuation lines moved from their old indentation to `indent`, then
 * the comma, then the comments that followed the value (on one line: after the comma they stay comments).
 */
function entryText(m: Member, indent: string): string {
  const lines = m.raw.split("\n");
  const strip = (l: string) => l.slice(Math.min(m.column, l.length - l.trimStart().length));
  const value = [lines[0]!, ...lines.slice(1).map((l) => (l.trim() ? `${indent}${strip(l)}` : ""))].join("\n");
  const after = [m.mid, m.trail].filter(Boolean).join("\n");
  return `${value},${
    after
      ? ` ${after
          .split("\n")
          .map((l) => l.trim())
          .join(" ")}`
      : ""
  }`;
}
