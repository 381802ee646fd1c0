// What a policy does to access between the nodes that exist, for the Policy resource: the `access` output
// predicted at preview/plan, and the policy's `tests` run locally where the server cannot run them.
import type { Capabilities, Node } from "../client/index.js";
import { describeTestFailures, effectiveAccess, parsePolicyText, runPolicyTests, type InventoryNode, type PolicyDialect } from "../policy/index.js";
import type { Context } from "./declaration.js";

/** A node as the evaluator sees it: shown by its MagicDNS name; tags decide identity (see InventoryNode). */
export function inventoryNode(n: Node): InventoryNode {
  return {
    name: n.givenName || n.name || `node-${n.id}`,
    ...(n.user ? { user: { name: n.user.name, ...(n.user.email ? { email: n.user.email } : {}), ...(n.user.providerId ? { providerId: n.user.providerId } : {}) } } : {}),
    tags: n.tags,
    addresses: n.ipAddresses,
  };
}

export const dialectOf = (caps: Capabilities): PolicyDialect => ({ grants: caps.policyGrants });

async function inputs(ctx: Context) {
  const [{ caps }, nodes] = await Promise.all([ctx.client.server(), ctx.lists.nodes()]);
  return { dialect: dialectOf(caps), nodes: nodes.map(inventoryNode) };
}

/** The access pairs the policy text allows between the live nodes (one nodes list per run); [] if it does not parse. */
export async function predictAccess(ctx: Context, policyText: string): Promise<string[]> {
  const parsed = parsePolicyText(policyText);
  if (!parsed.ok) return [];
  const { dialect, nodes } = await inputs(ctx);
  return effectiveAccess(parsed.value as Record<string, unknown>, nodes, dialect);
}

/**
 * The policy's `tests`, run by this provider against the live nodes, for servers without a check endpoint
 * (before 0.29). One message per failure, naming the test; empty when all pass or there are none.
 */
export async function failingPolicyTests(ctx: Context, policy: Record<string, unknown>): Promise<string[]> {
  if (!Array.isArray(policy.tests) || policy.tests.length === 0) return [];
  const { dialect, nodes } = await inputs(ctx);
  return describeTestFailures(runPolicyTests(policy, nodes, dialect));
}
