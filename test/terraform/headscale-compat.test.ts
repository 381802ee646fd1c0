// examples/terraform-basic beyond the main lifecycle (headscale.test.ts): the core path on Headscale 0.28 and main,
// and "Terraform, OpenTofu and Pulumi produce the same Headscale objects" (normalised snapshots of three
// fresh servers, one per tool, compared with test/harness/snapshot.ts).
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { policiesEqual } from "../../provider/policy/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject } from "../harness/pulumi.js";
import { snapshotDifferences, takeSnapshot } from "../harness/snapshot.js";
import { mainLane, newestHeadscale } from "../harness/tools.js";
import { exampleTf, HeadscaleWorkspace, pulumiPolicyText } from "./headscaleWorkspace.js";
import { availableClis } from "./workspace.js";

describe.each(["0.28.0", ...mainLane()])("terraform applies and destroys the example on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    ws = new HeadscaleWorkspace("terraform", server);
    ws.write("main.tf", exampleTf);
  });
  afterAll(async () => {
    ws?.cleanup();
    api?.close();
    await server?.stop();
  });

  it("init → apply → no-op plan → destroy", async () => {
    onTestFailed(() => console.error(server.logTail()));
    await ws.expect([0], ["init"]);
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toContain("Resources: 5 added, 0 changed, 0 destroyed");
    const users = await api.listUsers();
    expect(users.map((u) => u.name).sort()).toEqual(["alice", "bob", "servers"]);
    expect(users.find((u) => u.name === "alice")).toMatchObject({ displayName: "Alice Admin", email: "alice@example.com" });
    expect(policiesEqual((await api.getPolicy()).text, pulumiPolicyText)).toBe(true);
    expect(await api.listPreAuthKeys()).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ name: "servers" }), aclTags: ["tag:server"], reusable: true }),
    ]);
    const plan = await ws.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);

    await ws.expect([0], ["destroy", "-auto-approve"]);
    expect(await api.listUsers()).toEqual([]);
    expect(await api.listPreAuthKeys()).toEqual([]);
    expect(policiesEqual((await api.getPolicy()).text, pulumiPolicyText)).toBe(true);
  });
});

describe("Terraform, OpenTofu and Pulumi produce the same Headscale objects", () => {
  const servers: HeadscaleServer[] = [];
  const workspaces: HeadscaleWorkspace[] = [];
  afterAll(async () => {
    for (const w of workspaces) w.cleanup();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("the examples give equal snapshots", async () => {
    const clis = availableClis();
    for (let i = 0; i < clis.length + 1; i++) servers.push(await startHeadscale({ version: newestHeadscale() }));
    const viaCli = async (cli: string, server: HeadscaleServer) => {
      const w = new HeadscaleWorkspace(cli, server);
      workspaces.push(w);
      w.write("main.tf", exampleTf);
      await w.expect([0], ["init"]);
      await w.expect([0], ["apply", "-auto-approve"]);
      return takeSnapshot(server);
    };
    const viaPulumi = async (server: HeadscaleServer) => {
      const project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "example:pulumi-basic" });
      try {
        expectOk(await project.run([{ op: "up" }]));
      } finally {
        project.dispose();
      }
      return takeSnapshot(server);
    };
    const [pulumi, ...others] = await Promise.all([viaPulumi(servers[0]!), ...clis.map((cli, i) => viaCli(cli, servers[i + 1]!))]);

    expect(pulumi.users.map((u) => u.name)).toEqual(["alice", "bob", "servers"]);
    expect(pulumi.keys).toHaveLength(1);
    expect(pulumi.policy).not.toBe("");
    others.forEach((snapshot, i) => {
      expect(snapshotDifferences(snapshot, pulumi), `${clis[i]} vs pulumi`).toEqual([]);
    });
    // The comparison can fail: a changed display name is a difference.
    const altered = { ...pulumi, users: pulumi.users.map((u) => (u.name === "bob" ? { ...u, displayName: "Robert" } : u)) };
    expect(snapshotDifferences(others[0]!, altered)).toHaveLength(1);
  });
});
