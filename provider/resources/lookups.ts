// Live lookups shared by several resources (users by name or id, tags defined by a policy).
import { ref, text, type Message, type User } from "../client/index.js";
import { definedTags, isValidTag, parsePolicyText } from "../policy/index.js";
import type { Context, Problem } from "./declaration.js";

/** A user by numeric id or by name. `fresh` skips the shared list (right before a write). */
export async function findUser(ctx: Context, nameOrId: string, opts: { fresh?: boolean } = {}): Promise<User | undefined> {
  if (opts.fresh) ctx.lists.invalidate("users");
  else if (/^\d+$/.test(nameOrId)) {
    const written = ctx.lists.writtenUser(nameOrId);
    if (written) return written;
  }
  const users = await ctx.lists.users();
  return (/^\d+$/.test(nameOrId) ? users.find((u) => u.id === nameOrId) : undefined) ?? users.find((u) => u.name === nameOrId);
}

export function tagProblems(tags: string[], fieldName: string): Problem[] {
  const problems: Problem[] = [];
  for (const t of tags) {
    const p = isValidTag(t);
    if (p) problems.push({ field: fieldName, message: p });
  }
  return problems;
}

/**
 * Tags missing from tagOwners. Checked against `policyText` when given (a policy planned in the same run),
 * else against the live policy.
 */
export async function checkTagsDefined(
  ctx: Context,
  tags: string[],
  fieldName: string,
  policyText?: string,
  opts: { fresh?: boolean } = {},
): Promise<Problem[]> {
  let current = policyText;
  let source: Message = text`the policy given in \`${ref.field("policy")}\``;
  if (current === undefined) {
    if (opts.fresh) ctx.lists.invalidate("policy");
    current = (await ctx.lists.policy()).text;
    source = "the server's current policy";
  }
  const parsed = current.trim() === "" ? undefined : parsePolicyText(current);
  const defined = parsed?.ok ? definedTags(parsed.value) : new Set<string>();
  const missing = tags.filter((t) => !defined.has(t));
  if (missing.length === 0) return [];
  const owner = await exampleOwner(ctx, parsed?.ok ? parsed.value : undefined);
  return missing.map((t) => ({
    field: fieldName,
    message: text`tag "${t}" is not defined in ${source}: add "${t}": ["${owner}"] (its owners) to the policy's tagOwners${policyText === undefined ? text`, or, if the Policy resource is created in the same run, ${ref.createdInRun("Policy", "policy")} in \`${ref.field("policy")}\`` : ""}`,
  }));
}

/** An owner to show in a hint that exists: a group of the policy, else a user of the server. */
async function exampleOwner(ctx: Context, policy: unknown): Promise<string> {
  const groups = (policy as { groups?: Record<string, unknown> } | undefined)?.groups;
  const group = groups && typeof groups === "object" ? Object.keys(groups)[0] : undefined;
  if (group) return group;
  const user = (await ctx.lists.users())[0];
  return user ? `${user.name}@` : "<user>@";
}
