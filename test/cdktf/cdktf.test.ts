// The REAL cdktf CLI (synth, diff, deploy, destroy) with the checked-in bindings and the REAL provider
// against a REAL Headscale: examples/cdktf-basic synthesizes the expected Terraform JSON → deploy creates
// the same objects as examples/pulumi-basic (compared with a Pulumi run on a second server) → a second
// synth, plan and deploy change nothing → destroy removes the users and the key. The API key is written
// nowhere. Temp dirs only (HOME too).
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { policiesEqual } from "../../provider/policy/index.js";
import { packageVersion, PROVIDER_SOURCE } from "../../provider/terraform/install.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject } from "../harness/pulumi.js";
import { snapshotDifferences, takeSnapshot, type HeadscaleSnapshot } from "../harness/snapshot.js";
import { newestHeadscale, root } from "../harness/tools.js";
import { CdktfProject, exampleDir, STACK, withoutMetadata } from "./project.js";

/** `policyText` of the Pulumi example and of the CDKTF example, read from their sources. */
const policyTextOf = (file: string) => {
  const m = /const policyText = `([^`]*)`/.exec(readFileSync(file, "utf8"));
  if (!m) throw new Error(`${file} has no policyText`);
  return m[1]!;
};
const pulumiPolicyText = policyTextOf(path.join(root, "examples", "pulumi-basic", "index.ts"));
const DAY = 86_400_000;

// Each cdktf command starts node, the app and terraform (which starts the provider up to 4 times): allow
// for a loaded 2-core machine.
describe(`cdktf deploys examples/cdktf-basic to Headscale ${newestHeadscale()}`, { timeout: 300_000 }, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let project: CdktfProject;
  /** Snapshot of the Pulumi example on its own server (taken concurrently with the CDKTF deploy). */
  let pulumiSnapshot: Promise<HeadscaleSnapshot> | undefined;
  let pulumiServer: HeadscaleServer | undefined;

  beforeAll(async () => {
    server = await startHeadscale({ version: newestHeadscale() });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    project = new CdktfProject(server);
    await project.installProvider();
  });

  afterAll(async () => {
    await pulumiSnapshot?.catch(() => undefined);
    project?.cleanup();
    api?.close();
    await Promise.all([server?.stop(), pulumiServer?.stop()]);
  });

  it("the example is the Pulumi example's twin and runs main.ts", () => {
    const cdktfJson = JSON.parse(readFileSync(path.join(exampleDir, "cdktf.json"), "utf8")) as Record<string, unknown>;
    expect(cdktfJson).toMatchObject({ language: "typescript", app: "npx tsx main.ts" });
    expect(policyTextOf(path.join(exampleDir, "main.ts"))).toBe(pulumiPolicyText);
  });

  it("cdktf synth: the stack has the example's resources, the provider source and no secret", async () => {
    onTestFailed(() => console.error(project.transcript.join("\n---\n")));
    const out = await project.expectCdktf("synth");
    expect(out).toContain(`Generated Terraform code for the stacks: ${STACK}`);
    const stack = project.synthesized();

    expect(stack.terraform.required_providers).toEqual({ headscale: { source: PROVIDER_SOURCE, version: packageVersion() } });
    // url and api_key come from HEADSCALE_URL / HEADSCALE_API_KEY when Terraform runs the provider.
    expect(stack.provider).toEqual({ headscale: [{}] });

    expect(Object.keys(stack.resource).sort()).toEqual(["headscale_policy", "headscale_pre_auth_key", "headscale_user"]);
    const users = stack.resource.headscale_user!;
    expect(Object.keys(users).sort()).toEqual(["alice", "bob", "servers"]);
    expect(withoutMetadata(users.alice)).toEqual({ name: "alice", display_name: "Alice Admin", email: "alice@example.com" });
    expect(withoutMetadata(users.bob)).toEqual({ name: "bob", display_name: "Bob Developer" });
    expect(withoutMetadata(users.servers)).toEqual({ name: "servers" });

    const policy = withoutMetadata(stack.resource.headscale_policy!.policy)!;
    expect(policy.policy).toBe(pulumiPolicyText);
    expect(policy.depends_on).toEqual(["headscale_user.alice", "headscale_user.bob"]);

    const keys = stack.resource.headscale_pre_auth_key!;
    expect(Object.keys(keys)).toEqual(["servers_key"]);
    expect(withoutMetadata(keys.servers_key)).toEqual({
      user: "${headscale_user.servers.user_id}",
      tags: ["tag:server"],
      reusable: true,
      expiration: "90d",
      rotate_before: "7d",
      policy: "${headscale_policy.policy.policy}",
    });
    expect(stack.output?.server_key).toEqual({ value: "${headscale_pre_auth_key.servers_key.key}", sensitive: true });
    expect(stack.output?.users?.value).toEqual({
      alice: "${headscale_user.alice.user_id}",
      bob: "${headscale_user.bob.user_id}",
      servers: "${headscale_user.servers.user_id}",
    });

    for (const { file, text } of project.allFiles()) expect(text.includes(server.apiKey), `API key in ${file}`).toBe(false);
    // Nothing was written to the server by synth.
    expect(await api.listUsers()).toEqual([]);
  });

  it("cdktf deploy creates the same objects as the Pulumi example", async () => {
    onTestFailed(() => console.error(`${project.transcript.join("\n---\n")}\n${server.logTail()}`));
    // The Pulumi example on a second server, meanwhile.
    pulumiSnapshot = (async () => {
      pulumiServer = await startHeadscale({ version: newestHeadscale() });
      const pulumi = pulumiProject({ url: pulumiServer.url, apiKey: pulumiServer.apiKey, program: "example:pulumi-basic" });
      try {
        expectOk(await pulumi.run([{ op: "up" }]));
      } finally {
        pulumi.dispose();
      }
      return takeSnapshot(pulumiServer);
    })();

    const started = Date.now();
    const out = await project.expectCdktf("deploy", "--auto-approve", "--skip-provider-lock");
    expect(out).toContain("Apply complete! Resources: 5 added, 0 changed, 0 destroyed.");
    expect(out).toMatch(/server_key\s*=\s*<sensitive>/);

    const users = await api.listUsers();
    expect(users.map((u) => ({ name: u.name, displayName: u.displayName, email: u.email })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "alice", displayName: "Alice Admin", email: "alice@example.com" },
      { name: "bob", displayName: "Bob Developer", email: "" },
      { name: "servers", displayName: "", email: "" },
    ]);
    const keys = await api.listPreAuthKeys();
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(key).toMatchObject({
      user: expect.objectContaining({ name: "servers" }),
      aclTags: ["tag:server"],
      reusable: true,
      ephemeral: false,
      used: false,
    });
    const expiresIn = new Date(key.expiration!).getTime() - started;
    expect(expiresIn).toBeGreaterThan(90 * DAY - 5 * 60_000);
    expect(expiresIn).toBeLessThan(90 * DAY + 5 * 60_000);
    expect(policiesEqual((await api.getPolicy()).text, pulumiPolicyText)).toBe(true);

    // Outputs in the state: the ids of the users, and the key (sensitive) matching the server's key.
    const state = JSON.parse(project.stateText()) as { outputs: Record<string, { value: unknown; sensitive?: boolean }> };
    expect(state.outputs.users!.value).toEqual(Object.fromEntries(users.map((u) => [u.name, u.id])));
    expect(state.outputs.server_key).toMatchObject({ sensitive: true, value: expect.stringMatching(/^hskey-auth-/) });
    const secret = state.outputs.server_key!.value as string;
    const prefix = state.outputs.server_key_prefix!.value as string;
    expect(prefix).toMatch(/^hskey-auth-[A-Za-z0-9_-]{12}$/); // the prefix may contain "-"
    expect(secret.startsWith(`${prefix}-`)).toBe(true);
    expect(state.outputs.server_key_expires_at!.value).toBe(new Date(key.expiration!).toISOString());
    // The key is never shown; the API key is written nowhere.
    for (const text of project.transcript) {
      expect(text.includes(secret)).toBe(false);
      expect(text.includes(server.apiKey)).toBe(false);
    }
    for (const { file, text } of project.allFiles()) expect(text.includes(server.apiKey), `API key in ${file}`).toBe(false);

    // The same objects as the Pulumi example (normalised: no ids, no timestamps; policy by meaning).
    const mine = await takeSnapshot(server);
    const theirs = await pulumiSnapshot;
    expect(theirs.users.map((u) => u.name)).toEqual(["alice", "bob", "servers"]);
    expect(snapshotDifferences(mine, theirs)).toEqual([]);
    // The comparison can fail: a different key flag is a difference.
    expect(snapshotDifferences(mine, { ...theirs, keys: theirs.keys.map((k) => ({ ...k, reusable: !k.reusable })) })).not.toEqual([]);
  });

  it("a second synth, plan and deploy change nothing", async () => {
    onTestFailed(() => console.error(project.transcript.join("\n---\n")));
    const before = await takeSnapshot(server);
    const ids = (await api.listUsers()).map((u) => `${u.name}=${u.id}`).sort();
    const keyIds = (await api.listPreAuthKeys()).map((k) => k.id);

    await project.expectCdktf("synth");
    const diff = await project.expectCdktf("diff", "--skip-provider-lock");
    expect(diff).toContain("No changes. Your infrastructure matches the configuration.");
    // The synthesized stack, planned by terraform itself: exit 0 = no changes (2 would be changes).
    const plan = await project.terraform("plan", "-detailed-exitcode", "-input=false");
    expect(plan.code, plan.output).toBe(0);

    const out = await project.expectCdktf("deploy", "--auto-approve", "--skip-provider-lock");
    expect(out).toContain("Resources: 0 added, 0 changed, 0 destroyed.");

    expect(snapshotDifferences(await takeSnapshot(server), before, { expiryToleranceMs: 0 })).toEqual([]);
    expect((await api.listUsers()).map((u) => `${u.name}=${u.id}`).sort()).toEqual(ids);
    expect((await api.listPreAuthKeys()).map((k) => k.id)).toEqual(keyIds);
  });

  it("cdktf destroy removes the users and the key", async () => {
    onTestFailed(() => console.error(project.transcript.join("\n---\n")));
    const out = await project.expectCdktf("destroy", "--auto-approve", "--skip-provider-lock");
    expect(out).toContain("Destroy complete! Resources: 5 destroyed.");
    // The documented default: the policy stays (reset_on_destroy clears it), and the user is told.
    expect(out).toContain("the policy stays on the server");
    expect(await api.listUsers()).toEqual([]);
    expect(await api.listPreAuthKeys()).toEqual([]);
    expect(policiesEqual((await api.getPolicy()).text, pulumiPolicyText)).toBe(true);
    const state = JSON.parse(project.stateText()) as { resources: unknown[] };
    expect(state.resources).toEqual([]);
  });
});
