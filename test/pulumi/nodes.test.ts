// Node end to end through Pulumi with a real tailscaled: rename (seen in GET /node), key expiry (never
// on 0.29+), repair of an out-of-band rename, and the migration of a node to another user (the README's
// worked example): the Node resource with deleteOnDestroy goes, a key for the new user comes, the node
// re-joins with it.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient, type Node } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { joinNode, type TailscaleNode } from "../harness/node.js";
import { waitFor } from "../harness/processes.js";
import { expectOk, pulumiProject, type PulumiProject } from "../harness/pulumi.js";
import { resourceVersions } from "../harness/tools.js";

const minorOf = (v: string) => Number(v.split(".")[1]);

describe.each(resourceVersions())("Node with a real tailscaled on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let project: PulumiProject;
  let laptop: TailscaleNode | undefined;
  let joined: Node;
  // 0.29+ can disable key expiry; 0.28 takes a time.
  const keyExpiry = minorOf(version) >= 29 ? "never" : "2031-01-01T00:00:00Z";
  const managed: ProgramSpec = {
    nodes: [{ resource: "laptop", nodeName: "laptop", givenName: "alice-laptop", keyExpiry, deleteOnDestroy: true }],
  };

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    const alice = await api.createUser({ name: "alice" });
    await api.createUser({ name: "bob" });
    const key = await api.createPreAuthKey({
      userId: alice.id,
      reusable: false,
      ephemeral: false,
      expiration: new Date(Date.now() + 3600_000),
      aclTags: [],
    });
    laptop = await joinNode({ serverUrl: server.url, authKey: key.key, hostname: "laptop" });
    joined = await waitFor("laptop online", async () => (await api.listNodes()).find((n) => n.name === "laptop" && n.online), 60_000);
    project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
  });
  afterAll(async () => {
    await laptop?.stop({ logout: true });
    project?.dispose();
    api?.close();
    await server?.stop();
  });
  const showLogs = () => onTestFailed(() => console.error(`--- headscale ---\n${server.logTail()}\n--- tailscaled ---\n${laptop?.logTail() ?? ""}`));

  it("renames the node and sets its key expiry; GET /node shows both; a second preview shows no changes", async () => {
    showLogs();
    const [up, preview] = expectOk(
      await project.run([
        { op: "up", spec: managed },
        { op: "preview", spec: managed },
      ]),
    );
    expect(up!.changes).toMatchObject({ create: 2 }); // the stack and the resource
    const n = await api.getNode(joined.id);
    expect(n.givenName).toBe("alice-laptop");
    if (keyExpiry === "never") expect(n.expiry === undefined || n.expiry.startsWith("0001-01-01"), `expiry ${n.expiry}`).toBe(true);
    else expect(new Date(n.expiry!).toISOString()).toBe(new Date(keyExpiry).toISOString());
    const out = (up!.outputs!.nodes!.value as Record<string, { id: string; name: string; user: string; expiry: string }>).laptop!;
    expect(out).toMatchObject({ id: joined.id, name: "alice-laptop", user: "alice" });
    expect(out.expiry === "never" || new Date(out.expiry).getTime() === new Date(keyExpiry).getTime()).toBe(true);
    expect(preview!.changes).toEqual({ same: 2 });
  });

  it("renames it back after an out-of-band rename", async () => {
    showLogs();
    await server.cli(["nodes", "rename", "--identifier", joined.id, "someone-else"]);
    const [, up] = expectOk(
      await project.run([
        { op: "refresh", spec: managed },
        { op: "up", spec: managed },
      ]),
    );
    expect(up!.changes).toMatchObject({ update: 1 });
    expect((await api.getNode(joined.id)).givenName).toBe("alice-laptop");
  });

  it("migrates the node to another user: delete it (deleteOnDestroy), mint a key for the new user, re-join", async () => {
    showLogs();
    // Step 1 of the README example: drop the Node resource (deleteOnDestroy deletes the node), add bob's key.
    const handover: ProgramSpec = { keys: [{ resource: "bob-laptop", user: "bob", expiration: "1h" }] };
    const [up] = expectOk(await project.run([{ op: "up", spec: handover }]));
    expect(up!.changes).toMatchObject({ delete: 1, create: 1 });
    expect((await api.listNodes()).some((n) => n.id === joined.id)).toBe(false);
    const bobKey = (up!.outputs!.keys!.value as Record<string, string>)["bob-laptop"]!;

    // Step 2: the machine re-joins with bob's key.
    await laptop!.rejoin(bobKey);
    const moved = await waitFor("laptop back as bob's", async () => (await api.listNodes()).find((n) => n.name === "laptop" && n.user?.name === "bob"), 60_000);
    expect(moved.id).not.toBe(joined.id);

    // Step 3: manage the new node again (waitFor covers a node that is still joining).
    const adopted: ProgramSpec = {
      ...handover,
      nodes: [{ resource: "laptop", nodeName: "laptop", waitFor: "1m", givenName: "bob-laptop", keyExpiry, deleteOnDestroy: true }],
    };
    const [again, preview] = expectOk(
      await project.run([
        { op: "up", spec: adopted },
        { op: "preview", spec: adopted },
      ]),
    );
    expect(again!.changes).toMatchObject({ create: 1 });
    expect((await api.getNode(moved.id)).givenName).toBe("bob-laptop");
    expect(preview!.changes).toEqual({ same: 3 });
  });

  it("destroy without deleteOnDestroy leaves the node; with it, deletes the real node", async () => {
    showLogs();
    const kept: ProgramSpec = { nodes: [{ resource: "laptop", nodeName: "laptop", givenName: "bob-laptop" }] };
    const nodeId = (await api.listNodes()).find((n) => n.name === "laptop")!.id;
    const [, destroy] = expectOk(await project.run([{ op: "up", spec: kept }, { op: "destroy" }]));
    expect(destroy!.output).toMatch(/stays on the server/);
    expect((await api.listNodes()).map((n) => n.id)).toContain(nodeId);
    expectOk(await project.run([{ op: "up", spec: { nodes: [{ resource: "laptop", nodeId, deleteOnDestroy: true }] } }, { op: "destroy" }]));
    expect((await api.listNodes()).map((n) => n.id)).not.toContain(nodeId);
  });
});
