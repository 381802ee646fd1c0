// What a policy does to access between the nodes that exist, for the Policy resource: the `access` output
// predicted at preview/plan, and the policy's `tests` run locally where the server cannot run them.
import type { Capabilities, Node } from "../client/index.js";
import {
  describeTestFailures,
  effectiveAccess,
  parsePolicyText,
  policiesEqual,
  runPolicyTests,
  withoutTopLevelSection,
  type InventoryNode,
  type PolicyDialect,
} from "../policy/index.js";
import type { Context, Problem } from "./declaration.js";

export const ACCESS_DESCRIPTION =
  'What the policy lets each node reach between the live nodes: "source-node → destination-node:ports" (one key per port range) → the protocols ("any", "tcp", "tcp,udp"). Predicted at preview/plan, so a change shows the pairs it adds and removes and a reformatting shows none; recorded as of the last apply.';

/** A node as the evaluator sees it: shown by its MagicDNS name; tags decide identity (see InventoryNode). */
export function inventoryNode(n: Node): InventoryNode {
  return {
    name: n.givenName || n.name || `node-${n.id}`,
    ...(n.user
      ? {
          user: {
            name: n.user.name,
            ...(n.user.email ? { email: n.user.email } : {}),
            ...(n.user.providerId ? { providerId: n.user.providerId } : {}),
          },
        }
      : {}),
    tags: n.tags,
    addresses: n.ipAddresses,
  };
}

export const dialectOf = (caps: Capabilities): Pick<PolicyDialect, "grants"> => ({ grants: caps.policyGrants });

/**
 * The dialect to validate a policy against. Where the server cannot check `tests` (before 0.29) the provider
 * runs them and leaves them out of what it sends, so the section is accepted; `sshTests` it cannot run, so
 * a policy with them still needs a server that has them.
 */
export function validationDialect(dialect: PolicyDialect, caps: Capabilities, policy: Record<string, unknown>): PolicyDialect {
  return !caps.policyCheck && !dialect.policyTests && policy.sshTests === undefined ? { ...dialect, policyTests: true } : dialect;
}

async function inputs(ctx: Context) {
  const [{ caps }, nodes] = await Promise.all([ctx.client.server(), ctx.lists.nodes()]);
  return { dialect: dialectOf(caps), nodes: nodes.map(inventoryNode) };
}

/** The access pairs the policy text allows between the live nodes (one nodes list per run); none if it does not parse. */
export async function predictAccess(ctx: Context, policyText: string): Promise<Record<string, string>> {
  const parsed = parsePolicyText(policyText);
  if (!parsed.ok) return {};
  const { dialect, nodes } = await inputs(ctx);
  return effectiveAccess(parsed.value as Record<string, unknown>, nodes, dialect);
}

/**
 * The `access` a Policy's new text predicts. Text that means the same as before keeps the recorded pairs
 * without a call (nodes joining since show at the next real change); unknown text predicts nothing.
 */
export async function predictPolicyAccess(
  ctx: Context,
  text: string | undefined,
  before: string | undefined,
  recorded: unknown,
): Promise<{ access?: Record<string, string> }> {
  if (text === undefined || text.trim() === "") return {};
  if (before !== undefined && policiesEqual(before, text))
    return recorded && typeof recorded === "object" ? { access: recorded as Record<string, string> } : {};
  return { access: await predictAccess(ctx, text) };
}

/** Failing `tests`, as errors on the policy field, for a server that cannot check them itself. */
export async function localTestProblems(ctx: Context, version: string, policy: Record<string, unknown>): Promise<Problem[]> {
  const failures = await failingPolicyTests(ctx, policy);
  if (failures.length === 0) return [];
  const detail = failures.length > 5 ? [...failures.slice(0, 5), `… and ${failures.length - 5} more`] : failures;
  return [
    {
      field: "policy",
      message: `the policy's tests fail (checked by the provider against the live nodes: Headscale ${version} cannot check them): ${detail.join("; ")}`,
    },
  ];
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

/**
 * The text a server is sent: without `tests` where the provider runs them itself (before 0.29 Headscale
 * refuses the section, 0.28, or ignores it). Comments and layout elsewhere stay as written.
 */
export async function textForServer(ctx: Context, text: string): Promise<string> {
  const { caps } = await ctx.client.server();
  return caps.policyCheck ? text : withoutTopLevelSection(text, "tests");
}
