// The approved routes of one node (subnet routes and the exit node). The resource declares the node's
// whole approved set: routes approved outside it are drift that the next apply repairs. Destroy removes
// only the routes this resource approved. The exit node is one pair, 0.0.0.0/0 + ::/0: Headscale approves
// and reports both, so `exitNode: true`, one of the pair or both mean the same and never show as a change.
import { z } from "zod";
import { HeadscaleError, isNotFound, ref, text, type Node } from "../client/index.js";
import { parsePolicyText } from "../policy/index.js";
import { canonicalRoute, EXIT_ROUTES, isExitRoute, normalRoutes, routeSet, routeWithin } from "./cidr.js";
import { defineResource, field, isUnknown, type Context, type DiffResult, type Problem } from "./declaration.js";
import { sameSet } from "./diffing.js";
import { parseDuration } from "./duration.js";
import { durationProblems } from "./expiry.js";
import { nodeLabel, nodeSelectorFields, plannedNode, resolveNode, selectorProblems } from "./nodes.js";

const args = z.object({
  ...nodeSelectorFields,
  routes: field(z.array(z.string()).optional(), {
    description:
      'Subnet routes to approve, as CIDRs ("10.0.0.0/24", "fd00::/64"; a set: order and duplicates do not matter). Checked at preview: syntax, prefix length, no host bits.',
    set: true,
  }),
  exitNode: field(z.boolean().optional(), {
    description: "Approve the node as an exit node (0.0.0.0/0 and ::/0, which Headscale approves together). Default false.",
  }),
  waitForAdvertised: field(z.string().optional(), {
    description:
      'Before approving, wait up to this long ("2m") for the node to advertise every route, and fail if it does not: a router that is still starting is not approved for routes it never serves. Default: approve at once.',
  }),
});
const state = args.extend({
  resolvedNodeId: field(z.string(), { description: "Id of the node the routes are approved on.", computed: true }),
  givenName: field(z.string(), { description: "The node's name.", computed: true }),
  approvedRoutes: field(z.array(z.string()), { description: "Every route approved on the node now (canonical, sorted).", computed: true }),
  advertisedRoutes: field(z.array(z.string()), {
    description: "The routes the node advertises (`tailscale up --advertise-routes`, `--advertise-exit-node`).",
    computed: true,
  }),
  servedRoutes: field(z.array(z.string()), {
    description: "Routes advertised and approved: what the node serves to the tailnet.",
    computed: true,
  }),
});
type Args = z.infer<typeof args>;
type State = z.infer<typeof state>;

/** Outputs that every approval recomputes (a plan must not promise their old values). */
const RECOMPUTED = ["approvedRoutes", "servedRoutes", "advertisedRoutes"];

const wanted = (a: Pick<Args, "routes" | "exitNode">) => routeSet(a.routes, a.exitNode);

function toState(a: Args, node: Node): State {
  const approvedRoutes = normalRoutes(node.approvedRoutes);
  const advertisedRoutes = normalRoutes(node.availableRoutes);
  return {
    ...a,
    resolvedNodeId: node.id,
    givenName: node.givenName || node.name,
    approvedRoutes,
    advertisedRoutes,
    // Computed, not the server's subnetRoutes: the answer to an approval lists them before Headscale has
    // recomputed them (0.27 omits the exit routes there), so a refresh would report drift.
    servedRoutes: approvedRoutes.filter((r) => advertisedRoutes.includes(r)),
  };
}

/** The node once it advertises every route in `routes`; fails after `waitForAdvertised`. */
async function whenAdvertised(ctx: Context, node: Node, routes: string[], waitForAdvertised: string): Promise<Node> {
  const deadline = Date.now() + (parseDuration(waitForAdvertised) ?? 0);
  for (let n = node; ; n = await ctx.client.getNode(node.id)) {
    const missing = routes.filter((r) => !normalRoutes(n.availableRoutes).includes(r));
    if (missing.length === 0) return n;
    if (Date.now() >= deadline) {
      throw new HeadscaleError({
        kind: "invalid_argument",
        operation: `approve routes of node ${nodeLabel(n)}`,
        hint: text`the node did not advertise ${missing.join(", ")} within ${waitForAdvertised} (it advertises ${normalRoutes(n.availableRoutes).join(", ") || "nothing"}): start it with \`tailscale up --advertise-routes=…${missing.some(isExitRoute) ? " --advertise-exit-node" : ""}\`, or raise ${ref.field("waitForAdvertised")}`,
      });
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function approve(ctx: Context, node: Node, a: Args): Promise<State> {
  const routes = wanted(a);
  const ready = a.waitForAdvertised ? await whenAdvertised(ctx, node, routes, a.waitForAdvertised) : node;
  const approved = await ctx.client.approveRoutes(ready.id, routes);
  ctx.lists.invalidate("nodes");
  return toState(a, approved);
}

/** Routes the policy's autoApprovers approve by themselves (a second source of truth for them). */
async function autoApproved(ctx: Context, routes: string[]): Promise<string[]> {
  const parsed = parsePolicyText((await ctx.lists.policy()).text);
  if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) return [];
  const aa = (parsed.value as { autoApprovers?: { routes?: Record<string, unknown>; exitNode?: unknown[] } }).autoApprovers;
  const prefixes = Object.keys(aa?.routes ?? {});
  const exit = Array.isArray(aa?.exitNode) && aa.exitNode.length > 0;
  return routes.filter((r) => (isExitRoute(r) ? exit : prefixes.some((p) => routeWithin(r, p))));
}

export const NodeRoutes = defineResource({
  name: "NodeRoutes",
  description:
    "The approved routes (subnet routes, exit node) of a node. Routes approved outside are drift and repaired; destroy removes only the routes this resource approved.",
  args,
  state,

  async check(ctx, a, olds) {
    const problems: Problem[] = [
      ...selectorProblems(a, "to approve routes on"),
      ...durationProblems(typeof a.waitForAdvertised === "string" ? a.waitForAdvertised : undefined, "waitForAdvertised"),
    ];
    const routes = isUnknown(a.routes) ? undefined : (a.routes ?? []);
    for (const r of routes ?? []) {
      const c = canonicalRoute(r);
      if ("problem" in c) problems.push({ field: "routes", message: c.problem });
    }
    if (problems.length > 0) return problems;
    const { node, problems: selection } = await plannedNode(ctx, a, olds);
    problems.push(...selection);
    if (!routes || isUnknown(a.exitNode)) return problems;
    const want = routeSet(routes, a.exitNode);
    if (node && a.waitForAdvertised === undefined) {
      const missing = want.filter((r) => !normalRoutes(node.availableRoutes).includes(r));
      if (missing.length > 0) {
        problems.push({
          field: missing.some(isExitRoute) && !routes.some(isExitRoute) ? "exitNode" : "routes",
          severity: "warning",
          message: text`node ${nodeLabel(node)} does not advertise ${missing.join(", ")}: approved anyway, but not served until it does (\`tailscale up --advertise-routes=…\`); set ${ref.field("waitForAdvertised")} to wait for it instead`,
        });
      }
    }
    const auto = await autoApproved(ctx, want);
    if (auto.length > 0) {
      problems.push({
        field: "routes",
        severity: "warning",
        message: `the policy's autoApprovers also approve ${auto.join(", ")}: two sources of truth for these routes (remove them from autoApprovers or from this resource)`,
      });
    }
    return problems;
  },

  // One node, one approved set: the old resource removes its routes before the new one approves.
  replaceOrder: "delete-first",

  async diff(_ctx, _id, olds, news, derived) {
    // routes and exitNode are compared by what they approve (below), not field by field.
    const updates = derived.updates.filter((f) => f !== "routes" && f !== "exitNode");
    const result: DiffResult = { ...derived, updates, reasons: {} };
    if (isUnknown(news.routes) || isUnknown(news.exitNode)) {
      updates.push("routes", ...RECOMPUTED);
      return result;
    }
    const want = routeSet(news.routes, news.exitNode);
    if (!sameSet(want, wanted(olds))) {
      // Name the field whose meaning changed: `exitNode: true` and the pair written in routes are the same.
      const subnets = (rs: string[]) => rs.filter((r) => !isExitRoute(r));
      if (!sameSet(subnets(want), subnets(wanted(olds)))) updates.push("routes");
      if (want.includes(EXIT_ROUTES[0]) !== wanted(olds).includes(EXIT_ROUTES[0])) updates.push(news.exitNode !== olds.exitNode ? "exitNode" : "routes");
      updates.push(...RECOMPUTED);
    } else if (!sameSet(want, olds.approvedRoutes)) {
      updates.push(...RECOMPUTED);
      result.reasons!.approvedRoutes = `approved on the server: ${olds.approvedRoutes.join(", ") || "none"}; declared: ${want.join(", ") || "none"} (changed outside, set back)`;
    }
    result.updates = [...new Set(updates)];
    return result;
  },

  async create(ctx, a) {
    const node = await resolveNode(ctx, a);
    const s = await approve(ctx, node, a);
    return { id: node.id, state: s };
  },

  async read(ctx, id, olds) {
    const node = (await ctx.lists.nodes()).find((n) => n.id === id);
    return node ? { id, state: toState(olds, node) } : null;
  },

  async update(ctx, id, olds, news) {
    const unchanged = sameSet(wanted(news), olds.approvedRoutes) && news.waitForAdvertised === olds.waitForAdvertised;
    if (unchanged) {
      const { resolvedNodeId, givenName, approvedRoutes, advertisedRoutes, servedRoutes } = olds;
      return { ...news, resolvedNodeId, givenName, approvedRoutes, advertisedRoutes, servedRoutes };
    }
    return approve(ctx, await ctx.client.getNode(id), news);
  },

  async delete(ctx, id, olds) {
    let node: Node;
    try {
      node = await ctx.client.getNode(id);
    } catch (e) {
      if (isNotFound(e)) return; // the node is gone, and its routes with it
      throw e;
    }
    const mine = new Set(wanted(olds));
    const approved = normalRoutes(node.approvedRoutes);
    const keep = approved.filter((r) => !mine.has(r));
    if (keep.length === approved.length) return;
    await ctx.client.approveRoutes(id, keep);
    ctx.lists.invalidate("nodes");
    if (keep.length > 0) ctx.log(`node ${nodeLabel(node)} keeps routes approved outside this resource: ${keep.join(", ")}`);
  },

  async import(ctx, importId) {
    const selector = /^\d+$/.test(importId) ? { nodeId: importId } : { nodeName: importId };
    const node = await resolveNode(ctx, selector);
    const approved = normalRoutes(node.approvedRoutes);
    const exitNode = approved.some(isExitRoute);
    return {
      id: node.id,
      state: toState({ ...selector, routes: approved.filter((r) => !isExitRoute(r)), ...(exitNode ? { exitNode } : {}) }, node),
    };
  },
});
