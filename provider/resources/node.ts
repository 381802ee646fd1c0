// Settings of an existing (or joining) node: its MagicDNS name and its key expiry, and whether destroying
// the resource decommissions the node. The node itself is created by `tailscale up`, never by this
// resource. A rename or an expiry changed outside is drift that the next apply sets back.
import { z } from "zod";
import { checkNodeName, isNotFound, ref, text, type Node as ApiNode } from "../client/index.js";
import { defineResource, field, type Context, type Problem } from "./declaration.js";
import { nodeLabel, plannedNode, resolveNode, selectorProblems } from "./nodes.js";

/** Headscale reports a never-expiring node with no expiry, or (≤0.28 databases) the zero time. */
const expiryOf = (n: ApiNode): string => (!n.expiry || n.expiry.startsWith("0001-01-01") ? "never" : n.expiry);
const sameExpiry = (a: string | undefined, b: string | undefined) =>
  a === b || (a !== undefined && b !== undefined && a !== "never" && b !== "never" && new Date(a).getTime() === new Date(b).getTime());

const args = z.object({
  nodeId: field(z.string().optional(), {
    description: text`Numeric id of the node. Set this or ${ref.field("nodeName")}.`,
    forcesReplacement: true,
  }),
  nodeName: field(z.string().optional(), {
    description: text`Hostname (or current given name) of the node. Set this or ${ref.field("nodeId")}. Select by hostname when ${ref.field("givenName")} renames the node.`,
    forcesReplacement: true,
  }),
  waitFor: field(z.string().optional(), {
    description: text`How long to wait for a node named ${ref.field("nodeName")} to appear (e.g. "2m") when it is still joining. Default "0s".`,
  }),
  givenName: field(z.string().optional(), {
    description: 'The node\'s given name (its MagicDNS label): lowercase letters, digits and "-", at most 63. Default: leave the name as it is.',
  }),
  keyExpiry: field(z.string().optional(), {
    description: 'When the node\'s key expires: "never" (Headscale 0.29+) or an RFC 3339 time (0.27.1+). Default: leave it as it is.',
    equivalent: (a, b) => sameExpiry(a as string, b as string),
  }),
  deleteOnDestroy: field(z.boolean().optional(), {
    description: "Delete the node from Headscale when this resource is destroyed (decommission). Default false: the node stays.",
  }),
});
const state = args.extend({
  resolvedNodeId: field(z.string(), { description: "Id of the node.", computed: true }),
  name: field(z.string(), { description: "The node's given name now.", computed: true }),
  hostname: field(z.string(), { description: "Hostname the node reported.", computed: true }),
  user: field(z.string(), { description: "Owning user's name (empty for tagged nodes on 0.28+).", computed: true }),
  tags: field(z.array(z.string()), { description: "The node's tags.", computed: true }),
  ipAddresses: field(z.array(z.string()), { description: "Tailnet addresses.", computed: true }),
  online: field(z.boolean(), { description: "Connected, as of the last refresh.", computed: true }),
  lastSeen: field(z.string(), { description: "Last seen (RFC 3339), as of the last refresh.", computed: true }),
  expiry: field(z.string(), { description: 'Key expiry now (RFC 3339), or "never".', computed: true }),
});
type Args = z.infer<typeof args>;
type State = z.infer<typeof state>;

function toState(a: Args, n: ApiNode): State {
  return {
    ...a,
    // Inputs reflect the server (drift shows in a diff); ones left out stay out.
    ...(a.givenName !== undefined ? { givenName: n.givenName } : {}),
    ...(a.keyExpiry !== undefined ? { keyExpiry: sameExpiry(a.keyExpiry, expiryOf(n)) ? a.keyExpiry : expiryOf(n) } : {}),
    resolvedNodeId: n.id,
    name: n.givenName || n.name,
    hostname: n.name,
    user: n.user?.name ?? "",
    tags: n.tags,
    ipAddresses: n.ipAddresses,
    online: n.online,
    lastSeen: n.lastSeen ?? "",
    expiry: expiryOf(n),
  };
}

/** Applies the settings that differ from `current`; returns the node as the last write left it (none: no write). */
async function converge(ctx: Context, id: string, current: { givenName: string; expiry: string }, a: Args): Promise<ApiNode | undefined> {
  let n: ApiNode | undefined;
  if (a.givenName !== undefined && a.givenName !== current.givenName) n = await ctx.client.renameNode(id, a.givenName);
  if (a.keyExpiry !== undefined && !sameExpiry(a.keyExpiry, current.expiry))
    n = await ctx.client.setNodeExpiry(id, a.keyExpiry === "never" ? "never" : new Date(a.keyExpiry));
  if (n) ctx.lists.invalidate("nodes");
  return n;
}

async function keyExpiryProblems(ctx: Context, value: string): Promise<Problem[]> {
  const { caps, version } = await ctx.client.server();
  if (value === "never") {
    return caps.nodeExpiryNever
      ? []
      : [
          {
            field: "keyExpiry",
            message: `Headscale ${version} cannot disable a node's key expiry (needs 0.29+): give an RFC 3339 time like "2030-01-01T00:00:00Z", or upgrade`,
          },
        ];
  }
  const at = /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime()))
    return [{ field: "keyExpiry", message: `"${value}" is not "never" or an RFC 3339 time: write e.g. "2030-01-01T00:00:00Z" or "never"` }];
  if (at.getTime() <= Date.now())
    return [{ field: "keyExpiry", message: `"${value}" is in the past: that would expire the node now; give a future time or "never"` }];
  if (!caps.nodeExpiryAt)
    return [
      {
        field: "keyExpiry",
        message: text`Headscale ${version} can only expire a node now (a chosen time needs 0.27.1+): remove ${ref.field("keyExpiry")}, or upgrade`,
      },
    ];
  return [];
}

export const Node = defineResource({
  name: "Node",
  description: "Settings of an existing or joining node: given name (MagicDNS), key expiry, and whether destroy deletes the node.",
  args,
  state,

  async check(ctx, a, olds) {
    const problems: Problem[] = selectorProblems(a, "to manage");
    if (typeof a.givenName === "string") {
      const p = checkNodeName(a.givenName);
      if (p) problems.push({ field: "givenName", message: p });
    }
    if (typeof a.keyExpiry === "string") problems.push(...(await keyExpiryProblems(ctx, a.keyExpiry)));
    if (problems.length > 0) return problems;
    const { node, problems: selection } = await plannedNode(ctx, a, olds);
    problems.push(...selection);
    if (typeof a.givenName === "string") {
      const taken = (await ctx.lists.nodes()).find((n) => n.givenName === a.givenName && n.id !== node?.id);
      if (taken && node)
        problems.push({
          field: "givenName",
          message: `node ${nodeLabel(taken)} already has the name "${a.givenName}": names are unique, choose another`,
        });
    }
    return problems;
  },

  replaceOrder: "delete-first", // one node: the old resource lets go before the new one manages it

  async diff(_ctx, _id, _olds, _news, derived) {
    // The outputs a rename or a new expiry recompute (a plan must not promise their old values).
    const updates = [...derived.updates];
    if (updates.includes("givenName")) updates.push("name");
    if (updates.includes("keyExpiry")) updates.push("expiry");
    return { ...derived, updates };
  },

  async create(ctx, a) {
    const node = await resolveNode(ctx, a);
    const written = await converge(ctx, node.id, { givenName: node.givenName, expiry: expiryOf(node) }, a);
    return { id: node.id, state: toState(a, written ?? node) };
  },

  async read(ctx, id, olds) {
    const n = (await ctx.lists.nodes()).find((x) => x.id === id);
    return n ? { id, state: toState(olds, n) } : null;
  },

  async update(ctx, id, olds, news) {
    const n = await converge(ctx, id, { givenName: olds.name, expiry: olds.expiry }, news);
    const { nodeId: _i, nodeName: _n, waitFor: _w, givenName: _g, keyExpiry: _k, deleteOnDestroy: _d, ...outputs } = olds;
    if (!n) return { ...outputs, ...news };
    // Only what a write changes: the other outputs stay as the last refresh saw them.
    return {
      ...outputs,
      ...news,
      ...(news.givenName !== undefined ? { givenName: n.givenName, name: n.givenName } : {}),
      ...(news.keyExpiry !== undefined ? { keyExpiry: news.keyExpiry, expiry: expiryOf(n) } : {}),
    };
  },

  async delete(ctx, id, olds) {
    if (!olds.deleteOnDestroy) {
      ctx.log(text`node ${olds.name} (${id}) stays on the server (${ref.field("deleteOnDestroy")} is not set)`);
      return;
    }
    await ctx.client.deleteNode(id).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    ctx.lists.invalidate("nodes");
  },

  async import(ctx, importId) {
    const selector = /^\d+$/.test(importId) ? { nodeId: importId } : { nodeName: importId };
    const node = await resolveNode(ctx, selector);
    return { id: node.id, state: toState(selector, node) };
  },
});
