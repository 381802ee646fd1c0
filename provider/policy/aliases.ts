// Aliases (users, groups, tags, autogroups, hosts, IPs), destinations with ports, and protocols: the
// values rules, tests and owners are made of, checked as Headscale's policy parser reads them.
import { isIP } from "node:net";
import { at, describe, q, type Ctx } from "./check.js";
import { AUTOGROUP_PREFIX, checkTag, GROUP_PREFIX, TAG_PREFIX } from "./naming.js";

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
export function portProblem(ports: string): string | undefined {
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
export function splitDestination(entry: string): { alias: string; ports: string } | { missingPort: true } {
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

export type Place = "aclSrc" | "aclDst" | "sshSrc" | "sshDst" | "grantSrc" | "grantDst" | "nodeAttrs" | "testSrc" | "testDst" | "sshTestSrc" | "sshTestDst";

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

/** Autogroups the server knows (`autogroups` in Headscale's types.go). */
function knownAutogroups(ctx: Ctx): string[] {
  const { userAutogroups, dangerAllAutogroup } = ctx.dialect;
  return [
    "autogroup:internet",
    ...(userAutogroups ? ["autogroup:member", "autogroup:nonroot", "autogroup:tagged", "autogroup:self"] : []),
    ...(dangerAllAutogroup ? ["autogroup:danger-all"] : []),
  ];
}

/** Where each autogroup may appear (0.29's `autogroupFor*`; earlier servers know fewer, see knownAutogroups). */
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

export function aliasKind(alias: string): AliasKind {
  if (isIpOrCidr(alias)) return "ip";
  if (alias === "*") return "wildcard";
  if (alias.includes("@")) return "user";
  if (alias.startsWith(GROUP_PREFIX)) return "group";
  if (alias.startsWith(TAG_PREFIX)) return "tag";
  if (alias.startsWith(AUTOGROUP_PREFIX)) return "autogroup";
  if (!alias.includes(":")) return "host";
  return "invalid";
}

/**
 * Checks one alias (user, group, tag, autogroup, host, IP/CIDR or `*`) at `path`. `rebuild` turns a
 * corrected alias back into the full entry (e.g. adds the ports of a destination) for the fix text.
 */
export function checkAlias(ctx: Ctx, path: string, alias: string, place: Place, rebuild: (a: string) => string = (a) => a): void {
  const kind = aliasKind(alias);
  const entry = q(rebuild(alias));
  let allowedKinds = KINDS_ALLOWED[place];
  // Host names as SSH destinations: accepted by 0.27 and 0.28 only.
  if (place === "sshDst" && ctx.dialect.sshHostDestinations) allowedKinds = [...allowedKinds!, "host"];
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
      ctx.error(
        path,
        `${path}: ${entry} is not a valid alias; use a user ("alice@"), "group:…", "tag:…", "autogroup:…", a name from "hosts", an IP or CIDR, or "*"`,
      );
  }
}

/**
 * A bare word that is not a host: almost always a user name pasted from a guide for Headscale < 0.26,
 * which wrote users without "@". Headscale 0.26+ fails with "host not defined".
 */
export function legacyUserName(ctx: Ctx, path: string, name: string, rebuild: (a: string) => string = (a) => a, hostsPossible = false): void {
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

export function checkGroupRef(ctx: Ctx, path: string, group: string): void {
  if (ctx.groups.has(group)) return;
  ctx.error(path, `${path}: group ${q(group)} is not defined; add ${q(group)}: ["<user>@", …] to "groups" (with its members) or fix the name`);
}

export function checkTagRef(ctx: Ctx, path: string, tag: string): void {
  const invalid = checkTag(tag);
  if (invalid) {
    ctx.error(path, `${path}: ${invalid}`);
    return;
  }
  if (ctx.tags.has(tag)) return;
  ctx.error(path, `${path}: tag ${q(tag)} is not defined in tagOwners; add ${q(tag)}: [${q(ctx.suggestedOwner)}] to tagOwners (listing who may assign it)`);
}

function checkAutogroup(ctx: Ctx, path: string, ag: string, place: Place): void {
  const known = knownAutogroups(ctx);
  if (!known.includes(ag)) {
    const roles = /^autogroup:(admin|owner|it-admin|network-admin|billing-admin|auditor|member-of)/.test(ag)
      ? " (Headscale has no user roles; list the users or a group instead)"
      : "";
    ctx.error(path, `${path}: ${ctx.server} does not know ${q(ag)}${roles}; use one of ${known.join(", ")}`);
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
export function checkDestination(ctx: Ctx, path: string, entry: string, place: Place, singlePort = false): void {
  const split = splitDestination(entry);
  if ("missingPort" in split) {
    const fixed = withAllPorts(entry);
    const fix = singlePort ? q(fixed.replace(/\*$/, "22")) : `${q(fixed)} for all ports or ${q(fixed.replace(/\*$/, "22"))}`;
    ctx.error(path, `${path}: destination ${q(entry)} has no port; Headscale needs "<target>:<ports>", e.g. ${fix}`);
    const bare = entry.replace(/:$/, "").replace(/^\[(.*)\]$/, "$1");
    if (bare) checkAlias(ctx, path, bare, place, withAllPorts);
    return;
  }
  if (entry.startsWith("[") && !ctx.dialect.bracketedIpv6) {
    ctx.error(
      path,
      `${path}: brackets around IPv6 addresses need Headscale 0.29 (the server runs ${ctx.version}); write ${q(`${split.alias}:${split.ports}`)}`,
    );
  }
  const problem = portProblem(split.ports);
  if (problem) ctx.error(path, `${path}: in ${q(entry)}: ${problem}`);
  else if (singlePort && (split.ports === "*" || /[,-]/.test(split.ports))) {
    ctx.error(path, `${path}: a test destination needs exactly one port, not ${q(split.ports)}; write e.g. ${q(`${split.alias}:22`)}`);
  }
  checkAlias(ctx, path, split.alias, place, (a) => `${a}:${split.ports}`);
}

/** Tag owners, auto-approvers and group members are not general aliases: Headscale accepts fewer kinds. */
export function checkPrincipal(ctx: Ctx, path: string, value: string, what: "tag owner" | "auto-approver"): void {
  const kind = aliasKind(value);
  if (kind === "user") return;
  if (kind === "group") return checkGroupRef(ctx, path, value);
  if (kind === "tag") return checkTagRef(ctx, path, value);
  if (kind === "host") return legacyUserName(ctx, path, value);
  const roles = value === "autogroup:admin" || value === "autogroup:owner" ? " (Headscale has no admin roles)" : "";
  ctx.error(path, `${path}: ${q(value)} cannot be a ${what} in Headscale${roles}; use a user ("alice@"), a "group:…" or a "tag:…"`);
}

/** IANA protocol numbers Headscale knows by name (its policy accepts either). */
export const PROTOCOL_BY_NUMBER: Readonly<Record<string, string>> = {
  "1": "icmp",
  "2": "igmp",
  "4": "ipv4",
  "6": "tcp",
  "8": "egp",
  "9": "igp",
  "17": "udp",
  "47": "gre",
  "50": "esp",
  "51": "ah",
  "58": "ipv6-icmp",
  "132": "sctp",
  "133": "fc",
};
export function checkProto(ctx: Ctx, path: string, proto: unknown, testsOnly = false): string {
  if (proto === undefined || proto === "") return "";
  const raw = typeof proto === "number" ? String(proto) : typeof proto === "string" ? proto.toLowerCase() : undefined;
  if (raw === undefined) {
    ctx.error(path, `${path}: must be a protocol name or number, not ${describe(proto)}; write e.g. "tcp"`);
    return "";
  }
  const names = ["icmp", "igmp", "ipv4", "ip-in-ip", "tcp", "egp", "igp", "udp", "gre", "esp", "ah", "ipv6-icmp", "sctp", "fc"];
  const name = PROTOCOL_BY_NUMBER[raw] ?? raw;
  if (typeof proto === "number" && !ctx.dialect.numericProto) {
    ctx.error(path, `${path}: Headscale ${ctx.version} reads the protocol only as a string, not a JSON number; write ${q(names.includes(name) ? name : raw)}`);
  }
  if (testsOnly) {
    if (!["tcp", "udp", "sctp"].includes(name))
      ctx.error(path, `${path}: tests support only "tcp", "udp" or "sctp", not ${q(raw)}; change it or leave "proto" out`);
    return name;
  }
  if (typeof proto === "string" && proto !== raw && !ctx.dialect.protoAnyCase) {
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
