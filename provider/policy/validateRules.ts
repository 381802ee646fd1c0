// Checks of one entry of the rule sections: acls, ssh, grants and nodeAttrs. validatePolicy has read the
// entry's members already (sections.ts lists them), so each check gets them by their canonical names.
import { aliasKind, checkAlias, checkDestination, checkProto, checkTagRef, isIpOrCidr, portProblem, splitDestination } from "./aliases.js";
import { at, describe, isObject, q, stringList, type Ctx } from "./check.js";

type Entry = Record<string, unknown>;
const PORTED_PROTOCOLS = ["tcp", "udp", "sctp"];

export function checkAcl(ctx: Ctx, p: string, rule: Entry): void {
  if (rule.action === undefined) {
    // Before 0.29 Headscale fails with "invalid action"; 0.29 assumes accept.
    const ap = at(p, "action");
    ctx.report(ap, ctx.dialect.aclActionOptional ? "warning" : "error", `${ap}: missing (Headscale before 0.29 rejects the rule); add "action": "accept"`);
  } else if (rule.action !== "accept") {
    ctx.error(
      at(p, "action"),
      `${at(p, "action")}: ${describe(rule.action)} is not supported; Headscale rules only "accept" (everything not accepted is denied), so write "action": "accept" or remove the rule`,
    );
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
    if (ctx.dialect.portsNeedNamedProto && /^\d+$/.test(numeric) && PORTED_PROTOCOLS.includes(proto)) {
      ctx.error(
        at(p, "proto"),
        `${at(p, "proto")}: Headscale ${ctx.version} allows ports only with protocols written by name; write "proto": ${q(proto)} instead of ${numeric}`,
      );
      break;
    }
    if (!PORTED_PROTOCOLS.includes(proto)) {
      ctx.error(dp, `${dp}: protocol ${q(proto)} has no ports; write ${q(`${split.alias}:*`)}`);
    }
  }
}

export function checkSshRule(ctx: Ctx, p: string, rule: Entry): void {
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
  if (ctx.dialect.sshOwnershipRules) sshSrcDstRules(ctx, p, rule.src, rule.dst);
  const up = at(p, "users");
  const users = stringList(ctx, up, rule.users, "root");
  // 0.29 rejects these; older servers accept a rule that then does nothing.
  const strict = ctx.dialect.sshRequiresUsers ? "error" : "warning";
  if (rule.users === undefined || (Array.isArray(rule.users) && rule.users.length === 0)) {
    ctx.report(up, strict, `${up}: an SSH rule needs the login users it allows; add "users": ["root"] (or "autogroup:nonroot")`);
  }
  for (const [i, user] of users) {
    if (user === "" || user === "*") ctx.error(at(up, i), `${at(up, i)}: ${q(user)} is not a login user; name users (e.g. "root") or use "autogroup:nonroot"`);
  }
  if (rule.checkPeriod !== undefined && rule.action !== "check") {
    const cp = at(p, "checkPeriod");
    ctx.report(cp, strict, `${cp}: only valid with "action": "check"; remove it or change the action`);
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
        ctx.error(
          dp,
          `${dp}: a user destination (${q(d)}) allows only that same user as the source; use "autogroup:self" for "each user to their own devices", or tag the target devices`,
        );
      }
    } else if ((d === "autogroup:self" || d === "autogroup:member") && tagged) {
      ctx.error(dp, `${dp}: tagged sources cannot SSH to ${q(d)} (user-owned devices); remove the tags from "src" or target tagged devices instead`);
    }
  });
}

export function checkGrant(ctx: Ctx, p: string, grant: Entry): void {
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

export function checkNodeAttr(ctx: Ctx, p: string, na: Entry): void {
  for (const [i, target] of stringList(ctx, at(p, "target"), na.target, "tag:server")) checkAlias(ctx, at(at(p, "target"), i), target, "nodeAttrs");
  stringList(ctx, at(p, "attr"), na.attr, "randomize-client-port");
  if (na.ipPool !== undefined) {
    ctx.error(at(p, "ipPool"), `${at(p, "ipPool")}: Headscale does not support "ipPool" yet (it needs the IP allocator, juanfont/headscale#2912); remove it`);
  }
}
