// Plans users can trust, with the real Pulumi engine against a real Headscale: what a preview shows is what
// up does, and up does only that. (Every preview and refresh here also passes the write audit.) What the
// declarations decide (tag order is no change, `expired: true` expires in place) is tested at the resource
// tier (test/resources/preAuthKey.test.ts); here, what only the frontend does: a destroy checked before
// its first write, a preview failing with the server's own test verdict, a hung server failing fast.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject, type PulumiProject } from "../harness/pulumi.js";
import { newestHeadscale } from "../harness/tools.js";

const tagPolicy = `{ "tagOwners": { "tag:a": ["ops@"], "tag:b": ["ops@"] } }`;

describe(`plans on Headscale ${newestHeadscale()}`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const projects: PulumiProject[] = [];
  const project = () => {
    const p = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
    projects.push(p);
    return p;
  };
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));
  /** A node owned by `user`, registered without a client (enough for ownership and policy tests). */
  const nodeFor = async (user: string, name: string) => api.registerNode(user, await api.debugCreateNode(user, name));

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "ops" });
    await api.setPolicy(tagPolicy);
  });
  afterAll(async () => {
    for (const p of projects) p.dispose();
    api?.close();
    await server?.stop();
  });

  it("removing a user that owns a node, with its key, fails before anything is written", { timeout: 400_000 }, async () => {
    showLog();
    const p = project();
    const spec: ProgramSpec = { users: [{ resource: "dave", name: "dave" }], keys: [{ resource: "k", userResource: "dave" }] };
    expectOk(await p.run([{ op: "up", spec }]));
    const dave = (await api.listUsers({ name: "dave" }))[0]!;
    const keysBefore = (await api.listPreAuthKeys(dave.id)).map((k) => k.id);
    const node = await nodeFor("dave", "dave-pc");
    const [up] = await p.run([{ op: "up", spec: {}, expectFailure: true }]);
    expect(up!.ok).toBe(false);
    expect(`${up!.error}${up!.output}`).toMatch(/user "dave" still owns 1 node\(s\): dave-pc/);
    expect(`${up!.error}${up!.output}`).toMatch(/deleteNodesOnDestroy/);
    // Nothing was written: the user and its key are both still there.
    expect((await api.listUsers({ name: "dave" })).map((u) => u.id)).toEqual([dave.id]);
    expect((await api.listPreAuthKeys(dave.id)).map((k) => k.id)).toEqual(keysBefore);
    // With the opt-in, the node deletion is announced and everything goes.
    const [done] = expectOk(
      await p
        .run([
          {
            op: "up",
            spec: {
              users: [{ resource: "dave", name: "dave", deleteNodesOnDestroy: true }],
              keys: [{ resource: "k", userResource: "dave" }],
            },
          },
          { op: "up", spec: {} },
        ])
        .then((r) => r.slice(1)),
    );
    expect(done!.output).toMatch(/deleting the 1 node\(s\) user "dave" still owns \(deleteNodesOnDestroy\): dave-pc/);
    expect((await api.listNodes()).some((n) => n.id === node.id)).toBe(false);
    expect(await api.listUsers({ name: "dave" })).toEqual([]);
  });

  it("policy tests: a user without nodes is named; an unchanged policy is not checked again", { timeout: 400_000 }, async () => {
    showLog();
    const p = project();
    const policy = `{
      "groups": { "group:ops": ["ops@"] },
      "tagOwners": { "tag:a": ["ops@"], "tag:b": ["ops@"] },
      "acls": [{ "action": "accept", "src": ["ops@"], "dst": ["ops@:*"] }],
      "tests": [{ "src": "ops@", "accept": ["ops@:22"] }]
    }`;
    const spec = (extraUser?: string): ProgramSpec => ({
      policy: { resource: "policy", policy, overwrite: true },
      users: extraUser ? [{ resource: extraUser, name: extraUser }] : [],
    });
    // ops has no node yet: Headscale cannot run the test, and the preview says exactly why.
    const [refused] = await p.run([{ op: "preview", spec: spec(), expectFailure: true }]);
    expect(refused!.ok).toBe(false);
    expect(`${refused!.error}${refused!.output}`).toMatch(/ops@ has no nodes yet/);
    // Once ops has a node, it applies.
    const node = await nodeFor("ops", "ops-laptop");
    expectOk(await p.run([{ op: "up", spec: spec() }]));
    // The node leaves. An unrelated change must still apply: the unchanged policy is not re-checked.
    await api.deleteNode(node.id);
    const [up] = expectOk(await p.run([{ op: "up", spec: spec("erin") }]));
    expect(up!.changes).toMatchObject({ create: 1 });
    expect(await api.listUsers({ name: "erin" })).toHaveLength(1);
    expectOk(await p.run([{ op: "up", spec: {} }]));
    await api.setPolicy(tagPolicy);
  });

  it("a hung server fails a preview within 35 s, with one clear reason", { timeout: 120_000 }, async () => {
    showLog();
    const p = project();
    // A key for an existing user: its preview reads the server (a new user alone would not).
    const spec: ProgramSpec = { keys: [{ resource: "k", user: "ops" }] };
    server.freeze(true);
    try {
      const [preview] = await p.run([{ op: "preview", spec, expectFailure: true }]);
      expect(preview!.ok).toBe(false);
      expect(`${preview!.error}${preview!.output}`).toMatch(/sent no answer within 15 s: the server is overloaded or hung/);
      expect(preview!.seconds).toBeLessThan(35);
    } finally {
      server.freeze(false);
    }
  });
});
