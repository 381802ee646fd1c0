// Plans users can trust, with the real terraform CLI against a real Headscale: a destroy that Headscale
// would refuse fails at plan, a declared key expiry is an in-place update, tag order is no change, and a
// hung server fails fast. (Every plan here also passes the write audit.) What the declarations decide is
// tested at the resource tier (test/resources/); here, how the plans and diagnostics show it. OpenTofu
// translates the same provider protocol: its smoke test is the example (headscale.test.ts), not a replay.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { newestHeadscale } from "../harness/tools.js";
import { errorDiagnostics, HeadscaleWorkspace } from "./headscaleWorkspace.js";

const header = `terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}
`;
const policy = `resource "headscale_policy" "p" {
  policy    = jsonencode({ tagOwners = { "tag:a" = ["ops@"], "tag:b" = ["ops@"] } })
  overwrite = true
}
`;
const user = (name: string) => `resource "headscale_user" "${name}" {\n  name = "${name}"\n}\n`;
const key = (name: string, body: string) => `resource "headscale_pre_auth_key" "${name}" {\n${body}\n  depends_on = [headscale_policy.p]\n}\n`;

/** Bad input, one resource each: every one fails `plan` on its own attribute, with the fix, writing nothing. */
const badInputs: Array<{ address: string; block: string; says: RegExp }> = [
  { address: "headscale_user.two_at", block: 'resource "headscale_user" "two_at" {\n  name = "x@y@z"\n}', says: /more than one '@'/ },
  { address: "headscale_user.slash", block: 'resource "headscale_user" "slash" {\n  name = "a/b"\n}', says: /contains '\/'/ },
  {
    address: "headscale_user.email",
    block: 'resource "headscale_user" "email" {\n  name  = "erin"\n  email = "erin at example"\n}',
    says: /not an email address/,
  },
  {
    address: "headscale_pre_auth_key.empty_tag",
    block: 'resource "headscale_pre_auth_key" "empty_tag" {\n  user = "ops"\n  tags = ["tag:"]\n}',
    says: /empty name/,
  },
  {
    address: "headscale_pre_auth_key.spaced_tag",
    block: 'resource "headscale_pre_auth_key" "spaced_tag" {\n  user = "ops"\n  tags = ["tag:a b"]\n}',
    says: /must not contain spaces/,
  },
  {
    address: "headscale_pre_auth_key.upper_prefix",
    block: 'resource "headscale_pre_auth_key" "upper_prefix" {\n  user = "ops"\n  tags = ["TAG:x"]\n}',
    says: /must start with "tag:"/,
  },
  {
    address: "headscale_pre_auth_key.new_expired",
    block: 'resource "headscale_pre_auth_key" "new_expired" {\n  user    = "ops"\n  expired = true\n}',
    says: /cannot be created expired/,
  },
  {
    address: "headscale_pre_auth_key.rotate",
    block: 'resource "headscale_pre_auth_key" "rotate" {\n  user          = "ops"\n  rotate_before = "monthly"\n}',
    says: /not a duration/,
  },
  {
    address: "headscale_node_tags.unknown_name",
    block: 'resource "headscale_node_tags" "unknown_name" {\n  node_name = "nowhere"\n  tags      = ["tag:a"]\n}',
    says: /nowhere|wait_for/,
  },
  {
    address: "headscale_policy.acls",
    block: 'resource "headscale_policy" "acls" {\n  policy = jsonencode({ acls = "x" })\n}',
    says: /must be a list of entries/,
  },
  {
    address: "headscale_policy.group_prefix",
    block: 'resource "headscale_policy" "group_prefix" {\n  policy = jsonencode({ groups = { admins = ["ops@"] } })\n}',
    says: /line 1, column 12: groups\.admins: [^]*rename it to "group:admins"/,
  },
  {
    address: "headscale_policy.ssh_reject",
    block:
      'resource "headscale_policy" "ssh_reject" {\n  policy = jsonencode({ ssh = [{ action = "reject", src = ["ops@"], dst = ["ops@"], users = ["root"] }] })\n}',
    says: /"reject" is not an SSH action/,
  },
  {
    address: "headscale_policy.section",
    block: 'resource "headscale_policy" "section" {\n  policy = jsonencode({ aclz = [] })\n}',
    says: /aclz/,
  },
];

describe(`terraform plans on Headscale ${newestHeadscale()}`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));
  const write = (...blocks: string[]) => ws.write("main.tf", [header, policy, user("ops"), ...blocks].join("\n"));

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    ws = new HeadscaleWorkspace("terraform", server);
    write();
    await ws.expect([0], ["init"]);
    await ws.expect([0], ["apply", "-auto-approve"]);
  });
  afterAll(async () => {
    ws?.cleanup();
    api?.close();
    await server?.stop();
  });

  it("tag order is no change", async () => {
    showLog();
    write(key("k", '  user = headscale_user.ops.user_id\n  tags = ["tag:a", "tag:b"]'));
    await ws.expect([0], ["apply", "-auto-approve"]);
    write(key("k", '  user = headscale_user.ops.user_id\n  tags = ["tag:b", "tag:a"]'));
    expect((await ws.planIsEmpty()).empty).toBe(true);
  });

  it("expired = true expires the key in place; it stays listed", async () => {
    showLog();
    const before = (await api.listPreAuthKeys()).map((k) => k.id);
    write(key("k", '  user    = headscale_user.ops.user_id\n  tags    = ["tag:b", "tag:a"]\n  expired = true'));
    const plan = await ws.planIsEmpty();
    expect(plan.output).toMatch(/headscale_pre_auth_key\.k will be updated in-place/);
    await ws.expect([0], ["apply", "-auto-approve"]);
    expect((await ws.planIsEmpty()).empty).toBe(true);
    const keys = await api.listPreAuthKeys();
    expect(keys.map((k) => k.id)).toEqual(before);
    expect(new Date(keys[0]!.expiration!).getTime()).toBeLessThanOrEqual(Date.now());
    write();
    await ws.expect([0], ["apply", "-auto-approve"]);
    expect(await api.listPreAuthKeys()).toEqual([]);
  });

  it("removing a user that owns a node fails at plan, naming the node, and writes nothing", async () => {
    showLog();
    write(user("dave"), key("d", "  user = headscale_user.dave.user_id"));
    await ws.expect([0], ["apply", "-auto-approve"]);
    await api.registerNode("dave", await api.debugCreateNode("dave", "dave-pc"));
    const keys = (await api.listPreAuthKeys()).map((k) => k.id);
    write();
    const plan = await ws.run(["plan"]);
    expect(plan.code).toBe(1);
    const diags = errorDiagnostics(plan.output);
    expect(diags.map((d) => d.summary).join("\n")).toMatch(/user "dave" still owns 1 node\(s\): dave-pc .*delete_nodes_on_destroy/);
    const apply = await ws.run(["apply", "-auto-approve"]);
    expect(apply.code).toBe(1);
    expect(await api.listUsers({ name: "dave" })).toHaveLength(1);
    expect((await api.listPreAuthKeys()).map((k) => k.id)).toEqual(keys);
    // With the opt-in the plan passes and the apply deletes the node too.
    write(
      `resource "headscale_user" "dave" {\n  name                    = "dave"\n  delete_nodes_on_destroy = true\n}\n`,
      key("d", "  user = headscale_user.dave.user_id"),
    );
    await ws.expect([0], ["apply", "-auto-approve"]);
    write();
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toMatch(/deleting the 1 node\(s\) user "dave" still owns/);
    expect(await api.listUsers({ name: "dave" })).toEqual([]);
  });

  it(`${badInputs.length} bad inputs each fail the plan on their own attribute, writing nothing`, async () => {
    showLog();
    write(...badInputs.map((b) => b.block));
    const plan = await ws.run(["plan"]);
    expect(plan.code).toBe(1);
    const diags = errorDiagnostics(plan.output);
    for (const b of badInputs) {
      const mine = diags.filter((d) => d.address === b.address);
      expect(mine.length, `${b.address} in:\n${plan.output}`).toBeGreaterThan(0);
      expect(mine.map((d) => d.text).join("\n")).toMatch(b.says);
    }
    write();
  });

  it("a hung server fails a plan within 35 s", { timeout: 120_000 }, async () => {
    showLog();
    write(key("k", "  user = headscale_user.ops.user_id"));
    server.freeze(true);
    try {
      const started = Date.now();
      const plan = await ws.run(["plan"]);
      const seconds = (Date.now() - started) / 1000;
      expect(plan.code).toBe(1);
      expect(plan.output).toMatch(/sent no answer within 15 s/);
      expect(seconds).toBeLessThan(35);
    } finally {
      server.freeze(false);
    }
  });
});
