// CI provisioning end to end: a program mints an ephemeral, single-use, tag-only key for tag:ci (its
// policy in the same program); a real tailscaled joins with it; the node is online with exactly that
// tag; the used key causes no replacement; NodeTags then re-tags the real node.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient, type Node } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { joinNode, type TailscaleNode } from "../harness/node.js";
import { waitFor } from "../harness/processes.js";
import { expectOk, pulumiProject, type PulumiProject } from "../harness/pulumi.js";
import { mainLane, newestHeadscale } from "../harness/tools.js";

const policy = `{
  "groups": { "group:ci-admins": ["ops@"] },
  "tagOwners": { "tag:ci": ["group:ci-admins"], "tag:deploy": ["group:ci-admins"] },
  "acls": [{ "action": "accept", "src": ["tag:ci"], "dst": ["tag:deploy:22"] }],
}`;

describe.each([newestHeadscale(), ...mainLane()])("CI provisioning with a real node on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let project: PulumiProject;
  let node: TailscaleNode | undefined;
  const base: ProgramSpec = {
    users: [{ resource: "ops", name: "ops" }],
    policy: { resource: "policy", policy, overwrite: false, resetOnDestroy: true },
    keys: [{ resource: "ci", tags: ["tag:ci"], ephemeral: true, reusable: false, expiration: "1h", checkAgainstPolicy: true }],
  };
  const retagged: ProgramSpec = {
    ...base,
    nodeTags: [{ resource: "runner", nodeName: "ci-runner", waitFor: "1m", tags: ["tag:deploy", "tag:ci"], checkAgainstPolicy: true }],
  };

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
  });
  afterAll(async () => {
    await node?.stop({ logout: true });
    project?.dispose();
    api?.close();
    await server?.stop();
  });

  let joined: Node;

  it("a node joins with the minted key and is online with exactly tag:ci", async () => {
    onTestFailed(() => console.error(`--- headscale ---\n${server.logTail()}\n--- tailscaled ---\n${node?.logTail() ?? ""}`));
    const [up] = expectOk(await project.run([{ op: "up", spec: base }]));
    const authKey = up!.outputs!.keys!.value as Record<string, string>;
    expect(authKey.ci).toMatch(/^hskey-auth-/);

    node = await joinNode({ serverUrl: server.url, authKey: authKey.ci!, hostname: "ci-runner" });
    joined = await waitFor("ci-runner online", async () => (await api.listNodes()).find((n) => n.name === "ci-runner" && n.online), 30_000);
    expect(joined.tags).toEqual(["tag:ci"]);
    expect(joined.user?.name ?? "tagged-devices").toBe("tagged-devices"); // tag-only: no human owner
    const key = (await api.listPreAuthKeys()).find((k) => k.aclTags.includes("tag:ci"));
    expect(key).toMatchObject({ used: true, ephemeral: true, reusable: false });
    expect((await node.status()).BackendState).toBe("Running");
  });

  it("the used single-use key causes no replacement, even after a refresh", async () => {
    const [refresh, exported, preview, up] = expectOk(
      await project.run([{ op: "refresh", spec: base }, { op: "export" }, { op: "preview", spec: base }, { op: "up", spec: base }]),
    );
    expect(refresh!.changes).toEqual({ same: 4 });
    // The refreshed state knows the key is used; that alone replaces nothing.
    const resources = JSON.parse(exported!.exported!).deployment.resources as Array<{ type: string; outputs: Record<string, unknown> }>;
    expect(resources.find((r) => r.type.endsWith("PreAuthKey"))?.outputs).toMatchObject({ used: true, reusable: false });
    expect(preview!.changes).toEqual({ same: 4 });
    expect(up!.changes).toEqual({ same: 4 });
    expect((await api.listPreAuthKeys()).filter((k) => k.aclTags.includes("tag:ci"))).toHaveLength(1);
  });

  it("NodeTags re-tags the real node by name, and the server shows it", async () => {
    const [up] = expectOk(await project.run([{ op: "up", spec: retagged }]));
    expect(up!.changes).toMatchObject({ create: 1 });
    const n = await api.getNode(joined.id);
    expect(n.tags).toEqual(["tag:ci", "tag:deploy"]);
    expect((await project.run([{ op: "preview", spec: retagged }]))[0]!.changes).toEqual({ same: 5 });
  });
});
