// What every policy check shares: the problems found so far, the dialect of the target server, the names
// the policy defines, and helpers that read members and lists the way Headscale does.
import { ANY_SERVER, type PolicyDialect } from "./dialect.js";
import { describeValue as describe } from "./naming.js";
import { at, type PolicyPositions } from "./paths.js";

export interface Problem {
  /** Where the problem is, e.g. `acls[0].src[1]` or `tagOwners["tag:web"]`; "policy" for the whole text. */
  path: string;
  /** Starts with the path ("acls[0].src[1]: …") and ends with the fix. */
  message: string;
  severity: "error" | "warning";
  /** Where the value at `path` (or the entry that lacks it) starts in the text, when the text was given. */
  line?: number;
  column?: number;
}

export interface Ctx {
  problems: Problem[];
  dialect: PolicyDialect;
  /** "Headscale 0.28.0", or "Headscale" when the server is not known. */
  server: string;
  /** "0.28.0", or "an unknown version". */
  version: string;
  groups: Set<string>;
  tags: Set<string>;
  hosts: Set<string>;
  /** Owner suggested in "add the tag to tagOwners" fixes: a group the policy defines, if any. */
  suggestedOwner: string;
  report(path: string, severity: Problem["severity"], message: string): void;
  error(path: string, message: string): void;
  warn(path: string, message: string): void;
}

export function newContext(dialect: PolicyDialect = ANY_SERVER, positions?: PolicyPositions): Ctx {
  const problems: Problem[] = [];
  const report = (path: string, severity: Problem["severity"], message: string): void => {
    const where = positions?.locate(path === "policy" ? "" : path);
    problems.push(where ? { path, message, severity, line: where.line, column: where.column } : { path, message, severity });
  };
  return {
    problems,
    dialect,
    server: dialect.version ? `Headscale ${dialect.version}` : "Headscale",
    version: dialect.version ?? "an unknown version",
    groups: new Set(),
    tags: new Set(),
    hosts: new Set(),
    // Hints name what exists: the policy's first group when it has one (set by validatePolicy), else a placeholder.
    suggestedOwner: "<user>@",
    report,
    error: (path, message) => report(path, "error", message),
    warn: (path, message) => report(path, "warning", message),
  };
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const keysOf = (v: unknown): string[] => (isObject(v) ? Object.keys(v) : []);
export const q = (s: string): string => JSON.stringify(s);
export { at, describe };

/**
 * Reads an entry's members the way Headscale does (names match case-insensitively), reporting unknown
 * ones. `hashIgnored`: ACL entries skip members starting with "#" (Headscale ignores them, 0.27+).
 */
export function members(
  ctx: Ctx,
  path: string,
  entry: Record<string, unknown>,
  allowed: readonly string[],
  opts: { hashIgnored?: boolean; renames?: Record<string, string> } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lenient = ctx.dialect.unknownMembers === "ignored";
  for (const [key, value] of Object.entries(entry)) {
    const name = allowed.find((a) => a.toLowerCase() === key.toLowerCase());
    if (name) {
      out[name] = value;
      continue;
    }
    if (opts.hashIgnored && key.startsWith("#")) continue;
    const p = at(path, key);
    const list = allowed.map(q).join(", ");
    if (key.toLowerCase() === "comment") {
      // Old guides put a "comment" member in rules; Headscale 0.27+ rejects it, 0.26 drops it.
      const hash = opts.hashIgnored ? ` (or rename it to "#comment", which Headscale ignores)` : "";
      ctx.report(p, lenient ? "warning" : "error", `${p}: unknown field "${key}" (Headscale rejects it); move it into a // comment above the entry${hash}`);
      continue;
    }
    const renamed = opts.renames?.[key.toLowerCase()];
    if (renamed) {
      ctx.error(p, `${p}: "${key}" is the old name of "${renamed}" (Headscale ignores or rejects it); rename it to "${renamed}"`);
      continue;
    }
    // 0.27–0.29 reject unknown members; 0.26 ignores them (the setting silently does nothing); for a newer
    // or unknown server it may be a new feature.
    const severity = ctx.dialect.unknownMembers === "rejected" ? "error" : "warning";
    ctx.report(p, severity, `${p}: unknown field "${key}" (Headscale 0.27–0.29 reject it; 0.26 ignores it); allowed here: ${list}; remove or rename it`);
  }
  return out;
}

/** An array of strings, reporting anything else. Returns [index, string] pairs of the valid items. */
export function stringList(ctx: Ctx, path: string, value: unknown, example: string): Array<[number, string]> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    const fix = typeof value === "string" ? `wrap it in a list: [${q(value)}]` : `write a list like [${q(example)}]`;
    ctx.error(path, `${path}: must be a list of strings, not ${describe(value)}; ${fix}`);
    return [];
  }
  const out: Array<[number, string]> = [];
  value.forEach((item, i) => {
    if (typeof item === "string") out.push([i, item]);
    else ctx.error(at(path, i), `${at(path, i)}: must be a string, not ${describe(item)}; write e.g. ${q(example)}`);
  });
  return out;
}

export function objectEntries(ctx: Ctx, path: string, value: unknown, what: string): Array<[string, unknown]> {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    ctx.error(path, `${path}: must be an object ${what}, not ${describe(value)}`);
    return [];
  }
  return Object.entries(value);
}

export function entryList(ctx: Ctx, path: string, value: unknown, example: string): Array<[string, Record<string, unknown>]> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    ctx.error(path, `${path}: must be a list of entries, not ${describe(value)}; write [${example}]`);
    return [];
  }
  const out: Array<[string, Record<string, unknown>]> = [];
  value.forEach((entry, i) => {
    const p = at(path, i);
    if (isObject(entry)) out.push([p, entry]);
    else ctx.error(p, `${p}: must be an object like ${example}, not ${describe(entry)}`);
  });
  return out;
}
