// Semantic comparison of policies: two texts are equal when Headscale would enforce the same thing.
//
// Formatting, comments and member order never matter. Array order matters (ssh rules: the first match
// decides), except for the arrays whose order Headscale never acts on — acls and grants (they only allow),
// group members, tag owners, auto-approvers and the src/dst lists inside rules — which compare as sets
// (sections.ts lists them). Sections this file does not
// know are compared generically (keys sorted, arrays in order) and never dropped.
import { parsePolicyText } from "./hujson.js";
import { POLICY_SECTIONS, type PolicySection } from "./sections.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface SectionChange {
  section: string;
  change: "added" | "removed" | "changed";
  /** Short and human-readable, e.g. `acls: 1 rule added, 1 changed`. */
  summary: string;
}

// ---- canonical form ------------------------------------------------------------------------------------

/**
 * Arrays Headscale treats as sets, as paths (from the sections table): "*" matches any member name, "[]"
 * any array element. (Headscale resolves each of these lists to a set of addresses/identities.)
 */
const SET_LIKE: readonly (readonly string[])[] = Object.entries(POLICY_SECTIONS).flatMap(([name, spec]) => spec.setLike.map((p) => [name, ...p]));

function isSetLike(path: readonly string[]): boolean {
  return SET_LIKE.some((pattern) => pattern.length === path.length && pattern.every((seg, i) => seg === path[i] || (seg === "*" && path[i] !== "[]")));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const keyOf = (v: JsonValue): string => JSON.stringify(v);
/** Code-unit order: the same on every machine, unlike localeCompare. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function canonical(value: unknown, path: readonly string[]): JsonValue {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v, [...path, "[]"]));
    if (!isSetLike(path)) return items;
    const unique = new Map(items.map((item) => [keyOf(item), item] as const));
    return [...unique.keys()].sort(byCodeUnit).map((k) => unique.get(k)!);
  }
  if (isObject(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value).sort(byCodeUnit)) {
      if (value[key] !== undefined) out[key] = canonical(value[key], [...path, key]);
    }
    return out;
  }
  if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null; // as JSON would write it
  return null;
}

/** The policy in a canonical form: keys sorted, set-like arrays sorted and de-duplicated. */
export function canonicalPolicy(value: unknown): JsonValue {
  return canonical(value, []);
}

/** Canonical form as compact JSON: equal strings ⇔ semantically equal policies (usable as a hash input). */
export function canonicalPolicyText(value: unknown): string {
  return JSON.stringify(canonicalPolicy(value));
}

/**
 * Whether two policy texts mean the same thing. Texts that do not parse are equal only if identical
 * (an error must not hide a change); "" (no policy) differs from "{}" (a policy without rules).
 */
export function policiesEqual(aText: string, bText: string): boolean {
  if (aText === bText) return true;
  const a = parsePolicyText(aText);
  const b = parsePolicyText(bText);
  if (!a.ok || !b.ok) return false;
  return canonicalPolicyText(a.value) === canonicalPolicyText(b.value);
}

// ---- section diff --------------------------------------------------------------------------------------

/** What one entry of a section is called in summaries ("rule"), from the sections table. */
const nounOf = (section: string): string => (Object.hasOwn(POLICY_SECTIONS, section) ? POLICY_SECTIONS[section as PolicySection].noun : undefined) ?? "entry";
/** What the list inside a map entry holds, for "group:admin members changed (+carol@)". */
const memberWordOf = (section: string): string | undefined =>
  Object.hasOwn(POLICY_SECTIONS, section) ? POLICY_SECTIONS[section as PolicySection].memberWord : undefined;

const plural = (noun: string, n: number): string => (n === 1 ? noun : noun.endsWith("y") ? `${noun.slice(0, -1)}ies` : `${noun}s`);
const MAX_ITEMS = 3;

/**
 * Section-by-section differences between two parsed policies, in the order of the new policy (then
 * removed sections). Unchanged sections are left out.
 */
export function diffPolicySections(oldValue: unknown, newValue: unknown): SectionChange[] {
  const before = isObject(oldValue) ? oldValue : {};
  const after = isObject(newValue) ? newValue : {};
  const present = (o: Record<string, unknown>, k: string): boolean => Object.hasOwn(o, k) && o[k] !== undefined;
  const sections = [...Object.keys(after), ...Object.keys(before).filter((k) => !present(after, k))];
  const changes: SectionChange[] = [];
  for (const section of sections) {
    const inOld = present(before, section);
    const inNew = present(after, section);
    if (!inOld && !inNew) continue;
    const a = inOld ? canonical(before[section], [section]) : null;
    const b = inNew ? canonical(after[section], [section]) : null;
    if (!inOld) changes.push({ section, change: "added", summary: `${section}: added (${sizeOf(section, b!)})` });
    else if (!inNew) changes.push({ section, change: "removed", summary: `${section}: removed (${sizeOf(section, a!)})` });
    else if (keyOf(a!) !== keyOf(b!)) changes.push({ section, change: "changed", summary: `${section}: ${describeChange(section, a!, b!)}` });
  }
  return changes;
}

function sizeOf(section: string, v: JsonValue): string {
  const noun = nounOf(section);
  if (Array.isArray(v)) return `${v.length} ${plural(noun, v.length)}`;
  if (isObject(v)) return `${Object.keys(v).length} ${plural(noun, Object.keys(v).length)}`;
  return short(v);
}

function short(v: JsonValue): string {
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function describeChange(section: string, a: JsonValue, b: JsonValue): string {
  if (Array.isArray(a) && Array.isArray(b)) {
    // Rules in an unordered section (acls, grants) are counted like a list's, over their canonical order.
    if (isSetLike([section])) return [...a, ...b].some(isObject) ? listChange(nounOf(section), a, b) : (setChange(a, b) ?? "changed");
    return listChange(nounOf(section), a, b);
  }
  if (isObject(a) && isObject(b)) {
    if (section === "autoApprovers") return autoApproversChange(a, b);
    return joinItems(mapChanges(a, b, [section], memberWordOf(section)));
  }
  return `${short(a)} → ${short(b)}`;
}

function joinItems(items: string[]): string {
  if (items.length === 0) return "changed";
  const shown = items.slice(0, MAX_ITEMS).join("; ");
  return items.length > MAX_ITEMS ? `${shown}; and ${items.length - MAX_ITEMS} more` : shown;
}

/** Per-key changes of an object section (groups, tagOwners, hosts, unknown objects). */
function mapChanges(a: Record<string, JsonValue>, b: Record<string, JsonValue>, path: string[], memberWord?: string, label = (k: string) => k): string[] {
  const items: string[] = [];
  for (const key of Object.keys(b)) if (!Object.hasOwn(a, key)) items.push(`${label(key)} added`);
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) items.push(`${label(key)} removed`);
  for (const key of Object.keys(b)) {
    if (!Object.hasOwn(a, key)) continue;
    const x = a[key]!;
    const y = b[key]!;
    if (keyOf(x) === keyOf(y)) continue;
    if (Array.isArray(x) && Array.isArray(y)) {
      const detail = isSetLike([...path, key]) ? setChange(x, y) : undefined;
      const what = memberWord ? ` ${memberWord}` : "";
      items.push(detail ? `${label(key)}${what} changed (${detail})` : `${label(key)}${what} changed`);
    } else if (!isObject(x) && !isObject(y) && !Array.isArray(x) && !Array.isArray(y)) {
      const bare = (v: JsonValue): string => (typeof v === "string" ? v : short(v));
      items.push(`${label(key)} changed (${bare(x)} → ${bare(y)})`);
    } else {
      items.push(`${label(key)} changed`);
    }
  }
  return items;
}

/** "+carol@, -bob@" for two set-like lists (strings shown bare). */
function setChange(a: JsonValue[], b: JsonValue[]): string | undefined {
  const show = (v: JsonValue): string => (typeof v === "string" ? v : short(v));
  const ka = new Set(a.map(keyOf));
  const kb = new Set(b.map(keyOf));
  const diff = [...b.filter((v) => !ka.has(keyOf(v))).map((v) => `+${show(v)}`), ...a.filter((v) => !kb.has(keyOf(v))).map((v) => `-${show(v)}`)];
  if (diff.length === 0) return undefined;
  return diff.length > 4 ? `${diff.slice(0, 4).join(", ")}, …` : diff.join(", ");
}

function autoApproversChange(a: Record<string, JsonValue>, b: Record<string, JsonValue>): string {
  const items: string[] = [];
  const routesA = isObject(a.routes) ? a.routes : {};
  const routesB = isObject(b.routes) ? b.routes : {};
  items.push(...mapChanges(routesA, routesB, ["autoApprovers", "routes"], "approvers", (prefix) => `route ${prefix}`));
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === "routes" || keyOf(a[key] ?? null) === keyOf(b[key] ?? null)) continue;
    const x = a[key];
    const y = b[key];
    const detail =
      key === "exitNode" && Array.isArray(x ?? []) && Array.isArray(y ?? []) ? setChange((x ?? []) as JsonValue[], (y ?? []) as JsonValue[]) : undefined;
    const approvers = key === "exitNode" ? " approvers" : "";
    items.push(detail ? `${key}${approvers} changed (${detail})` : `${key} changed`);
  }
  return joinItems(items);
}

/**
 * Counts of an ordered list's changes, e.g. "1 rule added, 1 changed" or "2 rules moved". Entries are
 * matched by a longest common subsequence; an unmatched entry found unchanged elsewhere was moved; in
 * each gap between matched entries, removed and added entries pair up as changed ones.
 */
function listChange(noun: string, a: JsonValue[], b: JsonValue[]): string {
  const c = countListChanges(a.map(keyOf), b.map(keyOf));
  const parts = (
    [
      [c.added, "added"],
      [c.removed, "removed"],
      [c.changed, "changed"],
      [c.moved, "moved"],
    ] as const
  ).filter(([n]) => n > 0);
  if (parts.length === 0) return "changed";
  return parts.map(([n, verb], i) => (i === 0 ? `${n} ${plural(noun, n)} ${verb}` : `${n} ${verb}`)).join(", ");
}

interface ListCounts {
  added: number;
  removed: number;
  changed: number;
  moved: number;
}

function countListChanges(a: string[], b: string[]): ListCounts {
  const gaps = unmatchedGaps(a, b);
  // Entries that left one place and reappear unchanged in another were moved.
  const leftOver = new Map<string, number>();
  for (const gap of gaps) for (const i of gap.old) leftOver.set(a[i]!, (leftOver.get(a[i]!) ?? 0) + 1);
  const movedKeys = new Map<string, number>();
  for (const gap of gaps) {
    gap.new = gap.new.filter((j) => {
      const left = leftOver.get(b[j]!) ?? 0;
      if (left === 0) return true;
      leftOver.set(b[j]!, left - 1);
      movedKeys.set(b[j]!, (movedKeys.get(b[j]!) ?? 0) + 1);
      return false;
    });
  }
  let moved = 0;
  for (const gap of gaps) {
    gap.old = gap.old.filter((i) => {
      const m = movedKeys.get(a[i]!) ?? 0;
      if (m === 0) return true;
      movedKeys.set(a[i]!, m - 1);
      moved++;
      return false;
    });
  }
  const counts: ListCounts = { added: 0, removed: 0, changed: 0, moved };
  for (const gap of gaps) {
    const paired = Math.min(gap.old.length, gap.new.length);
    counts.changed += paired;
    counts.added += gap.new.length - paired;
    counts.removed += gap.old.length - paired;
  }
  return counts;
}

/** Indices of a and b not in a longest common subsequence, grouped by the gap between matches. */
function unmatchedGaps(a: string[], b: string[]): Array<{ old: number[]; new: number[] }> {
  const n = a.length;
  const m = b.length;
  const gaps = [{ old: [] as number[], new: [] as number[] }];
  const last = () => gaps[gaps.length - 1]!;
  if (n * m > 4_000_000) {
    // Too large for a quadratic table: compare position by position.
    for (let k = 0; k < Math.max(n, m); k++) {
      if (k < n && k < m && a[k] === b[k]) gaps.push({ old: [], new: [] });
      else {
        if (k < n) last().old.push(k);
        if (k < m) last().new.push(k);
      }
    }
    return gaps;
  }
  // lcs[i * (m + 1) + j] = length of the LCS of a[i:] and b[j:].
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const cell = (i: number, j: number): number => lcs[i * (m + 1) + j]!;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] = a[i] === b[j] ? cell(i + 1, j + 1) + 1 : Math.max(cell(i + 1, j), cell(i, j + 1));
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      gaps.push({ old: [], new: [] });
      i++;
      j++;
    } else if (cell(i + 1, j) >= cell(i, j + 1)) last().old.push(i++);
    else last().new.push(j++);
  }
  while (i < n) last().old.push(i++);
  while (j < m) last().new.push(j++);
  return gaps;
}
