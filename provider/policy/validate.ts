// Preview/plan-time checks of a Headscale ACL policy (policy format v2, Headscale 0.26+).
//
// The goal is to catch, before anything is written, what Headscale would reject at apply time, and to
// say how to fix it: every message starts with the path of the offending value and ends with the fix.
// Rules follow Headscale's own parser (hscontrol/policy/v2/types.go, tags v0.26.1 … v0.29.2). Things
// only a live server knows (does user "alice@" exist?) are left to Headscale's own check.
import { isIP } from "node:net";
import { parseVersion } from "../client/version.js";

export interface Problem {
  /** Where the problem is, e.g. `acls[0].src[1]` or `tagOwners["tag:web"]`; "policy" for the whole text. */
  path: string;
  message: string;
  severity: "error" | "warning";
}

export interface ValidateOptions {
  /** Headscale version of the target server, e.g. "0.29.2". Unknown: no version-specific checks. */
  serverVersion?: string;
  /** The caller runs `tests` itself and leaves them out of what it sends (servers before 0.29 refuse them). */
  testsRunLocally?: boolean;
}

/** Top-level sections Headscale knows, with the 0.x minor that first accepts each (its `Policy` struct). */
export const POLICY_SECTIONS = {
  groups: 26,
  hosts: 26,
  tagOwners: 26,
  acls: 26,
  ssh: 26,
  autoApprovers: 26,
  grants: 29,
  nodeAttrs: 29,
  tests: 29,
  sshTests: 29,
  randomizeClientPort: 29,
} as const satisfies Record<string, number>;
export type PolicySection = keyof typeof POLICY_SECTIONS;

/** The newest Headscale minor whose policy format this file knows. Newer servers may know more. */
export const LATEST_KNOWN_MINOR = 29;

// ---- tag rules (shared with the NodeTags and PreAuthKey resources) -------------------------------------

/**
 * Checks a tag name; returns an error message, or undefined when valid. Combines the rules of Headscale's
 * API (SetTags and pre-auth keys: `tag:` prefix, lowercase, no spaces) and of its policy parser (0.29+:
 * the name starts with a letter), so a tag accepted here is accepted everywhere.
 */
export function isValidTag(tag: unknown): string | undefined {
  if (typeof tag !== "string") return `a tag must be a string like "tag:web", got ${describe(tag)}`;
  if (!tag.startsWith("tag:")) {
    const lower = tag.toLowerCase();
    const fixed = lower.startsWith("tag:") ? lower : `tag:${tag}`;
    return `tag ${JSON.stringify(tag)} must start with "tag:"; use ${JSON.stringify(fixed.toLowerCase().replace(/\s+/g, "-"))}`;
  }
  const name = tag.slice(4);
  if (name === "") return `tag "tag:" has an empty name; write e.g. "tag:web"`;
  if (/\s/.test(tag)) return `tag ${JSON.stringify(tag)} must not contain spaces; use ${JSON.stringify(tag.replace(/\s+/g, "-"))}`;
  if (tag !== tag.toLowerCase()) return `tag ${JSON.stringify(tag)} must be lowercase (Headscale's API rejects it otherwise); use ${JSON.stringify(tag.toLowerCase())}`;
  if (!/^[a-z]/.test(name)) return `tag ${JSON.stringify(tag)} must start with a letter after "tag:" (Headscale 0.29+ rejects it otherwise); e.g. ${JSON.stringify(`tag:t${name}`)}`;
  return undefined;
}

/** Tags the policy defines: the keys of `tagOwners` (a tag must be defined there to be used anywhere). */
export function definedTags(policyValue: unknown): Set<string> {
  const owners = isObject(policyValue) ? sectionsOf(policyValue).get("tagOwners")?.value : undefined;
  return new Set(isObject(owners) ? Object.keys(owners) : []);
}

// ---- entry point ---------------------------------------------------------------------------------------

/** Validates a parsed policy. Unknown top-level sections pass through (a newer Headscale may know them). */
export function validatePolicy(value: unknown, opts: ValidateOptions = {}): Problem[] {
  const ctx = newContext(opts);
  if (!isObject(value)) {
    ctx.error("policy", `the policy must be a JSON object at the top level, not ${describe(value)}; write { "acls": [...] }`);
    return ctx.problems;
  }
  const sections = sectionsOf(value);
  ctx.groups = new Set(keysOf(sections.get("groups")?.value));
  ctx.tags = new Set(keysOf(sections.get("tagOwners")?.value));
  ctx.hosts = new Set(keysOf(sections.get("hosts")?.value));
  const firstGroup = [...ctx.groups].find((g) => g.startsWith("group:"));
  if (firstGroup) ctx.suggestedOwner = firstGroup;

  if (ctx.minor !== undefined && ctx.minor < 26) {
    ctx.warn("policy", `Headscale ${ctx.version} predates policy format v2 (0.26+), which these checks follow; upgrade Headscale`);
  }

  for (const [key, raw] of Object.entries(value)) {
    const known = sectionName(key);
    if (!known) {
      unknownSection(ctx, key);
      continue;
    }
    if (key !== known) {
      const first = sections.get(known)!.key;
      if (first !== key) {
        // Two spellings of one section: Headscale 0.27+ sees a duplicate member (0.26 keeps the last).
        ctx.problems.push({
          path: key,
          severity: ctx.minor !== undefined && ctx.minor <= 26 ? "warning" : "error",
          message: `${key}: Headscale matches section names case-insensitively, so this is a second ${q(first)} section (rejected as a duplicate); merge it into ${q(first)}`,
        });
        continue;
      }
      ctx.warn(key, `${key}: Headscale matches section names case-insensitively, but the documented spelling is "${known}"; rename it to "${known}"`);
    }
    const since = POLICY_SECTIONS[known];
    if (ctx.minor !== undefined && ctx.minor < since && !(known === "tests" && ctx.testsRunLocally)) {
      ctx.error(key, `${key}: needs Headscale 0.${since} or newer, but the server runs ${ctx.version}; remove the section or upgrade Headscale`);
    }
    CHECK_SECTION[known](ctx, key, raw);
  }
  return ctx.problems;
}

// ---- context -------------------------------------------------------------------------------------------

interface Ctx {
  problems: Problem[];
  /** 0.x minor of the server (Infinity for 1.x); undefined when unknown. */
  minor: number | undefined;
  version: string;
  testsRunLocally: boolean;
  groups: Set<string>;
  tags: Set<string>;
  hosts: Set<string>;
  /** Owner suggested in "add the tag to tagOwners" fixes: a group the policy defines, if any. */
  suggestedOwner: string;
  error(path: string, message: string): void;
  warn(path: string, message: string): void;
}

function newContext(opts: ValidateOptions): Ctx {
  const parsed = opts.serverVersion ? parseVersion(opts.serverVersion) : undefined;
  const problems: Problem[] = [];
  return {
    problems,
    minor: parsed ? (parsed.major > 0 ? Infinity : parsed.minor) : undefined,
    version: parsed?.version ?? "an unknown version",
    testsRunLocally: opts.testsRunLocally ?? false,
    groups: new Set(),
    tags: new Set(),
    hosts: new Set(),
    // Hints name what exists: the policy's first group when it has one (set below), else a placeholder.
    suggestedOwner: "<user>@",
    error: (path, message) => problems.push({ path, message, severity: "error" }),
    warn: (path, message) => problems.push({ path, message, severity: "warning" }),
  };
}

/** Known sections by their canonical name; Headscale matches member names case-insensitively. */
function sectionsOf(policy: Record<string, unknown>): Map<PolicySection, { key: string; value: unknown }> {
  const found = new Map<PolicySection, { key: string; value: unknown }>();
  for (const [key, value] of Object.entries(policy)) {
    const known = sectionName(key);
    // The exact spelling wins over a case variant; otherwise the first one seen.
    if (known && (!found.has(known) || key === known)) found.set(known, { key, value });
  }
  return found;
}

function sectionName(key: string): PolicySection | undefined {
  if (key in POLICY_SECTIONS) return key as PolicySection;
  const lower = key.toLowerCase();
  return (Object.keys(POLICY_SECTIONS) as PolicySection[]).find((s) => s.toLowerCase() === lower);
}

function unknownSection(ctx: Ctx, key: string): void {
  // No error: a newer Headscale may know the section. Only a server we know to reject (or ignore) it
  // gets a warning, since it is then certain to fail (or to do nothing).
  if (ctx.minor === undefined || ctx.minor > LATEST_KNOWN_MINOR) return;
  if (ctx.minor <= 26) {
    ctx.warn(key, `${key}: unknown section; Headscale ${ctx.version} ignores it (0.27+ rejects it as "unknown field"); remove it unless the server is upgraded to a version that knows it`);
  } else {
    ctx.warn(key, `${key}: unknown section; Headscale ${ctx.version} rejects it as "unknown field"; remove it or upgrade Headscale to a version that knows it`);
  }
}

/**
 * Severity of an unknown member inside a known section. 0.27–0.29 reject unknown members; 0.26 ignores
 * them (so the setting silently does nothing); for newer or unknown servers it may be a new feature.
 */
function unknownFieldSeverity(ctx: Ctx): "error" | "warning" {
  return ctx.minor !== undefined && ctx.minor >= 27 && ctx.minor <= LATEST_KNOWN_MINOR ? "error" : "warning";
}

// ---- path helpers --------------------------------------------------------------------------------------

/** `acls` + 0 → `acls[0]`; `acls[0]` + "src" → `acls[0].src`; `groups` + "group:a" → `groups["group:a"]`. */
function at(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const keysOf = (v: unknown): string[] => (isObject(v) ? Object.keys(v) : []);
const q = (s: string): string => JSON.stringify(s);

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return q(v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}

/**
 * Reads an entry's members the way Headscale does (names match case-insensitively), reporting unknown
 * ones. `hashIgnored`: ACL entries skip members starting with "#" (Headscale ignores them, 0.27+).
 */
function members(
  ctx: Ctx,
  path: string,
  entry: Record<string, unknown>,
  allowed: readonly string[],
  opts: { hashIgnored?: boolean; renames?: Record<string, string> } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
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
      const severity = ctx.minor !== undefined && ctx.minor <= 26 ? "warning" : "error";
      ctx.problems.push({ path: p, severity, message: `${p}: unknown field "${key}" (Headscale rejects it); move it into a // comment above the entry${hash}` });
      continue;
    }
    const renamed = opts.renames?.[key.toLowerCase()];
    if (renamed) {
      ctx.problems.push({ path: p, severity: "error", message: `${p}: "${key}" is the old name of "${renamed}" (Headscale ignores or rejects it); rename it to "${renamed}"` });
      continue;
    }
    ctx.problems.push({
      path: p,
      severity: unknownFieldSeverity(ctx),
      message: `${p}: unknown field "${key}" (Headscale 0.27–0.${LATEST_KNOWN_MINOR} reject it; 0.26 ignores it); allowed here: ${list}; remove or rename it`,
    });
  }
  return out;
}

/** An array of strings, reporting anything else. Returns [index, string] pairs of the valid items. */
function stringList(ctx: Ctx, path: string, value: unknown, example: string): Array<[number, string]> {
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

function objectEntries(ctx: Ctx, path: string, value: unknown, what: string): Array<[string, unknown]> {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) {
    ctx.error(path, `${path}: must be an object ${what}, not ${describe(value)}`);
    return [];
  }
  return Object.entries(value);
}

function entryList(ctx: Ctx, path: string, value: unknown, example: string): Array<[string, Record<string, unknown>]> {
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

// ---- addresses and ports -------------------------------------------------------------------------------

/** An IP address or CIDR prefix as Go's netip parses them (no zones, prefix length in range). */
export function isIpOrCidr(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash === -1) return isIP(s) !== 0 && !s.includes("%");
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  const family = addr.includes("%") ? 0 : isIP(addr);
  if (family === 0 || !/^(0|[1-9]\d{0,2})$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** Checks a port list (`*`, `22`, `80,443`, `8000-8080`); returns a problem description or undefined. */
function portProblem(ports: string): string | undefined {
  if (ports === "*") return undefined;
  for (const part of ports.split(",")) {
    if (part.includes("-")) {
      const ends = part.split("-").filter((e) => e !== "");
      if (ends.length !== 2) return `${q(part)} is not a port range; write e.g. "8000-8080"`;
      const [first, last] = ends.map(portNumber);
      if (typeof first === "string") return first;
      if (typeof last === "string") return last;
      if (first! > last!) return `port range ${q(part)} is inverted; write "${last}-${first}"`;
    } else {
      const port = portNumber(part);
      if (typeof port === "string") return port;
      if (port === 0) return `port 0 is not allowed; use "*" for all ports`;
    }
  }
  return undefined;
}

function portNumber(s: string): number | string {
  if (!/^\d+$/.test(s)) return `${q(s)} is not a port number; use a number (22), a range (8000-8080), a list (80,443) or "*" for all ports`;
  const n = Number(s);
  if (n > 65535) return `port ${s} is outside 0–65535; use a port between 1 and 65535 (or "*")`;
  return n;
}

/** Splits a destination `alias:ports` the way Headscale does (last colon; `[v6]:port` brackets). */
function splitDestination(entry: string): { alias: string; ports: string } | { missingPort: true } {
  let input = entry;
  if (input.startsWith("[")) {
    const close = input.indexOf("]");
    if (close !== -1) input = input.slice(1, close) + input.slice(close + 1);
  }
  const colon = input.lastIndexOf(":");
  if (colon <= 0 || colon === input.length - 1) return { missingPort: true };
  const alias = input.slice(0, colon);
  // An alias kind followed by a name and nothing else ("tag:web") has no port; neither has an IPv6
  // address whose last group Headscale would take for the port ("fd7a::1" → "fd7a:" + "1").
  if (/^(tag|group|autogroup)$/.test(alias)) return { missingPort: true };
  if (isIpOrCidr(entry) && entry.includes(":") && !isIpOrCidr(alias)) return { missingPort: true };
  return { alias, ports: input.slice(colon + 1) };
}

/** `entry` with "all ports" appended; unbracketed IPv6 works in every version (split at the last colon). */
const withAllPorts = (entry: string): string => `${entry.replace(/:$/, "")}:*`;

// ---- aliases -------------------------------------------------------------------------------------------

type Place = "aclSrc" | "aclDst" | "sshSrc" | "sshDst" | "grantSrc" | "grantDst" | "nodeAttrs" | "testSrc" | "testDst" | "sshTestSrc" | "sshTestDst";

const PLACE_NAMES: Record<Place, string> = {
  aclSrc: "ACL sources",
  aclDst: "ACL destinations",
  sshSrc: "SSH sources",
  sshDst: "SSH destinations",
  grantSrc: "grant sources",
  grantDst: "grant destinations",
  nodeAttrs: "nodeAttrs targets",
  testSrc: "test sources",
  testDst: "test destinations",
  sshTestSrc: "SSH test sources",
  sshTestDst: "SSH test destinations",
};

/** Autogroups each Headscale minor knows (`autogroups` in types.go). */
function knownAutogroups(minor: number | undefined): string[] {
  if (minor !== undefined && minor <= 26) return ["autogroup:internet"];
  const list = ["autogroup:internet", "autogroup:member", "autogroup:nonroot", "autogroup:tagged", "autogroup:self"];
  return minor !== undefined && minor <= 28 ? list : [...list, "autogroup:danger-all"];
}

/** Where each autogroup may appear (0.29's `autogroupFor*`; earlier minors know fewer, checked above). */
const AUTOGROUPS_ALLOWED: Partial<Record<Place, string[]>> = {
  aclSrc: ["autogroup:member", "autogroup:tagged", "autogroup:danger-all"],
  grantSrc: ["autogroup:member", "autogroup:tagged", "autogroup:danger-all"],
  aclDst: ["autogroup:internet", "autogroup:member", "autogroup:tagged", "autogroup:self"],
  grantDst: ["autogroup:internet", "autogroup:member", "autogroup:tagged", "autogroup:self"],
  sshSrc: ["autogroup:member", "autogroup:tagged"],
  sshDst: ["autogroup:member", "autogroup:tagged", "autogroup:self"],
  nodeAttrs: ["autogroup:member", "autogroup:tagged"],
};

/** Which alias kinds each place accepts (Headscale rejects the others at parse time). */
const KINDS_ALLOWED: Partial<Record<Place, AliasKind[]>> = {
  sshSrc: ["user", "group", "tag", "autogroup"],
  sshDst: ["user", "tag", "autogroup"],
  sshTestDst: ["user", "tag", "autogroup", "host", "ip"],
};

type AliasKind = "wildcard" | "ip" | "user" | "group" | "tag" | "autogroup" | "host" | "invalid";

function aliasKind(alias: string): AliasKind {
  if (isIpOrCidr(alias)) return "ip";
  if (alias === "*") return "wildcard";
  if (alias.includes("@")) return "user";
  if (alias.startsWith("group:")) return "group";
  if (alias.startsWith("tag:")) return "tag";
  if (alias.startsWith("autogroup:")) return "autogroup";
  if (!alias.includes(":")) return "host";
  return "invalid";
}

/**
 * Checks one alias (user, group, tag, autogroup, host, IP/CIDR or `*`) at `path`. `rebuild` turns a
 * corrected alias back into the full entry (e.g. adds the ports of a destination) for the fix text.
 */
function checkAlias(ctx: Ctx, path: string, alias: string, place: Place, rebuild: (a: string) => string = (a) => a): void {
  const kind = aliasKind(alias);
  const entry = q(rebuild(alias));
  let allowedKinds = KINDS_ALLOWED[place];
  // Host names as SSH destinations: accepted by 0.27 and 0.28 only.
  if (place === "sshDst" && ctx.minor !== undefined && ctx.minor >= 27 && ctx.minor <= 28) allowedKinds = [...allowedKinds!, "host"];
  if (allowedKinds && kind !== "invalid" && !allowedKinds.includes(kind) && !(kind === "host" && !ctx.hosts.has(alias))) {
    const hint =
      (place === "sshDst" || place === "sshSrc") && kind === "wildcard"
        ? `use "autogroup:member" for user-owned devices or "autogroup:tagged" for tagged ones`
        : `use one of: ${allowedKinds.map((k) => (k === "autogroup" ? "autogroup:…" : k === "ip" ? "an IP" : `a ${k}`)).join(", ")}`;
    const label = kind === "wildcard" ? "" : ` (${kind === "ip" ? "an IP address" : `a ${kind}`})`;
    ctx.error(path, `${path}: ${entry}${label} is not allowed in ${PLACE_NAMES[place]}; ${hint}`);
    return;
  }
  switch (kind) {
    case "wildcard":
    case "ip":
    case "user":
      return;
    case "group":
      checkGroupRef(ctx, path, alias);
      return;
    case "tag":
      checkTagRef(ctx, path, alias);
      return;
    case "autogroup":
      checkAutogroup(ctx, path, alias, place);
      return;
    case "host":
      if (ctx.hosts.has(alias)) return;
      legacyUserName(ctx, path, alias, rebuild, true);
      return;
    case "invalid":
      ctx.error(path, `${path}: ${entry} is not a valid alias; use a user ("alice@"), "group:…", "tag:…", "autogroup:…", a name from "hosts", an IP or CIDR, or "*"`);
  }
}

/**
 * A bare word that is not a host: almost always a user name pasted from a guide for Headscale < 0.26,
 * which wrote users without "@". Headscale 0.26+ fails with "host not defined".
 */
function legacyUserName(ctx: Ctx, path: string, name: string, rebuild: (a: string) => string = (a) => a, hostsPossible = false): void {
  const user = `Headscale 0.26+ writes users with a trailing "@"`;
  if (!hostsPossible) {
    ctx.error(path, `${path}: ${q(rebuild(name))} is not a user: ${user}; use ${q(rebuild(`${name}@`))}`);
    return;
  }
  ctx.error(
    path,
    `${path}: ${q(name)}${rebuild(name) === name ? "" : ` in ${q(rebuild(name))}`} is neither a host defined in "hosts" nor a user; if it is a user, use ${q(rebuild(`${name}@`))} (${user}); if it is a machine, add ${q(name)}: "<IP address>" to "hosts"`,
  );
}

function checkGroupRef(ctx: Ctx, path: string, group: string): void {
  if (ctx.groups.has(group)) return;
  ctx.error(path, `${path}: group ${q(group)} is not defined; add ${q(group)}: ["<user>@", …] to "groups" (with its members) or fix the name`);
}

function checkTagRef(ctx: Ctx, path: string, tag: string): void {
  const invalid = isValidTag(tag);
  if (invalid) {
    ctx.error(path, `${path}: ${invalid}`);
    return;
  }
  if (ctx.tags.has(tag)) return;
  ctx.error(path, `${path}: tag ${q(tag)} is not defined in tagOwners; add ${q(tag)}: [${q(ctx.suggestedOwner)}] to tagOwners (listing who may assign it)`);
}

function checkAutogroup(ctx: Ctx, path: string, ag: string, place: Place): void {
  const known = knownAutogroups(ctx.minor);
  if (!known.includes(ag)) {
    const roles = /^autogroup:(admin|owner|it-admin|network-admin|billing-admin|auditor|member-of)/.test(ag)
      ? " (Headscale has no user roles; list the users or a group instead)"
      : "";
    const server = ctx.minor === undefined ? "Headscale" : `Headscale ${ctx.version}`;
    ctx.error(path, `${path}: ${server} does not know ${q(ag)}${roles}; use one of ${known.join(", ")}`);
    return;
  }
  const allowed = AUTOGROUPS_ALLOWED[place];
  if (allowed && !allowed.includes(ag)) {
    const usable = allowed.filter((a) => known.includes(a));
    const alternatives = usable.length ? `use ${usable.join(" or ")} here` : "remove it";
    ctx.error(path, `${path}: ${q(ag)} cannot be used in ${PLACE_NAMES[place]}; ${alternatives}`);
  }
}

/** A destination `alias:ports` of an ACL rule or a test. `singlePort`: tests need exactly one port. */
function checkDestination(ctx: Ctx, path: string, entry: string, place: Place, singlePort = false): void {
  const split = splitDestination(entry);
  if ("missingPort" in split) {
    const fixed = withAllPorts(entry);
    const fix = singlePort ? q(fixed.replace(/\*$/, "22")) : `${q(fixed)} for all ports or ${q(fixed.replace(/\*$/, "22"))}`;
    ctx.error(path, `${path}: destination ${q(entry)} has no port; Headscale needs "<target>:<ports>", e.g. ${fix}`);
    const bare = entry.replace(/:$/, "").replace(/^\[(.*)\]$/, "$1");
    if (bare) checkAlias(ctx, path, bare, place, withAllPorts);
    return;
  }
  if (entry.startsWith("[") && ctx.minor !== undefined && ctx.minor <= 28) {
    ctx.error(path, `${path}: brackets around IPv6 addresses need Headscale 0.29 (the server runs ${ctx.version}); write ${q(`${split.alias}:${split.ports}`)}`);
  }
  const problem = portProblem(split.ports);
  if (problem) ctx.error(path, `${path}: in ${q(entry)}: ${problem}`);
  else if (singlePort && (split.ports === "*" || /[,-]/.test(split.ports))) {
    ctx.error(path, `${path}: a test destination needs exactly one port, not ${q(split.ports)}; write e.g. ${q(`${split.alias}:22`)}`);
  }
  checkAlias(ctx, path, split.alias, place, (a) => `${a}:${split.ports}`);
}

/** Tag owners, auto-approvers and group members are not general aliases: Headscale accepts fewer kinds. */
function checkPrincipal(ctx: Ctx, path: string, value: string, what: "tag owner" | "auto-approver"): void {
  const kind = aliasKind(value);
  if (kind === "user") return;
  if (kind === "group") return checkGroupRef(ctx, path, value);
  if (kind === "tag") return checkTagRef(ctx, path, value);
  if (kind === "host") return legacyUserName(ctx, path, value);
  const roles = value === "autogroup:admin" || value === "autogroup:owner" ? " (Headscale has no admin roles)" : "";
  ctx.error(path, `${path}: ${q(value)} cannot be a ${what} in Headscale${roles}; use a user ("alice@"), a "group:…" or a "tag:…"`);
}

function checkProto(ctx: Ctx, path: string, proto: unknown, testsOnly = false): string {
  if (proto === undefined || proto === "") return "";
  const raw = typeof proto === "number" ? String(proto) : typeof proto === "string" ? proto.toLowerCase() : undefined;
  if (raw === undefined) {
    ctx.error(path, `${path}: must be a protocol name or number, not ${describe(proto)}; write e.g. "tcp"`);
    return "";
  }
  const names = ["icmp", "igmp", "ipv4", "ip-in-ip", "tcp", "egp", "igp", "udp", "gre", "esp", "ah", "ipv6-icmp", "sctp", "fc"];
  const byNumber: Record<string, string> = { "1": "icmp", "2": "igmp", "4": "ipv4", "6": "tcp", "8": "egp", "9": "igp", "17": "udp", "47": "gre", "50": "esp", "51": "ah", "58": "ipv6-icmp", "132": "sctp", "133": "fc" };
  const name = byNumber[raw] ?? raw;
  if (testsOnly) {
    if (!["tcp", "udp", "sctp"].includes(name)) ctx.error(path, `${path}: tests support only "tcp", "udp" or "sctp", not ${q(raw)}; change it or leave "proto" out`);
    return name;
  }
  if (typeof proto === "string" && proto !== raw && ctx.minor !== undefined && ctx.minor <= 26) {
    ctx.error(path, `${path}: Headscale ${ctx.version} needs protocol names in lowercase; write ${q(raw)}`);
  }
  if (names.includes(name)) return name;
  if (raw === "*") {
    ctx.error(path, `${path}: "*" is not a protocol; leave "proto" out to match TCP, UDP and ICMP, or name one (e.g. "tcp")`);
  } else if (!/^[1-9]\d*$/.test(raw) || Number(raw) > 255) {
    ctx.error(path, `${path}: unknown protocol ${q(raw)}; use a name (${names.slice(0, 8).join(", ")}, …) or a number 1–255 without leading zeros`);
  }
  return name;
}

// ---- sections ------------------------------------------------------------------------------------------

const CHECK_SECTION: Record<PolicySection, (ctx: Ctx, path: string, value: unknown) => void> = {
  groups: checkGroups,
  hosts: checkHosts,
  tagOwners: checkTagOwners,
  acls: checkAcls,
  ssh: checkSsh,
  autoApprovers: checkAutoApprovers,
  grants: checkGrants,
  nodeAttrs: checkNodeAttrs,
  tests: checkTests,
  sshTests: checkSshTests,
  randomizeClientPort: (ctx, path, value) => {
    if (typeof value !== "boolean") ctx.error(path, `${path}: must be true or false, not ${describe(value)}`);
  },
};

function checkGroups(ctx: Ctx, path: string, value: unknown): void {
  for (const [name, members] of objectEntries(ctx, path, value, `mapping "group:<name>" to a list of users`)) {
    const p = at(path, name);
    if (!name.startsWith("group:")) {
      ctx.error(p, `${p}: group names must start with "group:"; rename it to ${q(`group:${name}`)}`);
    }
    for (const [i, member] of stringList(ctx, p, members, "alice@")) {
      const mp = at(p, i);
      const kind = aliasKind(member);
      if (kind === "user") continue;
      if (kind === "host") legacyUserName(ctx, mp, member);
      else if (kind === "group") ctx.error(mp, `${mp}: groups cannot contain groups (Headscale rejects nesting); list the members of ${q(member)} here instead`);
      else ctx.error(mp, `${mp}: ${q(member)} cannot be a group member; groups contain only users, written with "@" (e.g. "alice@")`);
    }
  }
}

function checkHosts(ctx: Ctx, path: string, value: unknown): void {
  for (const [name, address] of objectEntries(ctx, path, value, "mapping host names to IP addresses or CIDR prefixes")) {
    const p = at(path, name);
    if (name.includes("@") || name.includes(":") || name === "") {
      ctx.error(p, `${p}: ${q(name)} is not a valid host name (no "@" or ":" allowed); use a plain name like "db-server"`);
    }
    if (typeof address !== "string" || !isIpOrCidr(address)) {
      ctx.error(p, `${p}: ${describe(address)} is not an IP address or CIDR prefix; write e.g. "100.64.0.10" or "10.0.0.0/24"`);
    }
  }
}

function checkTagOwners(ctx: Ctx, path: string, value: unknown): void {
  const ownedBy = new Map<string, string[]>();
  for (const [tag, owners] of objectEntries(ctx, path, value, `mapping "tag:<name>" to the users or groups that may assign it`)) {
    const p = at(path, tag);
    const invalid = isValidTag(tag);
    if (invalid) ctx.error(p, `${p}: ${invalid}`);
    const tagOwners: string[] = [];
    for (const [i, owner] of stringList(ctx, p, owners, "group:admin")) {
      const op = at(p, i);
      if (owner.startsWith("tag:") && ctx.minor !== undefined && ctx.minor <= 27) {
        ctx.error(op, `${op}: tags can own tags only from Headscale 0.28 (the server runs ${ctx.version}); list the users or groups of ${q(owner)} instead`);
        continue;
      }
      checkPrincipal(ctx, op, owner, "tag owner");
      if (owner.startsWith("tag:")) tagOwners.push(owner);
    }
    ownedBy.set(tag, tagOwners);
  }
  // Tags may own tags (0.28+). 0.28 rejects ownership cycles; 0.29 accepts them, but a cycle still
  // grants nothing beyond the owners listed outside it, which is rarely what was meant.
  const reported = new Set<string>();
  const visit = (tag: string, chain: string[]): void => {
    if (chain.includes(tag)) {
      const cycle = [...chain.slice(chain.indexOf(tag)), tag];
      const key = [...new Set(cycle)].sort().join();
      if (!reported.has(key)) {
        reported.add(key);
        const p = at(path, cycle[0]!);
        const message = `${p}: circular tag ownership (${cycle.join(" → ")}; Headscale 0.28 rejects it); give one of these tags a user or group owner instead of a tag`;
        ctx.problems.push({ path: p, message, severity: ctx.minor === 28 ? "error" : "warning" });
      }
      return;
    }
    for (const next of ownedBy.get(tag) ?? []) visit(next, [...chain, tag]);
  };
  for (const tag of ownedBy.keys()) visit(tag, []);
}

function checkAcls(ctx: Ctx, path: string, value: unknown): void {
  const example = `{"action": "accept", "src": ["group:admin"], "dst": ["tag:server:22"]}`;
  for (const [p, entry] of entryList(ctx, path, value, example)) {
    // Old Tailscale syntax named src/dst "users"/"ports".
    const rule = members(ctx, p, entry, ["action", "proto", "src", "dst"], { hashIgnored: true, renames: { users: "src", ports: "dst" } });
    if (rule.action === undefined) {
      // 0.26–0.28 fail with "invalid action"; 0.29 assumes accept.
      const severity = ctx.minor !== undefined && ctx.minor >= 29 ? "warning" : "error";
      ctx.problems.push({ path: at(p, "action"), severity, message: `${at(p, "action")}: missing (Headscale before 0.29 rejects the rule); add "action": "accept"` });
    } else if (rule.action !== "accept") {
      ctx.error(at(p, "action"), `${at(p, "action")}: ${describe(rule.action)} is not supported; Headscale rules only "accept" (everything not accepted is denied), so write "action": "accept" or remove the rule`);
    }
    const proto = checkProto(ctx, at(p, "proto"), rule.proto);
    if (rule.src === undefined) ctx.warn(at(p, "src"), `${at(p, "src")}: missing, so the rule matches nothing; add "src": [...]`);
    for (const [i, src] of stringList(ctx, at(p, "src"), rule.src, "group:admin")) checkAlias(ctx, at(at(p, "src"), i), src, "aclSrc");
    if (rule.dst === undefined) ctx.warn(at(p, "dst"), `${at(p, "dst")}: missing, so the rule matches nothing; add "dst": [...]`);
    for (const [i, dst] of stringList(ctx, at(p, "dst"), rule.dst, "tag:server:22")) {
      const dp = at(at(p, "dst"), i);
      checkDestination(ctx, dp, dst, "aclDst");
      const split = splitDestination(dst);
      if (!proto || !("ports" in split) || split.ports === "*" || portProblem(split.ports)) continue;
      // 0.27 and 0.28 compare the protocol as written, so "6" is not "tcp" there.
      const numeric = String(rule.proto);
      if (ctx.minor !== undefined && ctx.minor >= 27 && ctx.minor <= 28 && /^\d+$/.test(numeric)) {
        if (["tcp", "udp", "sctp"].includes(proto)) {
          ctx.error(at(p, "proto"), `${at(p, "proto")}: Headscale ${ctx.version} allows ports only with protocols written by name; write "proto": ${q(proto)} instead of ${numeric}`);
          break;
        }
      }
      if (!["tcp", "udp", "sctp"].includes(proto)) {
        ctx.error(dp, `${dp}: protocol ${q(proto)} has no ports; write ${q(`${split.alias}:*`)}`);
      }
    }
  }
}

function checkSsh(ctx: Ctx, path: string, value: unknown): void {
  const example = `{"action": "accept", "src": ["group:admin"], "dst": ["tag:server"], "users": ["root"]}`;
  const fields = ctx.minor !== undefined && ctx.minor <= 28 ? ["action", "src", "dst", "users", "checkPeriod"] : ["action", "src", "dst", "users", "checkPeriod", "acceptEnv"];
  for (const [p, entry] of entryList(ctx, path, value, example)) {
    const rule = members(ctx, p, entry, fields);
    const ap = at(p, "action");
    if (rule.action === undefined) ctx.error(ap, `${ap}: missing; add "action": "accept" (or "check")`);
    else if (rule.action !== "accept" && rule.action !== "check") ctx.error(ap, `${ap}: ${describe(rule.action)} is not an SSH action; use "accept" or "check"`);
    for (const [i, src] of stringList(ctx, at(p, "src"), rule.src, "group:admin")) checkAlias(ctx, at(at(p, "src"), i), src, "sshSrc");
    for (const [i, dst] of stringList(ctx, at(p, "dst"), rule.dst, "tag:server")) {
      const dp = at(at(p, "dst"), i);
      if (/:(\d+|\*)$/.test(dst) && !dst.startsWith("autogroup:") && aliasKind(dst) !== "user") {
        ctx.error(dp, `${dp}: SSH destinations take no port; write ${q(dst.replace(/:(\d+|\*)$/, ""))}`);
        continue;
      }
      checkAlias(ctx, dp, dst, "sshDst");
    }
    if (ctx.minor === undefined || ctx.minor >= 28) sshSrcDstRules(ctx, p, rule.src, rule.dst);
    const up = at(p, "users");
    const users = stringList(ctx, up, rule.users, "root");
    // 0.29 rejects these; older servers accept a rule that then does nothing.
    const strict = ctx.minor === undefined || ctx.minor >= 29 ? "error" : "warning";
    if (rule.users === undefined || (Array.isArray(rule.users) && rule.users.length === 0)) {
      ctx.problems.push({ path: up, severity: strict, message: `${up}: an SSH rule needs the login users it allows; add "users": ["root"] (or "autogroup:nonroot")` });
    }
    for (const [i, user] of users) {
      if (user === "" || user === "*") ctx.error(at(up, i), `${at(up, i)}: ${q(user)} is not a login user; name users (e.g. "root") or use "autogroup:nonroot"`);
    }
    if (rule.checkPeriod !== undefined && rule.action !== "check") {
      const cp = at(p, "checkPeriod");
      ctx.problems.push({ path: cp, severity: strict, message: `${cp}: only valid with "action": "check"; remove it or change the action` });
    }
  }
}

/**
 * Tailscale's SSH model, enforced from Headscale 0.28: tagged sources cannot reach user-owned devices,
 * and a user destination only admits that same user as the sole source.
 */
function sshSrcDstRules(ctx: Ctx, p: string, src: unknown, dst: unknown): void {
  if (!Array.isArray(src) || !Array.isArray(dst)) return;
  const sources = src.filter((s): s is string => typeof s === "string");
  const tagged = sources.some((s) => s.startsWith("tag:") || s === "autogroup:tagged");
  const userGroups = sources.some((s) => s.startsWith("group:") || s === "autogroup:member");
  const users = new Set(sources.filter((s) => aliasKind(s) === "user"));
  dst.forEach((d, i) => {
    if (typeof d !== "string") return;
    const dp = at(at(p, "dst"), i);
    if (aliasKind(d) === "user") {
      if (tagged) ctx.error(dp, `${dp}: tagged sources cannot SSH to user-owned devices (${q(d)}); use tags or "autogroup:tagged" as destinations instead`);
      else if (userGroups || users.size !== 1 || !users.has(d)) {
        ctx.error(dp, `${dp}: a user destination (${q(d)}) allows only that same user as the source; use "autogroup:self" for "each user to their own devices", or tag the target devices`);
      }
    } else if ((d === "autogroup:self" || d === "autogroup:member") && tagged) {
      ctx.error(dp, `${dp}: tagged sources cannot SSH to ${q(d)} (user-owned devices); remove the tags from "src" or target tagged devices instead`);
    }
  });
}

function checkAutoApprovers(ctx: Ctx, path: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (!isObject(value)) {
    ctx.error(path, `${path}: must be an object like {"routes": {"10.0.0.0/8": ["tag:router"]}, "exitNode": ["tag:exit"]}, not ${describe(value)}`);
    return;
  }
  const aa = members(ctx, path, value, ["routes", "exitNode"]);
  const rp = at(path, "routes");
  for (const [prefix, approvers] of objectEntries(ctx, rp, aa.routes, `mapping CIDR prefixes to approvers`)) {
    const p = at(rp, prefix);
    if (!prefix.includes("/") || !isIpOrCidr(prefix)) {
      const fix = isIpOrCidr(prefix) ? `; write ${q(`${prefix}/${prefix.includes(":") ? 128 : 32}`)}` : `; write e.g. "10.0.0.0/24"`;
      ctx.error(p, `${p}: route ${q(prefix)} is not a CIDR prefix${fix}`);
    }
    for (const [i, approver] of stringList(ctx, p, approvers, "tag:router")) checkPrincipal(ctx, at(p, i), approver, "auto-approver");
  }
  const ep = at(path, "exitNode");
  for (const [i, approver] of stringList(ctx, ep, aa.exitNode, "tag:exit")) checkPrincipal(ctx, at(ep, i), approver, "auto-approver");
}

function checkGrants(ctx: Ctx, path: string, value: unknown): void {
  const example = `{"src": ["group:admin"], "dst": ["tag:server"], "ip": ["tcp:22"]}`;
  for (const [p, entry] of entryList(ctx, path, value, example)) {
    const grant = members(ctx, p, entry, ["src", "dst", "ip", "app", "via"]);
    for (const [i, src] of stringList(ctx, at(p, "src"), grant.src, "group:admin")) checkAlias(ctx, at(at(p, "src"), i), src, "grantSrc");
    for (const [i, dst] of stringList(ctx, at(p, "dst"), grant.dst, "tag:server")) {
      const dp = at(at(p, "dst"), i);
      const withPort = /^(.*[^:]):([\d,*-]+)$/.exec(dst);
      if (withPort && !isIpOrCidr(dst) && aliasKind(withPort[1]!) !== "invalid") {
        ctx.error(dp, `${dp}: grant destinations take no port; write ${q(withPort[1]!)} and put the ports in "ip", e.g. "ip": [${q(`tcp:${withPort[2]}`)}]`);
        continue;
      }
      checkAlias(ctx, dp, dst, "grantDst");
    }
    const ip = stringList(ctx, at(p, "ip"), grant.ip, "tcp:443");
    const hasApp = isObject(grant.app) && Object.keys(grant.app).length > 0;
    if (ip.length === 0 && !hasApp) {
      ctx.error(p, `${p}: a grant needs "ip" or "app"; add e.g. "ip": ["*"] (all traffic) or "ip": ["tcp:443"]`);
    }
    for (const [i, pp] of ip) {
      const ipp = at(at(p, "ip"), i);
      if (pp === "*") continue;
      const parts = pp.split(":");
      if (parts.length > 2) {
        ctx.error(ipp, `${ipp}: ${q(pp)} must be "<proto>:<ports>", "<ports>" or "*"; e.g. "tcp:443"`);
        continue;
      }
      if (parts.length === 2) checkProto(ctx, ipp, parts[0]);
      const problem = portProblem(parts[parts.length - 1]!);
      if (problem) ctx.error(ipp, `${ipp}: in ${q(pp)}: ${problem}`);
    }
    for (const [i, via] of stringList(ctx, at(p, "via"), grant.via, "tag:router")) {
      const vp = at(at(p, "via"), i);
      if (!via.startsWith("tag:")) ctx.error(vp, `${vp}: "via" takes only tags, not ${q(via)}; use the tag of the router nodes`);
      else checkTagRef(ctx, vp, via);
    }
  }
}

function checkNodeAttrs(ctx: Ctx, path: string, value: unknown): void {
  const example = `{"target": ["tag:server"], "attr": ["randomize-client-port"]}`;
  for (const [p, entry] of entryList(ctx, path, value, example)) {
    const na = members(ctx, p, entry, ["target", "attr", "ipPool"]);
    for (const [i, target] of stringList(ctx, at(p, "target"), na.target, "tag:server")) checkAlias(ctx, at(at(p, "target"), i), target, "nodeAttrs");
    stringList(ctx, at(p, "attr"), na.attr, "randomize-client-port");
    if (na.ipPool !== undefined) {
      ctx.error(at(p, "ipPool"), `${at(p, "ipPool")}: Headscale does not support "ipPool" yet (it needs the IP allocator, juanfont/headscale#2912); remove it`);
    }
  }
}

function checkTests(ctx: Ctx, path: string, value: unknown): void {
  const example = `{"src": "alice@", "accept": ["tag:server:22"], "deny": ["tag:db:5432"]}`;
  for (const [p, entry] of entryList(ctx, path, value, example)) {
    const test = members(ctx, p, entry, ["src", "proto", "accept", "deny"]);
    const sp = at(p, "src");
    if (typeof test.src !== "string" || test.src === "") ctx.error(sp, `${sp}: a test needs one source as a string, e.g. "src": "alice@"`);
    else checkAlias(ctx, sp, test.src, "testSrc");
    checkProto(ctx, at(p, "proto"), test.proto, true);
    const accept = stringList(ctx, at(p, "accept"), test.accept, "tag:server:22");
    const deny = stringList(ctx, at(p, "deny"), test.deny, "tag:server:22");
    if (accept.length === 0 && deny.length === 0) ctx.error(p, `${p}: a test needs "accept" or "deny" destinations; add e.g. "accept": ["tag:server:22"]`);
    for (const [i, dst] of accept) checkDestination(ctx, at(at(p, "accept"), i), dst, "testDst", true);
    for (const [i, dst] of deny) checkDestination(ctx, at(at(p, "deny"), i), dst, "testDst", true);
  }
}

function checkSshTests(ctx: Ctx, path: string, value: unknown): void {
  const example = `{"src": "alice@", "dst": ["tag:server"], "accept": ["root"]}`;
  for (const [p, entry] of entryList(ctx, path, value, example)) {
    const test = members(ctx, p, entry, ["src", "dst", "accept", "deny", "check"]);
    const sp = at(p, "src");
    if (typeof test.src !== "string" || test.src === "") ctx.error(sp, `${sp}: an SSH test needs one source as a string, e.g. "src": "alice@"`);
    else checkAlias(ctx, sp, test.src, "sshTestSrc");
    const dst = stringList(ctx, at(p, "dst"), test.dst, "tag:server");
    if (dst.length === 0) ctx.error(at(p, "dst"), `${at(p, "dst")}: an SSH test needs at least one destination; add e.g. "dst": ["tag:server"]`);
    for (const [i, d] of dst) {
      const dp = at(at(p, "dst"), i);
      if (/:(\d+|\*)$/.test(d) && aliasKind(d) !== "ip") ctx.error(dp, `${dp}: SSH test destinations take no port; write ${q(d.replace(/:(\d+|\*)$/, ""))}`);
      else checkAlias(ctx, dp, d, "sshTestDst");
    }
    for (const list of ["accept", "deny", "check"] as const) stringList(ctx, at(p, list), test[list], "root");
  }
}
