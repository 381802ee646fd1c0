// The REAL terraform and tofu CLIs with the REAL provider against a REAL Headscale: examples/terraform-basic
// applied as written → every object exists → no-op plan → edits update or replace as declared → import
// blocks and `terraform import` adopt existing objects → secrets stay masked and the API key is never
// written anywhere → plan-time validation writes nothing → out-of-band deletes are repaired → destroy.
// (headscale-compat.test.ts: the core path on Headscale 0.28, and the same objects as the Pulumi example.)
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { policiesEqual } from "../../provider/policy/index.js";
import { startFaultProxy, type FaultProxy } from "../harness/faultProxy.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { snapshotDifferences, takeSnapshot } from "../harness/snapshot.js";
import { newestHeadscale } from "../harness/tools.js";
import { errorDiagnostics, exampleTf, HeadscaleWorkspace, pulumiPolicyText } from "./headscaleWorkspace.js";
import { aliceDisplay, edited, newRule, notReusable, reformatted, renameBob } from "./exampleEdits.js";
import { availableClis } from "./workspace.js";

const DAY = 86_400_000;

const header = `terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}
`;

interface StateFile {
  resources: { type: string; name: string; instances: { attributes: Record<string, unknown>; sensitive_attributes: unknown[] }[] }[];
}
function stateOf(ws: HeadscaleWorkspace, type: string, name: string): Record<string, unknown> | undefined {
  const state = JSON.parse(ws.stateText()) as StateFile;
  return state.resources.find((r) => r.type === type && r.name === name)?.instances[0]?.attributes;
}

describe.each(availableClis())("%s applies examples/terraform-basic to Headscale " + newestHeadscale(), (cli) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;
  let policyWs: HeadscaleWorkspace | undefined;
  const ids: Record<string, string> = {};
  const userByName = async (name: string) => (await api.listUsers()).find((u) => u.name === name);
  const liveKeys = async () => (await api.listPreAuthKeys()).filter((k) => !k.expiration || new Date(k.expiration).getTime() > Date.now());
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));

  beforeAll(async () => {
    server = await startHeadscale({ version: newestHeadscale() });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    ws = new HeadscaleWorkspace(cli, server);
    ws.write("main.tf", exampleTf);
  });
  afterAll(async () => {
    ws?.cleanup();
    policyWs?.cleanup();
    api?.close();
    await server?.stop();
  });

  it("init installs the provider from the filesystem mirror", async () => {
    const out = await ws.expect([0], ["init"]);
    // Terraform shortens registry.terraform.io addresses, OpenTofu prints them in full.
    expect(out).toMatch(/Installing (registry\.terraform\.io\/)?headscale-iac\/headscale v0\.\d+\.\d+/);
    expect(ws.read(".terraform.lock.hcl")).toContain('provider "registry.terraform.io/headscale-iac/headscale"');
  });

  it("apply creates the example's users, policy and key, with the key masked", async () => {
    showLog();
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toContain("Resources: 5 added, 0 changed, 0 destroyed");
    expect(out).toMatch(/\+ key\s+= \(sensitive value\)/);
    expect(out).toMatch(/server_key = <sensitive>/);

    const users = await api.listUsers();
    expect(users.map((u) => u.name).sort()).toEqual(["alice", "bob", "servers"]);
    expect(users.find((u) => u.name === "alice")).toMatchObject({ displayName: "Alice Admin", email: "alice@example.com" });
    expect(users.find((u) => u.name === "bob")).toMatchObject({ displayName: "Bob Developer", email: "" });
    for (const u of users) ids[u.name] = u.id;

    const policy = (await api.getPolicy()).text;
    expect(policiesEqual(policy, pulumiPolicyText)).toBe(true);
    expect(policy).toContain("// Admins reach everything"); // stored verbatim, comments kept

    const keys = await api.listPreAuthKeys();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ user: { name: "servers" }, aclTags: ["tag:server"], reusable: true, ephemeral: false, used: false });
    expect(Math.abs(new Date(keys[0]!.expiration!).getTime() - (Date.now() + 90 * DAY))).toBeLessThan(5 * 60_000);
    ids.key = keys[0]!.id!;

    const outputs = await ws.outputs();
    expect(outputs.users!.value).toEqual({ alice: ids.alice, bob: ids.bob, servers: ids.servers });
    const prefix = outputs.server_key_prefix!.value as string;
    expect(outputs.server_key).toMatchObject({ sensitive: true });
    const key = outputs.server_key!.value as string;
    expect(key.startsWith(`${prefix}-`)).toBe(true);
    expect(keys[0]!.key.startsWith(prefix)).toBe(true); // the server lists hskey-auth-<prefix>-***
    expect(out).not.toContain(key);
  });

  it("a second plan shows no changes", async () => {
    const plan = await ws.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);
  });

  it("state marks the key sensitive and holds no API key", async () => {
    const state = JSON.parse(ws.stateText()) as StateFile;
    const key = state.resources.find((r) => r.type === "headscale_pre_auth_key")!;
    expect(key.instances[0]!.sensitive_attributes).toContainEqual([{ type: "get_attr", value: "key" }]);
    expect(ws.stateText()).not.toContain(server.apiKey);
  });

  it("a rename updates in place; a display name or key property change replaces", async () => {
    showLog();
    ws.write("main.tf", edited(renameBob, aliceDisplay, notReusable));
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toMatch(/# headscale_user\.bob will be updated in-place[\s\S]*~ name\s+= "bob" -> "robert"/);
    expect(out).toMatch(/# headscale_user\.alice must be replaced[\s\S]*~ display_name = "Alice Admin" -> "Alice A\." # forces replacement/);
    expect(out).toMatch(/# headscale_pre_auth_key\.servers must be replaced[\s\S]*~ reusable\s+= true -> false # forces replacement/);
    expect(out).toMatch(/~ key\s+= \(sensitive value\)/);
    expect(out).toContain("Headscale cannot update a user's display name"); // the declaration's reason, as a warning
    expect(out).toContain("Resources: 2 added, 1 changed, 2 destroyed");

    expect(await userByName("bob")).toBeUndefined();
    expect((await userByName("robert"))?.id).toBe(ids.bob);
    const alice = await userByName("alice");
    expect(alice).toMatchObject({ displayName: "Alice A.", email: "alice@example.com" });
    expect(alice!.id).not.toBe(ids.alice);
    ids.alice = alice!.id;
    const keys = await api.listPreAuthKeys();
    expect(keys).toHaveLength(1); // the old key was deleted
    expect(keys[0]).toMatchObject({ reusable: false, aclTags: ["tag:server"], user: { name: "servers" } });
    expect(keys[0]!.id).not.toBe(ids.key);
    ids.key = keys[0]!.id!;
  });

  it("the same policy reformatted plans no change; a changed policy updates in place", async () => {
    showLog();
    const before = await api.getPolicy();
    ws.write("main.tf", edited(renameBob, aliceDisplay, notReusable, reformatted));
    const same = await ws.planIsEmpty();
    expect(same.empty, same.output).toBe(true);

    ws.write("main.tf", edited(renameBob, aliceDisplay, notReusable, reformatted, newRule));
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toMatch(
      /# headscale_policy\.policy will be updated in-place[\s\S]*\+\s+\{ "action": "accept", "src": \["group:admin"\], "dst": \["tag:server:22"\] \},/,
    );
    // The key's `policy` only says what to check tags against: no change to the key.
    expect(out).not.toContain("headscale_pre_auth_key.servers will be updated");
    expect(out).toContain("Resources: 0 added, 1 changed, 0 destroyed");
    const after = await api.getPolicy();
    expect(after.text).toContain('"dst": ["tag:server:22"]');
    expect(after.text).toContain("/* reformatted */");
    expect(after.updatedAt).not.toBe(before.updatedAt);
    expect((await api.listPreAuthKeys())[0]!.id).toBe(ids.key);
    const plan = await ws.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);
  });

  it("import blocks adopt an existing user and a node's tags", async () => {
    showLog();
    const carol = await api.createUser({ name: "carol", displayName: "Carol", email: "carol@example.com" });
    await api.createUser({ name: "machines" });
    const node = await api.registerNode("machines", await api.debugCreateNode("machines", "web-1"));
    ids.carol = carol.id;
    ids.node = node.id;
    expect(node.tags).toEqual([]);
    ws.write(
      "imports.tf",
      `import {
  to = headscale_user.carol
  id = "carol"
}
resource "headscale_user" "carol" {
  name         = "carol"
  display_name = "Carol"
  email        = "carol@example.com"
}

import {
  to = headscale_node_tags.web
  id = "${node.id}"
}
resource "headscale_node_tags" "web" {
  node_id = "${node.id}"
  tags    = ["tag:server"]
  policy  = headscale_policy.policy.policy
}
`,
    );
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toMatch(/# headscale_user\.carol will be imported/);
    expect(out).toMatch(/# headscale_node_tags\.web will be updated in-place[\s\S]*\+ "tag:server"/);
    expect(out).toContain("Resources: 2 imported, 0 added, 1 changed, 0 destroyed");
    expect((await userByName("carol"))?.id).toBe(carol.id);
    expect((await api.getNode(node.id)).tags).toEqual(["tag:server"]);
    const plan = await ws.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);
  });

  it("`import` (the command) adopts a user; a pre-auth key cannot be imported", async () => {
    const dave = await api.createUser({ name: "dave" });
    const carolKey = await api.createPreAuthKey({
      userId: ids.carol!,
      reusable: false,
      ephemeral: false,
      expiration: new Date(Date.now() + DAY),
      aclTags: [],
    });
    const imports = ws.read("imports.tf");
    ws.write("imports.tf", `${imports}\nresource "headscale_user" "dave" {\n  name = "dave"\n}\n`);
    const ok = await ws.expect([0], ["import", "headscale_user.dave", "dave"]);
    expect(ok).toContain("Import successful");
    expect(stateOf(ws, "headscale_user", "dave")).toMatchObject({ id: dave.id, user_id: dave.id, name: "dave" });

    ws.write("key.tf", `resource "headscale_pre_auth_key" "carol" {\n  user       = "carol"\n  expiration = "1d"\n}\n`);
    const refused = await ws.run(["import", "headscale_pre_auth_key.carol", carolKey.id!]);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain("headscale_pre_auth_key cannot be imported");
    expect(refused.output).toContain("has no import");
    ws.remove("key.tf");
    await api.expirePreAuthKey({ id: carolKey.id!, userId: ids.carol!, key: carolKey.key });
    await api.deletePreAuthKey(carolKey.id!);
    const plan = await ws.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);
  });

  it("an import block in a second workspace adopts the policy without writing it", async () => {
    showLog();
    const before = await api.getPolicy();
    policyWs = new HeadscaleWorkspace(cli, server);
    // The live policy in other formatting, and reset_on_destroy (so destroying this workspace clears it).
    const text = edited(reformatted, newRule).split("policy = <<-EOT\n")[1]!.split("  EOT\n")[0]!.replace(/^\s+/gm, "");
    policyWs.write(
      "main.tf",
      `${header}
import {
  to = headscale_policy.adopted
  id = "policy"
}
resource "headscale_policy" "adopted" {
  policy           = ${JSON.stringify(text)}
  reset_on_destroy = true
}
`,
    );
    await policyWs.expect([0], ["init"]);
    const out = await policyWs.expect([0], ["apply", "-auto-approve"]);
    expect(out).toMatch(/# headscale_policy\.adopted will be updated in-place/);
    expect(out).toMatch(/\+ reset_on_destroy = true/);
    expect(out).not.toMatch(/~ policy\s+=/); // equal in meaning: kept as imported
    expect(out).toContain("Resources: 1 imported, 0 added, 1 changed, 0 destroyed");
    expect(await api.getPolicy()).toEqual(before); // not rewritten
    const plan = await policyWs.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);
  });

  it("plan-time validation reports on the attribute, and writes nothing", async () => {
    let proxy: FaultProxy | undefined;
    let vws: HeadscaleWorkspace | undefined;
    try {
      proxy = await startFaultProxy(server.url);
      vws = new HeadscaleWorkspace(cli, { url: proxy.url, apiKey: server.apiKey });
      const before = await takeSnapshot(api);
      const beforePolicy = await api.getPolicy();
      vws.write(
        "main.tf",
        `${header}
locals {
  policy = jsonencode({ tagOwners = { "tag:server" = ["group:admin"] }, groups = { "group:admin" = ["alice@"] } })
}
resource "headscale_user" "bad" {
  name = "Bad Name"
}
resource "headscale_pre_auth_key" "no_prefix" {
  tags = ["server"]
}
resource "headscale_pre_auth_key" "undefined_tag" {
  tags   = ["tag:nope"]
  policy = local.policy
}
resource "headscale_pre_auth_key" "unknown_user" {
  user = "nobody"
}
resource "headscale_policy" "broken" {
  policy = "{ \\"acls\\": [ { \\"action\\": \\"accept\\" ]"
}
`,
      );
      await vws.expect([0], ["init"]);
      proxy.seen.length = 0;
      const r = await vws.run(["plan"]);
      expect(r.code, r.output).toBe(1);
      const errors = errorDiagnostics(r.output);
      const at = (address: string) => errors.filter((e) => e.address === address);
      expect(at("headscale_user.bad"), r.output).toEqual([
        expect.objectContaining({ line: 'name = "Bad Name"', summary: expect.stringContaining("contains ' '") }),
      ]);
      expect(at("headscale_pre_auth_key.no_prefix"), r.output).toEqual([
        expect.objectContaining({ line: 'tags = ["server"]', summary: expect.stringContaining("tag:") }),
      ]);
      expect(at("headscale_pre_auth_key.undefined_tag"), r.output).toEqual([
        expect.objectContaining({ line: 'tags   = ["tag:nope"]', summary: expect.stringContaining('tag "tag:nope" is not defined') }),
      ]);
      expect(at("headscale_policy.broken"), r.output).toEqual([
        expect.objectContaining({ line: expect.stringMatching(/^policy = /), summary: expect.stringMatching(/^line 1, column \d+/) }),
      ]);
      expect(at("headscale_pre_auth_key.unknown_user"), r.output).toEqual([
        expect.objectContaining({
          line: 'user = "nobody"',
          summary: expect.stringContaining('user "nobody" does not exist on the server'),
        }),
      ]);
      expect(errors).toHaveLength(5);

      // The provider did ask the server (for the users), but wrote nothing.
      expect(proxy.seen).toContain("GET /api/v1/user");
      expect(proxy.seen.filter((s) => !s.startsWith("GET ") && s !== "POST /api/v1/policy/check")).toEqual([]);
      expect(snapshotDifferences(await takeSnapshot(api), before, { expiryToleranceMs: 0 })).toEqual([]);
      expect(await api.getPolicy()).toEqual(beforePolicy);
    } finally {
      vws?.cleanup();
      await proxy?.close();
    }
  });

  it("a user deleted outside Terraform is re-created by the next apply", async () => {
    showLog();
    await api.deleteUser(ids.bob!); // "robert" now
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toMatch(/# headscale_user\.bob will be created/);
    expect(out).toContain("Resources: 1 added, 0 changed, 0 destroyed");
    const robert = await userByName("robert");
    expect(robert).toBeDefined();
    expect(robert!.id).not.toBe(ids.bob);
    ids.bob = robert!.id;
  });

  it("the API key never reaches output, state or the provider's debug log", async () => {
    showLog();
    const logPath = path.join(ws.base, "tf-debug.log");
    // The key through the provider block this time (a sensitive variable), not the environment.
    ws.write("main.tf", edited(renameBob, aliceDisplay, reformatted, newRule)); // reusable again: replaces the key
    const out = await ws.expect([0], ["apply", "-auto-approve"], {
      TF_LOG: "debug",
      TF_LOG_PATH: logPath,
      HEADSCALE_API_KEY: undefined,
      TF_VAR_headscale_api_key: server.apiKey,
    });
    expect(out).toContain("Resources: 1 added, 0 changed, 1 destroyed");
    expect(out).toMatch(/~ key\s+= \(sensitive value\)/);
    const log = readFileSync(logPath, "utf8");
    expect(log).toMatch(/starting plugin: path=\S*terraform-provider-headscale_v/); // the log of this run, at debug
    expect(log).not.toContain(server.apiKey);
    expect(ws.stateText()).not.toContain(server.apiKey);

    const key = (await ws.outputs()).server_key!.value as string;
    expect(key).toMatch(/^hskey-auth-/);
    expect(log).not.toContain(key);
    for (const output of ws.transcript.slice(0, -1)) {
      expect(output).not.toContain(server.apiKey);
      expect(output).not.toContain(key);
    }
    expect((await liveKeys())[0]).toMatchObject({ reusable: true });
  });

  it("destroy deletes the users and keys and leaves the policy; reset_on_destroy clears it", async () => {
    showLog();
    const policy = await api.getPolicy();
    // At debug level again: the provider's own lines (what the declarations log) reach the log.
    const logPath = path.join(ws.base, "tf-destroy.log");
    const out = await ws.expect([0], ["destroy", "-auto-approve"], {
      TF_LOG: "debug",
      TF_LOG_PATH: logPath,
      HEADSCALE_API_KEY: undefined,
      TF_VAR_headscale_api_key: server.apiKey,
    });
    const log = readFileSync(logPath, "utf8");
    expect(log).toMatch(/terraform-provider-headscale_v[^:]*: the policy stays on the server/);
    expect(log).not.toContain(server.apiKey);
    // …and are shown as warnings, spelled the Terraform way.
    expect(out).toMatch(/Warning: the policy stays on the server \(set reset_on_destroy to clear it on destroy\)/);
    expect(out).toContain("Resources: 8 destroyed"); // 5 users, the policy, the key, the node's tags
    expect((await api.listUsers()).map((u) => u.name)).toEqual(["machines"]);
    expect(await api.listPreAuthKeys()).toEqual([]);
    expect(await api.getPolicy()).toEqual(policy);
    expect(out).toMatch(/cannot untag a node/);
    expect((await api.getNode(ids.node!)).tags).toEqual(["tag:server"]);

    await policyWs!.expect([0], ["destroy", "-auto-approve"]);
    expect((await api.getPolicy()).text).toBe("");
  });
});
