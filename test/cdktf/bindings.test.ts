// The checked-in CDKTF bindings (sdk/cdktf/) are what the generator makes from the provider's current
// schema, and every class in them constructs and synthesizes.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { App, TerraformStack } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { packageVersion, PROVIDER_SOURCE } from "../../provider/terraform/install.js";
import { attributeName } from "../../provider/terraform/names.js";
import { readBindings, REGENERATE_COMMAND } from "../../sdk/cdktf/generate.js";
import * as bindings from "../../sdk/cdktf/index.js";
import { root, toolEnv } from "../harness/tools.js";
import { withoutMetadata, type SynthesizedStack } from "./project.js";

const run = promisify(execFile);
const checkedIn = path.join(root, "sdk", "cdktf");
const temps: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Readable differences between two sets of generated files (path → text); empty when equal. */
function bindingDifferences(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const out: string[] = [];
  for (const f of expected.keys()) if (!actual.has(f)) out.push(`missing: sdk/cdktf/${f}`);
  for (const f of actual.keys()) if (!expected.has(f)) out.push(`not generated any more: sdk/cdktf/${f}`);
  for (const [f, text] of expected) {
    const have = actual.get(f);
    if (have === undefined || have === text) continue;
    const a = text.split("\n");
    const b = have.split("\n");
    const i = a.findIndex((line, n) => line !== b[n]);
    const at = i < 0 ? Math.min(a.length, b.length) : i;
    out.push(`differs: sdk/cdktf/${f} line ${at + 1}:\n  generated:  ${a[at] ?? "(end of file)"}\n  checked in: ${b[at] ?? "(end of file)"}`);
  }
  return out;
}

describe("CDKTF bindings", { timeout: 240_000 }, () => {
  it("sdk/cdktf/ is current: regenerating from the provider's schema changes nothing", async () => {
    const out = tempDir("headscale-iac-cdktf-check-");
    // The same command a developer runs, into a temp dir.
    await run(process.execPath, [path.join(root, "dist", "sdk", "cdktf", "generate.js"), "--out", out], {
      cwd: root,
      env: toolEnv(),
      timeout: 180_000,
    });
    const fresh = readBindings(out);
    expect([...fresh.keys()]).toContain("index.ts");
    expect([...fresh.keys()]).toContain("generated/provider/index.ts");
    const diffs = bindingDifferences(fresh, readBindings(checkedIn));
    expect(diffs, `sdk/cdktf/ is out of date with the provider's schema. Regenerate with:\n  ${REGENERATE_COMMAND}\n${diffs.join("\n")}`).toEqual([]);

    // The comparison can fail: one changed line, one extra file.
    const tampered = new Map(fresh);
    tampered.set("generated/user/index.ts", fresh.get("generated/user/index.ts")!.replace("'display_name'", "'displayname'"));
    tampered.set("generated/extra/index.ts", "");
    const found = bindingDifferences(fresh, tampered);
    expect(found).toHaveLength(2);
    expect(found.join("\n")).toMatch(/differs: sdk\/cdktf\/generated\/user\/index.ts line \d+/);
  });

  it("no attribute is named like a Terraform meta-argument (CDKTF's classes would break)", () => {
    expect(attributeName("provider")).toBe("identity_provider");
    expect(attributeName("displayName")).toBe("display_name");
    for (const reserved of ["count", "dependsOn", "forEach", "lifecycle", "provisioner", "connection"]) {
      expect(() => attributeName(reserved), reserved).toThrow(/meta-argument/);
    }
  });

  it("every resource and data source class constructs and synthesizes", () => {
    const outdir = tempDir("headscale-iac-cdktf-synth-");
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "all");
    new bindings.HeadscaleProvider(stack, "headscale", { url: "https://headscale.example.com" });
    const user = new bindings.User(stack, "user", { name: "carol", displayName: "Carol" });
    const policy = new bindings.Policy(stack, "policy", { policy: "{}", resetOnDestroy: true });
    new bindings.PreAuthKey(stack, "key", { user: user.userId, tags: ["tag:a"], ephemeral: true, policy: policy.policy });
    new bindings.NodeTags(stack, "tags", { nodeName: "web-1", tags: ["tag:a"] });
    const who = new bindings.DataHeadscaleUser(stack, "who", { user: "carol" });
    new bindings.DataHeadscaleUsers(stack, "everyone", {});
    new bindings.DataHeadscaleNodes(stack, "nodes", { tag: "tag:a" });
    new bindings.DataHeadscalePolicy(stack, "current", {});
    // `provider` is a Terraform meta-argument: the user's identity provider is `identity_provider`.
    expect(who.identityProvider).toMatch(/^\$\{TfToken\[/);
    app.synth();

    const synthesized = JSON.parse(readFileSync(path.join(outdir, "stacks", "all", "cdk.tf.json"), "utf8")) as SynthesizedStack;
    expect(synthesized.terraform.required_providers).toEqual({ headscale: { source: PROVIDER_SOURCE, version: packageVersion() } });
    expect(synthesized.provider).toEqual({ headscale: [{ url: "https://headscale.example.com" }] });
    expect(Object.keys(synthesized.resource).sort()).toEqual(["headscale_node_tags", "headscale_policy", "headscale_pre_auth_key", "headscale_user"]);
    expect(Object.keys(synthesized.data ?? {}).sort()).toEqual(["headscale_nodes", "headscale_policy", "headscale_user", "headscale_users"]);
    expect(withoutMetadata(synthesized.resource.headscale_user!.user)).toEqual({ name: "carol", display_name: "Carol" });
    expect(withoutMetadata(synthesized.resource.headscale_pre_auth_key!.key)).toEqual({
      user: "${headscale_user.user.user_id}",
      tags: ["tag:a"],
      ephemeral: true,
      policy: "${headscale_policy.policy.policy}",
    });
    expect(withoutMetadata(synthesized.resource.headscale_node_tags!.tags)).toEqual({ node_name: "web-1", tags: ["tag:a"] });
    expect(withoutMetadata(synthesized.data!.headscale_user!.who)).toEqual({ user: "carol" });
  });
});
