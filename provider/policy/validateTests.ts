// Checks of one entry of the policy's own tests: `tests` (which connections must be accepted or denied)
// and `sshTests` (which SSH logins). Headscale 0.29+ runs them against the nodes that exist.
import { aliasKind, checkAlias, checkDestination, checkProto } from "./aliases.js";
import { at, q, stringList, type Ctx } from "./check.js";

type Entry = Record<string, unknown>;

export function checkTest(ctx: Ctx, p: string, test: Entry): void {
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

export function checkSshTest(ctx: Ctx, p: string, test: Entry): void {
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
