// The whole ACL policy, as HuJSON text and/or fragments merged into one text (policyText.ts). Compared
// semantically (formatting, comments, key order and which fragment holds an entry are never a change),
// validated before anything is written, and never silently overwritten: not at the first apply, and not
// when the server's policy changed outside since this resource last wrote it (the concurrency guard).
import { z } from "zod";
import { HeadscaleError, ref, text } from "../client/index.js";
import { ANY_SERVER, diffPolicySections, parsePolicyText, policiesEqual } from "../policy/index.js";
import { defineResource, field, isUnknown, type Context, type Problem } from "./declaration.js";
import { ACCESS_DESCRIPTION, localTestProblems, predictPolicyAccess, textForServer, validationDialect } from "./policyAccess.js";
import { policyDialect } from "./policyDialect.js";
import { compositionProblems, composed, desiredText, fragmentsEqual, inputsKnown, outOfBandRefusal, storedText, unchangedSince } from "./policyText.js";

export const POLICY_ID = "policy";

const args = z.object({
  policy: field(z.string().optional(), {
    description: "The policy as HuJSON text (comments are kept on the server). Optional when fragments are given.",
    equivalent: (a, b) => policiesEqual(String(a), String(b)),
  }),
  fragments: field(z.record(z.string(), z.string()).optional(), {
    description:
      "Parts of the policy by name, each HuJSON text with only the sections it contributes (e.g. one team's groups, one service's acls). Merged with policy into the one text written: sections in Headscale's order, fragments by name, each fragment's entries under a comment naming it. A name defined differently by two sources fails the preview/plan naming both; a reference nobody defines names the source it is in.",
    equivalent: fragmentsEqual,
  }),
  overwrite: field(z.boolean().optional(), {
    description:
      "Replace a policy this resource did not write: on the first apply, a non-empty policy already on the server; on later applies, a policy changed outside since this resource last wrote it. Default false: the apply fails, shows the change and how to keep it. Changing it alone plans no change; remove it after that apply, or the guard stays off.",
    checkOnly: true,
  }),
  resetOnDestroy: field(z.boolean().optional(), {
    description: "On destroy, clear the server's policy. Default false: the policy stays as it is.",
  }),
});
const state = args.extend({
  updatedAt: field(z.string().optional(), { description: "When the server last stored the policy.", computed: true }),
  writtenPolicy: field(z.string().optional(), {
    description:
      "The text this resource last wrote (policy merged with fragments). A refresh leaves it alone: the next apply compares it with the server's policy and refuses to discard a change made outside (see overwrite).",
    computed: true,
  }),
  access: field(z.record(z.string(), z.string()).optional(), { description: ACCESS_DESCRIPTION, computed: true }),
});
type State = z.infer<typeof state>;

const FILE_MODE =
  "the server runs with `policy.mode: file`, so the policy cannot be managed through the API: set `policy.mode: database` in Headscale's config";

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

export const Policy = defineResource({
  name: "Policy",
  description: "The Headscale ACL policy (needs `policy.mode: database`). Diffs are semantic: formatting, comments and key order never show as changes.",
  args,
  state,

  async check(ctx, a, olds) {
    if (!inputsKnown(a)) return [];
    const inputs = a as { policy?: string; fragments?: Record<string, string> };
    const merged = composed(inputs);
    if (!merged.ok) return compositionProblems(inputs, ANY_SERVER);
    // A policy the server holds already is not checked again: its tests may name users whose nodes have
    // left since, and an unrelated change elsewhere in the program must not fail on it.
    const before = olds ? storedText(olds) : undefined;
    if (before !== undefined && policiesEqual(before, merged.text)) return [];
    const server = await ctx.client.server();
    const { version, caps } = server;
    // Each problem's message gives its line and column, then its path ("acls[0].comment: …"), in its source.
    const mergedValue = parsePolicyText(merged.text);
    const value = mergedValue.ok ? mergedValue.value : {};
    const problems: Problem[] = compositionProblems(inputs, validationDialect(policyDialect(server), caps, value));
    if (problems.some((p) => p.severity === "error")) return problems;
    if ((await ctx.lists.policy()).mode === "file") return [...problems, { field: "policy", message: FILE_MODE }];
    if (caps.policyCheck) {
      try {
        await ctx.client.checkPolicy(merged.text);
      } catch (e) {
        if (!(e instanceof HeadscaleError) || e.kind !== "invalid_argument") throw e;
        problems.push({ field: "policy", message: explainServerRejection(version, e.serverMessage ?? e.message) });
      }
    } else problems.push(...(await localTestProblems(ctx, version, value)));
    return problems;
  },

  // Terraform passes the state, Pulumi the previous inputs: both hold the policy and fragments.
  predict: (ctx, a, olds) =>
    predictPolicyAccess(
      ctx,
      inputsKnown(a) ? storedText(a as { policy?: string; fragments?: Record<string, string> }) : undefined,
      olds && storedText(olds as { policy?: string; fragments?: Record<string, string> }),
      olds?.access,
    ),

  async diff(_ctx, _id, olds, news, derived) {
    if (!derived.updates.includes("policy") && !derived.updates.includes("fragments")) return derived;
    const before = storedText(olds);
    const after = inputsKnown(news) ? storedText(news as { policy?: string; fragments?: Record<string, string> }) : undefined;
    // The merged texts mean the same (an entry moved to another fragment, a fragment renamed): no change.
    if (before !== undefined && after !== undefined && policiesEqual(before, after)) {
      return { ...derived, updates: derived.updates.filter((f) => f !== "policy" && f !== "fragments") };
    }
    // updatedAt and writtenPolicy move with every write (Terraform must plan them as unknown).
    const reasons: Record<string, string> = before !== undefined && after !== undefined ? { policy: sectionSummary(before, after) } : {};
    return { ...derived, updates: [...derived.updates, "updatedAt", "writtenPolicy"], reasons };
  },

  async create(ctx, a) {
    const desired = await textForServer(ctx, desiredText(a));
    // The guard compares with the policy as this run read it (the check read it moments ago in this process:
    // Terraform's apply process re-plans every resource first, Pulumi checks before it creates), not with
    // one more read: the window is the same few milliseconds, and the write stays one call.
    const live = await ctx.lists.policy();
    if (live.mode === "file") throw new HeadscaleError({ kind: "policy_file_mode", operation: "create policy" });
    if (live.text.trim() !== "" && !a.overwrite && !policiesEqual(live.text, desired)) {
      throw new HeadscaleError({
        kind: "conflict",
        operation: "create policy",
        hint: text`the server already has a policy that this program did not write. Set ${ref.field("overwrite")}: true to replace it, or adopt it first: ${ref.adopt("Policy", { importId: POLICY_ID, lookup: "Policy" })}`,
      });
    }
    // Adopting the very text the server holds (a program written by `headscale-iac import`) writes nothing.
    if (live.text === desired) return { id: POLICY_ID, state: { ...a, writtenPolicy: desired, ...(live.updatedAt ? { updatedAt: live.updatedAt } : {}) } };
    const stored = await ctx.client.setPolicy(desired);
    ctx.lists.invalidate("policy");
    return { id: POLICY_ID, state: { ...a, writtenPolicy: desired, ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}) } };
  },

  async read(ctx, id, olds) {
    const live = await ctx.lists.policy();
    if (live.text.trim() === "") return null;
    const updatedAt = live.updatedAt ? { updatedAt: live.updatedAt } : {};
    // Keep the user's own text and fragments while they mean the same: only real changes are drift.
    const stored = storedText(olds);
    if (stored !== undefined && policiesEqual(live.text, await textForServer(ctx, stored))) return { id, state: { ...olds, ...updatedAt } };
    // Drift: the server's whole text stands for what is there. writtenPolicy stays: the guard's reference.
    const { fragments: _fragments, ...rest } = olds;
    return { id, state: { ...rest, policy: live.text, ...updatedAt } };
  },

  async update(ctx, _id, olds, news) {
    const text = await textForServer(ctx, desiredText(news));
    const lastWritten = olds.writtenPolicy ?? storedText(olds);
    // Only a flag changed (resetOnDestroy): nothing to write, no call.
    if (lastWritten !== undefined && policiesEqual(lastWritten, text) && policiesEqual(storedText(olds) ?? "", text)) return { ...olds, ...news } as State;
    // The guard: the policy as this run read it (the check just before, in this process, as for create).
    // Headscale's v1 API has no ETag/If-Match, so a change made between that read and the write below is
    // still overwritten (a window of milliseconds: the check, then the diff, then this write).
    const live = await ctx.lists.policy();
    if (live.mode === "file") throw new HeadscaleError({ kind: "policy_file_mode", operation: "update policy" });
    const updatedAt = live.updatedAt ? { updatedAt: live.updatedAt } : {};
    // Already what is wanted (someone applied the same change, or it was copied into the program).
    if (live.text.trim() !== "" && policiesEqual(live.text, text)) return { ...news, writtenPolicy: text, ...updatedAt };
    if (lastWritten !== undefined && !news.overwrite && !unchangedSince(lastWritten, live.text)) throw outOfBandRefusal(lastWritten, live.text);
    const stored = await ctx.client.setPolicy(text);
    ctx.lists.invalidate("policy");
    return { ...news, writtenPolicy: text, ...(stored.updatedAt ? { updatedAt: stored.updatedAt } : {}) };
  },

  async delete(ctx, _id, olds) {
    if (!olds.resetOnDestroy) {
      ctx.log(text`the policy stays on the server (set ${ref.field("resetOnDestroy")} to clear it on destroy)`);
      return;
    }
    await ctx.client.setPolicy("");
    ctx.lists.invalidate("policy");
  },

  async import(ctx, importId) {
    if (importId !== POLICY_ID)
      throw new HeadscaleError({
        kind: "invalid_argument",
        operation: `import policy "${importId}"`,
        hint: `the policy's import id is "${POLICY_ID}"`,
      });
    const live = await ctx.client.getPolicy();
    if (live.text.trim() === "") throw new HeadscaleError({ kind: "not_found", operation: "import policy", hint: "the server has no policy to import" });
    return {
      id: POLICY_ID,
      state: { policy: live.text, writtenPolicy: live.text, ...(live.updatedAt ? { updatedAt: live.updatedAt } : {}) },
    };
  },
});
