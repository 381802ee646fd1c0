// The whole ACL policy, as HuJSON text. Compared semantically (formatting, comments and key order are
// never a change), validated before anything is written, and never silently overwritten.
import { z } from "zod";
import { HeadscaleError } from "../client/index.js";
import { diffPolicySections, parsePolicyText, policiesEqual, validatePolicy } from "../policy/index.js";
import { field, isUnknown, type Context, type Problem, type ResourceDeclaration } from "./declaration.js";
import { ACCESS_DESCRIPTION, localTestProblems, predictPolicyAccess, textForServer, validationDialect } from "./policyAccess.js";
import { policyDialect } from "./policyDialect.js";

export const POLICY_ID = "policy";

const args = z.object({
  policy: field(z.string(), { description: "The policy as HuJSON text (comments are kept on the server).", equivalent: (a, b) => policiesEqual(String(a), String(b)) }),
  overwrite: field(z.boolean().optional(), { description: "On first apply, replace a non-empty policy this resource did not create. Default false: the apply fails and shows how to adopt it." }),
  resetOnDestroy: field(z.boolean().optional(), { description: "On destroy, clear the server's policy. Default false: the policy stays as it is." }),
});
const state = args.extend({
  updatedAt: field(z.string().optional(), { description: "When the server last stored the policy.", computed: true }),
  access: field(z.record(z.string(), z.string()).optional(), { description: ACCESS_DESCRIPTION, computed: true }),
});
type State = z.infer<typeof state>;

const FILE_MODE = "the server runs with `policy.mode: file`, so the policy cannot be managed through the API: set `policy.mode: database` in Headscale's config";

async function writable(ctx: Context): Promise<void> {
  if ((await ctx.lists.policy()).mode === "file") throw new HeadscaleError({ kind: "policy_file_mode", operation: "manage policy" });
}

/** Headscale 0.29+ runs the policy's `tests` against live nodes: a test about a user or tag with no nodes fails. */
function explainServerRejection(version: string, message: string): string {
  const unresolved = /(?:source|destination)?\s*"?([^\s"]+)"? resolved to no IP addresses/i.exec(message)?.[1];
  if (unresolved) {
    return `a test in \`tests\` cannot run: ${unresolved} has no nodes yet (Headscale ${version} checks tests against the nodes that exist). Leave that test out until ${unresolved} has joined a node, then add it`;
  }
  return `Headscale ${version} rejects it: ${message}`;
}

function sectionSummary(oldText: string, newText: string): string {
  const a = parsePolicyText(oldText);
  const b = parsePolicyText(newText);
  if (!a.ok || !b.ok) return "policy text changed";
  const changes = diffPolicySections(a.value, b.value);
  return changes.map((c) => c.summary).join("; ") || "policy changed";
}

export const Policy: ResourceDeclaration<typeof args, typeof state> = {
  name: "Policy",
  description: "The Headscale ACL policy (needs `policy.mode: database`). Diffs are semantic: formatting, comments and key order never show as changes.",
  args,
  state,

  async check(ctx, a, olds) {
    if (isUnknown(a.policy)) return [];
    const parsed = parsePolicyText(a.policy);
    if (!parsed.ok) return [{ field: "policy", message: `line ${parsed.line}, column ${parsed.column}: ${parsed.message}` }];
    // A policy the server holds already is not checked again: its tests may name users whose nodes have
    // left since, and an unrelated change elsewhere in the program must not fail on it.
    if (olds && policiesEqual(olds.policy, a.policy)) return [];
    const server = await ctx.client.server();
    const { version, caps } = server;
    // Each problem's message starts with its path already ("acls[0].comment: …"); the line and column go first.
    const problems: Problem[] = validatePolicy(parsed.value, { dialect: validationDialect(policyDialect(server), caps, parsed.value), positions: parsed.positions }).map((p) => {
      const message = p.message.startsWith(p.path) ? p.message : `${p.path}: ${p.message}`;
      return { field: "policy", message: p.line === undefined ? message : `line ${p.line}, column ${p.column}: ${message}`, severity: p.severity };
    });
    if (problems.some((p) => p.severity === "error")) return problems;
    if ((await ctx.lists.policy()).mode === "file") return [...problems, { field: "policy", message: FILE_MODE }];
    if (caps.policyCheck) {
      try {
        await ctx.client.checkPolicy(a.policy);
      } catch (e) {
        if (!(e instanceof HeadscaleError) || e.kind !== "invalid_argument") throw e;
        problems.push({ field: "policy", message: explainServerRejection(version, e.serverMessage ?? e.message) });
      }
    } else problems.push(...(await localTestProblems(ctx, version, parsed.value)));
    return problems;
  },

  predict: (ctx, a, olds) => predictPolicyAccess(ctx, a.policy, olds),

  async diff(_ctx, _id, olds, news, derived) {
    if (!derived.updates.includes("policy")) return derived;
    // updatedAt moves with every write (Terraform must plan it as unknown, or apply is "inconsistent").
    const reasons: Record<string, string> = isUnknown(news.policy) ? {} : { policy: sectionSummary(olds.policy, news.policy) };
    return { ...derived, updates: [...derived.updates, "updatedAt"], reasons };
  },

  async create(ctx, a) {
    const live = await ctx.client.getPolicy();
    if (live.mode === "file") throw new HeadscaleError({ kind: "policy_file_mode", operation: "create policy" });
    const text = await textForServer(ctx, a.policy);
    if (live.text.trim() !== "" && !a.overwrite && !policiesEqual(live.text, text)) {
      throw new HeadscaleError({
        kind: "conflict",
        operation: "create policy",
        hint: "the server already has a policy that this program did not write. Set overwrite: true to replace it, or adopt it first (Terraform: import the policy with id \"policy\"; Pulumi: copy the current policy from the headscale.getPolicy() lookup into your program)",
      });
    }
    // Adopting the very text the server holds (a program written by `headscale-iac import`) writes nothing.
    if (live.text === text) return { id: POLICY_ID, state: { ...a, ...(live.updatedAt ? { updatedAt: live.updatedAt } : {}) } };
    const stored = await ctx.client.setPolicy(text);
    ctx.lists.invalidate("policy");
    return { id: POLICY_ID, state: { ...a, ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}) } };
  },

  async read(ctx, id, olds) {
    const live = await ctx.lists.policy();
    if (live.text.trim() === "") return null;
    // Keep the user's own text while it means the same: only real changes are drift.
    const text = policiesEqual(live.text, await textForServer(ctx, olds.policy)) ? olds.policy : live.text;
    return { id, state: { ...olds, policy: text, ...(live.updatedAt ? { updatedAt: live.updatedAt } : {}) } };
  },

  async update(ctx, _id, olds, news) {
    if (policiesEqual(olds.policy, news.policy)) return { ...olds, ...news, policy: news.policy } as State;
    await writable(ctx);
    const stored = await ctx.client.setPolicy(await textForServer(ctx, news.policy));
    ctx.lists.invalidate("policy");
    return { ...news, ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}) };
  },

  async delete(ctx, _id, olds) {
    if (!olds.resetOnDestroy) {
      ctx.log("the policy stays on the server (set resetOnDestroy to clear it on destroy)");
      return;
    }
    await ctx.client.setPolicy("");
    ctx.lists.invalidate("policy");
  },

  async import(ctx, importId) {
    if (importId !== POLICY_ID) throw new HeadscaleError({ kind: "invalid_argument", operation: `import policy "${importId}"`, hint: `the policy's import id is "${POLICY_ID}"` });
    const live = await ctx.client.getPolicy();
    if (live.text.trim() === "") throw new HeadscaleError({ kind: "not_found", operation: "import policy", hint: "the server has no policy to import" });
    return { id: POLICY_ID, state: { policy: live.text, ...(live.updatedAt ? { updatedAt: live.updatedAt } : {}) } };
  },
};
