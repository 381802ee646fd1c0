// Selecting one node by id, or by name (given name or hostname) with an optional wait while it joins.
// Shared by every resource that manages something of a node (NodeTags, NodeRoutes, Node).
import { HeadscaleError, ref, text, type Node } from "../client/index.js";
import { z } from "zod";
import { field, isUnknown, type Context, type Planned, type Problem } from "./declaration.js";
import { durationHelp, parseDuration } from "./duration.js";

export interface NodeSelector {
  nodeId?: string;
  nodeName?: string;
  waitFor?: string;
}

/** The fields that pick the node a resource acts on (NodeRoutes, NodeTags; Node names it by hostname). */
export const nodeSelectorFields = {
  nodeId: field(z.string().optional(), {
    description: text`Numeric id of the node. Set this or ${ref.field("nodeName")}.`,
    forcesReplacement: true,
  }),
  nodeName: field(z.string().optional(), {
    description: text`Name (given name or hostname) of the node, for nodes created elsewhere. Set this or ${ref.field("nodeId")}.`,
    forcesReplacement: true,
  }),
  waitFor: field(z.string().optional(), {
    description: text`How long to wait for a node named ${ref.field("nodeName")} to appear (e.g. "2m") when it is still joining. Default "0s".`,
  }),
};

export const matchesName = (n: Node, name: string): boolean => n.givenName === name || n.name === name;
export const nodeLabel = (n: Node): string => `${n.givenName || n.name} (${n.id})`;

/** The selected node, waiting up to `waitFor` for a named node to appear. Fresh list: right before a write. */
export async function resolveNode(ctx: Context, a: NodeSelector): Promise<Node> {
  const waitMs = a.waitFor ? (parseDuration(a.waitFor) ?? 0) : 0;
  const deadline = Date.now() + waitMs;
  for (;;) {
    ctx.lists.invalidate("nodes");
    const nodes = await ctx.lists.nodes();
    const found = a.nodeId ? nodes.filter((n) => n.id === a.nodeId) : nodes.filter((n) => matchesName(n, a.nodeName ?? ""));
    if (found.length > 1)
      throw new HeadscaleError({
        kind: "invalid_argument",
        operation: `find node "${a.nodeName}"`,
        hint: text`${found.length} nodes have that name (ids ${found.map((n) => n.id).join(", ")}): use ${ref.field("nodeId")}`,
      });
    if (found[0]) return found[0];
    if (Date.now() >= deadline) {
      throw new HeadscaleError({
        kind: "not_found",
        operation: `find node ${a.nodeId ? `id ${a.nodeId}` : `"${a.nodeName}"`}`,
        hint: text`${waitMs ? `it did not appear within ${a.waitFor}; ` : ""}nodes now: ${nodes.map(nodeLabel).join(", ") || "none"}${a.nodeName && !waitMs ? text`. If it is still joining, set ${ref.field("waitFor")} (e.g. "2m")` : ""}`,
      });
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Shape problems of a selector (no server call). */
export function selectorProblems(a: Planned<NodeSelector>, what: string): Problem[] {
  const problems: Problem[] = [];
  if (a.nodeId === undefined && a.nodeName === undefined)
    problems.push({ field: "nodeId", message: text`set ${ref.field("nodeId")} or ${ref.field("nodeName")} to say which node ${what}` });
  if (typeof a.nodeId === "string" && typeof a.nodeName === "string")
    problems.push({ field: "nodeName", message: text`set ${ref.field("nodeId")} or ${ref.field("nodeName")}, not both` });
  if (typeof a.nodeId === "string" && !/^\d+$/.test(a.nodeId))
    problems.push({
      field: "nodeId",
      message: text`"${a.nodeId}" is not a node id (a number); to select by name use ${ref.field("nodeName")}`,
    });
  if (typeof a.waitFor === "string" && parseDuration(a.waitFor) === undefined)
    problems.push({ field: "waitFor", message: `"${a.waitFor}" is not a duration: ${durationHelp}` });
  return problems;
}

/**
 * At preview: the selected node, if it exists now. A missing id is an error; a missing name is an error
 * unless waitFor says the node is still joining. `undefined` = not known yet (fine).
 */
export async function plannedNode(
  ctx: Context,
  a: Planned<NodeSelector>,
  olds?: NodeSelector & { resolvedNodeId?: string },
): Promise<{ node?: Node; problems: Problem[] }> {
  if (isUnknown(a.nodeId) || isUnknown(a.nodeName)) return { problems: [] };
  const nodes = await ctx.lists.nodes();
  // Selected before and tracked by id since: the name may have changed (a rename), the node has not.
  // (Terraform passes the stored state, with the id; Pulumi the previous inputs, without.)
  if (olds && olds.nodeId === a.nodeId && olds.nodeName === a.nodeName) {
    const node = olds.resolvedNodeId
      ? nodes.find((n) => n.id === olds.resolvedNodeId)
      : nodes.find((n) => (a.nodeId ? n.id === a.nodeId : matchesName(n, String(a.nodeName))));
    return { ...(node ? { node } : {}), problems: [] };
  }
  const known = () => `${nodes.slice(0, 10).map(nodeLabel).join(", ") || "none"}${nodes.length > 10 ? ", …" : ""}`;
  if (typeof a.nodeId === "string") {
    const node = nodes.find((n) => n.id === a.nodeId);
    if (node) return { node, problems: [] };
    return {
      problems: [
        {
          field: "nodeId",
          message: text`no node has id ${a.nodeId}: use the id of an existing node (nodes now: ${known()}), or select it by ${ref.field("nodeName")}`,
        },
      ],
    };
  }
  if (typeof a.nodeName !== "string") return { problems: [] };
  const found = nodes.filter((n) => matchesName(n, a.nodeName as string));
  if (found.length > 1)
    return {
      problems: [
        {
          field: "nodeName",
          message: text`${found.length} nodes are named "${a.nodeName}" (ids ${found.map((n) => n.id).join(", ")}): select one by ${ref.field("nodeId")}`,
        },
      ],
    };
  if (found[0]) return { node: found[0], problems: [] };
  if (typeof a.waitFor === "string" && (parseDuration(a.waitFor) ?? 0) > 0) return { problems: [] };
  return {
    problems: [
      {
        field: "nodeName",
        message: text`no node is named "${a.nodeName}" (nodes now: ${known()}): fix the name, or, if the node is still joining, set ${ref.field("waitFor")} (e.g. "2m")`,
      },
    ],
  };
}
