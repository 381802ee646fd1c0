// Preview/plan-time checks of a Headscale ACL policy (policy format v2, Headscale 0.26+).
//
// The goal is to catch, before anything is written, what Headscale would reject at apply time, and to
// say how to fix it: every message starts with the path of the offending value and ends with the fix.
// Rules follow Headscale's own parser (hscontrol/policy/v2/types.go, tags v0.26.1 … v0.29.2); what a
// given server accepts comes in as its dialect (dialect.ts). Things only a live server knows (does user
// "alice@" exist?) are left to Headscale's own check.
//
// This file walks the sections table (sections.ts); the checks of each section live in validateNames.ts,
// validateRules.ts and validateTests.ts, the values they are made of in aliases.ts.
import { checkAcl, checkGrant, checkNodeAttr, checkSshRule } from "./validateRules.js";
import { checkAutoApprovers, checkGroups, checkHosts, checkRandomizeClientPort, checkTagOwners } from "./validateNames.js";
import { checkSshTest, checkTest } from "./validateTests.js";
import { describe, entryList, isObject, keysOf, members, newContext, q, type Ctx, type Problem } from "./check.js";
import type { DialectFeature, PolicyDialect } from "./dialect.js";
import { checkTag, GROUP_PREFIX } from "./naming.js";
import type { PolicyPositions } from "./paths.js";
import { POLICY_SECTIONS, sectionName, type PolicySection } from "./sections.js";

export type { Problem };
export { isIpOrCidr } from "./aliases.js";

export interface ValidateOptions {
  /** What the target server accepts (provider/resources/policyDialect.ts builds it). Unknown: ANY_SERVER. */
  dialect?: PolicyDialect;
  /** Where each value starts (parsePolicyText's `positions`): problems then carry a line and column. */
  positions?: PolicyPositions;
}

/** Tag rules live in naming.ts (shared with the client and the NodeTags and PreAuthKey resources). */
export const isValidTag = checkTag;

/** Tags the policy defines: the keys of `tagOwners` (a tag must be defined there to be used anywhere). */
export function definedTags(policyValue: unknown): Set<string> {
  const owners = isObject(policyValue) ? sectionsOf(policyValue).get("tagOwners")?.value : undefined;
  return new Set(isObject(owners) ? Object.keys(owners) : []);
}

type Entry = Record<string, unknown>;
type EntrySections = { [K in PolicySection]: (typeof POLICY_SECTIONS)[K]["shape"] extends "entries" ? K : never }[PolicySection];

/** One entry's check, for the sections that are lists of entries (its members already read). */
const CHECK_ENTRY: Record<EntrySections, (ctx: Ctx, path: string, entry: Entry) => void> = {
  acls: checkAcl,
  ssh: checkSshRule,
  grants: checkGrant,
  nodeAttrs: checkNodeAttr,
  tests: checkTest,
  sshTests: checkSshTest,
};

/** The whole section's check, for the others. */
const CHECK_SECTION: Record<Exclude<PolicySection, EntrySections>, (ctx: Ctx, path: string, value: unknown) => void> = {
  groups: checkGroups,
  hosts: checkHosts,
  tagOwners: checkTagOwners,
  autoApprovers: checkAutoApprovers,
  randomizeClientPort: checkRandomizeClientPort,
};

/** Validates a parsed policy. Unknown top-level sections pass through (a newer Headscale may know them). */
export function validatePolicy(value: unknown, opts: ValidateOptions = {}): Problem[] {
  const ctx = newContext(opts.dialect, opts.positions);
  if (!isObject(value)) {
    ctx.error("policy", `the policy must be a JSON object at the top level, not ${describe(value)}; write { "acls": [...] }`);
    return ctx.problems;
  }
  const sections = sectionsOf(value);
  ctx.groups = new Set(keysOf(sections.get("groups")?.value));
  ctx.tags = new Set(keysOf(sections.get("tagOwners")?.value));
  ctx.hosts = new Set(keysOf(sections.get("hosts")?.value));
  const firstGroup = [...ctx.groups].find((g) => g.startsWith(GROUP_PREFIX));
  if (firstGroup) ctx.suggestedOwner = firstGroup;

  for (const [key, raw] of Object.entries(value)) {
    const known = sectionName(key);
    if (!known) {
      unknownSection(ctx, key);
      continue;
    }
    if (key !== known) {
      const first = sections.get(known)!.key;
      if (first !== key) {
        // Two spellings of one section: a strict decoder (0.27+) sees a duplicate member (0.26 keeps the last).
        const severity = ctx.dialect.unknownMembers === "ignored" ? "warning" : "error";
        ctx.report(
          key,
          severity,
          `${key}: Headscale matches section names case-insensitively, so this is a second ${q(first)} section (rejected as a duplicate); merge it into ${q(first)}`,
        );
        continue;
      }
      ctx.warn(key, `${key}: Headscale matches section names case-insensitively, but the documented spelling is "${known}"; rename it to "${known}"`);
    }
    const spec = POLICY_SECTIONS[known];
    if (spec.needs && !ctx.dialect[spec.needs]) {
      ctx.error(key, `${key}: needs Headscale ${spec.since} or newer, but the server runs ${ctx.version}; remove the section or upgrade Headscale`);
    }
    checkSection(ctx, known, key, raw);
  }
  return ctx.problems;
}

function checkSection(ctx: Ctx, section: PolicySection, path: string, value: unknown): void {
  const spec = POLICY_SECTIONS[section];
  if (spec.shape !== "entries") return CHECK_SECTION[section as Exclude<PolicySection, EntrySections>](ctx, path, value);
  // Members only some servers accept are unknown members elsewhere.
  const needs: Partial<Record<string, DialectFeature>> = ("memberNeeds" in spec && spec.memberNeeds) || {};
  const allowed = spec.members.filter((m) => !needs[m] || ctx.dialect[needs[m]!]);
  const opts = { hashIgnored: "hashIgnored" in spec && spec.hashIgnored, renames: "renames" in spec ? spec.renames : undefined };
  for (const [p, entry] of entryList(ctx, path, value, spec.example)) {
    CHECK_ENTRY[section as EntrySections](ctx, p, members(ctx, p, entry, allowed, opts));
  }
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

function unknownSection(ctx: Ctx, key: string): void {
  // No error: a newer Headscale may know the section. Only a server we know to reject (or ignore) it
  // gets a warning, since it is then certain to fail (or to do nothing).
  if (ctx.dialect.unknownMembers === "unsure") return;
  if (ctx.dialect.unknownMembers === "ignored") {
    ctx.warn(
      key,
      `${key}: unknown section; ${ctx.server} ignores it (0.27+ rejects it as "unknown field"); remove it unless the server is upgraded to a version that knows it`,
    );
  } else {
    ctx.warn(key, `${key}: unknown section; ${ctx.server} rejects it as "unknown field"; remove it or upgrade Headscale to a version that knows it`);
  }
}
