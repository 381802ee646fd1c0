// Checks of the sections that name things: groups, hosts, tagOwners, and autoApprovers (who may
// advertise routes). Each takes the whole section: tag ownership is checked across all tags.
import { aliasKind, checkPrincipal, isIpOrCidr, legacyUserName } from "./aliases.js";
import { at, describe, isObject, members, objectEntries, q, stringList, type Ctx } from "./check.js";
import { checkGroupName, checkHostName, checkTag, TAG_PREFIX } from "./naming.js";
import { POLICY_SECTIONS } from "./sections.js";

export function checkGroups(ctx: Ctx, path: string, value: unknown): void {
  for (const [name, groupMembers] of objectEntries(ctx, path, value, `mapping "group:<name>" to a list of users`)) {
    const p = at(path, name);
    const badName = checkGroupName(name);
    if (badName) ctx.error(p, `${p}: ${badName}`);
    for (const [i, member] of stringList(ctx, p, groupMembers, "alice@")) {
      const mp = at(p, i);
      const kind = aliasKind(member);
      if (kind === "user") continue;
      if (kind === "host") legacyUserName(ctx, mp, member);
      else if (kind === "group")
        ctx.error(mp, `${mp}: groups cannot contain groups (Headscale rejects nesting); list the members of ${q(member)} here instead`);
      else ctx.error(mp, `${mp}: ${q(member)} cannot be a group member; groups contain only users, written with "@" (e.g. "alice@")`);
    }
  }
}

export function checkHosts(ctx: Ctx, path: string, value: unknown): void {
  for (const [name, address] of objectEntries(ctx, path, value, "mapping host names to IP addresses or CIDR prefixes")) {
    const p = at(path, name);
    const badName = checkHostName(name);
    if (badName) ctx.error(p, `${p}: ${badName}`);
    if (typeof address !== "string" || !isIpOrCidr(address)) {
      ctx.error(p, `${p}: ${describe(address)} is not an IP address or CIDR prefix; write e.g. "100.64.0.10" or "10.0.0.0/24"`);
    }
  }
}

export function checkTagOwners(ctx: Ctx, path: string, value: unknown): void {
  const ownedBy = new Map<string, string[]>();
  for (const [tag, owners] of objectEntries(ctx, path, value, `mapping "tag:<name>" to the users or groups that may assign it`)) {
    const p = at(path, tag);
    const invalid = checkTag(tag);
    if (invalid) ctx.error(p, `${p}: ${invalid}`);
    const tagOwners: string[] = [];
    for (const [i, owner] of stringList(ctx, p, owners, "group:admin")) {
      const op = at(p, i);
      if (owner.startsWith(TAG_PREFIX) && !ctx.dialect.tagOwnedTags) {
        ctx.error(op, `${op}: tags can own tags only from Headscale 0.28 (the server runs ${ctx.version}); list the users or groups of ${q(owner)} instead`);
        continue;
      }
      checkPrincipal(ctx, op, owner, "tag owner");
      if (owner.startsWith(TAG_PREFIX)) tagOwners.push(owner);
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
        ctx.report(p, ctx.dialect.rejectsTagOwnerCycles ? "error" : "warning", message);
      }
      return;
    }
    for (const next of ownedBy.get(tag) ?? []) visit(next, [...chain, tag]);
  };
  for (const tag of ownedBy.keys()) visit(tag, []);
}

export function checkAutoApprovers(ctx: Ctx, path: string, value: unknown): void {
  const spec = POLICY_SECTIONS.autoApprovers;
  if (value === null || value === undefined) return;
  if (!isObject(value)) {
    ctx.error(path, `${path}: must be an object like ${spec.example}, not ${describe(value)}`);
    return;
  }
  const aa = members(ctx, path, value, spec.members);
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

export function checkRandomizeClientPort(ctx: Ctx, path: string, value: unknown): void {
  if (typeof value !== "boolean") ctx.error(path, `${path}: must be true or false, not ${describe(value)}`);
}
