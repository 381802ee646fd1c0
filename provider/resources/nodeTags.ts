// The tags of one node. Headscale 0.28+ treats tags as identity: a tagged node loses its user and cannot
// be untagged through the API, so destroying this resource leaves the tags in place (and says so).
import { z } from "zod";
import { ref, text, type Node } from "../client/index.js";
import { defineResource, field, isUnknown, type Context, type Problem } from "./declaration.js";
import { sameSet } from "./diffing.js";
import { matchesName, nodeSelectorFields, resolveNode, selectorProblems } from "./nodes.js";
import { checkTagsDefined, tagProblems } from "./lookups.js";

const args = z.object({
  ...nodeSelectorFields,
  tags: field(z.array(z.string()), { description: "The node's tags (a set; each must be defined in the policy's tagOwners).", set: true }),
  policy: field(z.string().optional(), {
    description:
      "Policy text whose tagOwners must define the tags (pass a Policy resource's `policy` output when it is created in the same run). Default: the live policy.",
    checkOnly: true,
  }),
});
const state = args.extend({
  resolvedNodeId: field(z.string(), { description: "Id of the node the tags are set on.", computed: true }),
  givenName: field(z.string(), { description: "The node's name.", computed: true }),
});
type State = z.infer<typeof state>;

function toState(a: z.infer<typeof args>, node: Node): State {
  const tags = sameSet(a.tags, node.tags) ? a.tags : node.tags;
  return { ...a, tags, resolvedNodeId: node.id, givenName: node.givenName || node.name };
}

export const NodeTags = defineResource({
  name: "NodeTags",
  description: "The set of tags of a node. Headscale 0.28+ cannot remove all tags from a node: destroying this resource leaves the node's tags as they are.",
  args,
  state,

  async check(ctx, a, olds) {
    const problems: Problem[] = selectorProblems(a, "to tag");
    if (isUnknown(a.tags)) return problems;
    if (a.tags.length === 0)
      problems.push({
        field: "tags",
        message: "give at least one tag: Headscale 0.28+ cannot remove all tags from a node (to stop managing them, remove the resource)",
      });
    problems.push(...tagProblems(a.tags, "tags"));
    if (problems.length > 0) return problems;
    if (!isUnknown(a.policy)) problems.push(...(await checkTagsDefined(ctx, a.tags, "tags", a.policy)));
    // A node named now must exist now; one that is still joining needs waitFor.
    if (typeof a.nodeName === "string" && a.waitFor === undefined && olds?.nodeName !== a.nodeName) {
      const nodes = await ctx.lists.nodes();
      if (!nodes.some((n) => matchesName(n, a.nodeName as string))) {
        const known =
          nodes
            .slice(0, 10)
            .map((n) => n.givenName || n.name)
            .join(", ") || "none";
        problems.push({
          field: "nodeName",
          message: text`no node is named "${a.nodeName}" (nodes now: ${known}${nodes.length > 10 ? ", …" : ""}): fix the name, or set ${ref.field("waitFor")} (e.g. "2m") if the node is still joining`,
        });
      }
    }
    if (typeof a.nodeId === "string") {
      const nodes = await ctx.lists.nodes();
      if (!nodes.some((n) => n.id === a.nodeId)) {
        const known =
          nodes
            .slice(0, 10)
            .map((n) => `${n.givenName || n.name} (${n.id})`)
            .join(", ") || "none";
        problems.push({
          field: "nodeId",
          message: text`no node has id ${a.nodeId}: use the id of an existing node (nodes now: ${known}${nodes.length > 10 ? ", …" : ""}), or select it by ${ref.field("nodeName")}`,
        });
      }
    }
    return problems;
  },

  replaceOrder: "delete-first", // one node, one set of tags: the old resource lets go before the new one sets them

  async create(ctx, a) {
    const node = await resolveNode(ctx, a);
    // A node that has these tags already (adopted by a generated program) needs no write.
    if (sameSet(node.tags, a.tags)) return { id: node.id, state: toState(a, node) };
    const tagged = await ctx.client.setNodeTags(node.id, a.tags);
    ctx.lists.invalidate("nodes");
    return { id: node.id, state: toState(a, tagged) };
  },

  async read(ctx, id, olds) {
    const node = (await ctx.lists.nodes()).find((n) => n.id === id);
    return node ? { id, state: toState(olds, node) } : null;
  },

  async update(ctx, id, olds, news) {
    const tagged = sameSet(olds.tags, news.tags) ? undefined : await ctx.client.setNodeTags(id, news.tags);
    ctx.lists.invalidate("nodes");
    return tagged ? toState(news, tagged) : { ...olds, ...news };
  },

  async delete(ctx, id, olds) {
    const { caps } = await ctx.client.server();
    if (caps.tagsAsIdentity) {
      ctx.log(`node ${olds.givenName} (${id}) keeps its tags ${olds.tags.join(", ")}: Headscale 0.28+ cannot untag a node`);
      return;
    }
    // Before 0.28 the API sets "forced" tags, which can be cleared.
    await ctx.client.setNodeTags(id, []).catch(() => undefined);
    ctx.lists.invalidate("nodes");
  },

  async import(ctx, importId) {
    const node = await resolveNode(ctx, /^\d+$/.test(importId) ? { nodeId: importId } : { nodeName: importId });
    return {
      id: node.id,
      state: toState({ ...(/^\d+$/.test(importId) ? { nodeId: importId } : { nodeName: importId }), tags: node.tags }, node),
    };
  },
});
