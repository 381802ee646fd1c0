// The NodeTags declaration against a real Headscale with registered (debug) nodes, one behaviour per test:
// tags are a set set in one write, bad selectors and undefined tags are reported on their field, destroy
// leaves the tags (0.28+ cannot untag a node), and a node that went away reads as gone.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient, type Node } from "../../provider/client/index.js";
import { NodeTags, render } from "../../provider/resources/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { resourceVersions } from "../harness/tools.js";
import { apply, checked, create, newRun, noChange, plan, refresh, writesOf } from "./tier.js";

const tagPolicy = `{ "tagOwners": { "tag:server": ["machines@"], "tag:web": ["machines@"] } }`;

describe.each(resourceVersions())("NodeTags on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));
  const run = () => newRun(server);
  // A registration takes the server about a second: every test's node is registered up front, all at once.
  const registered = new Map<string, Promise<Node>>();
  const newNode = (name: string): Promise<Node> => registered.get(name) ?? Promise.reject(new Error(`${name} is not registered in beforeAll`));

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "machines" });
    await api.setPolicy(tagPolicy);
    for (let i = 1; i <= 7; i++)
      registered.set(
        `web-${i}`,
        api.debugCreateNode("machines", `web-${i}`).then((key) => api.registerNode("machines", key)),
      );
    await Promise.all(registered.values());
  });
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it("create sets the tags of the node named, in one write with no read after it", async () => {
    showLog();
    const node = await newNode("web-1");
    const r = run();
    const m = await create(NodeTags, r, { nodeName: "web-1", tags: ["tag:web", "tag:server"] });
    expect(writesOf(r.calls)).toEqual([`POST /api/v1/node/${node.id}/tags`]);
    expect(r.calls.at(-1)).toBe(`POST /api/v1/node/${node.id}/tags`);
    expect(m).toMatchObject({ id: node.id, state: { tags: ["tag:web", "tag:server"], resolvedNodeId: node.id, givenName: "web-1" } });
    expect((await api.getNode(node.id)).tags).toEqual(["tag:server", "tag:web"]);
  });

  it("reordered tags plan no change; another set is an update in place, one write", async () => {
    showLog();
    const node = await newNode("web-2");
    const m = await create(NodeTags, run(), { nodeId: node.id, tags: ["tag:server", "tag:web"] });
    expect(noChange(await plan(NodeTags, run(), m, { nodeId: node.id, tags: ["tag:web", "tag:server"] }))).toBe(true);
    const r = run();
    const { diff } = await apply(NodeTags, r, m, { nodeId: node.id, tags: ["tag:server"] });
    expect(diff).toMatchObject({ updates: ["tags"], replaces: [] });
    expect(writesOf(r.calls)).toEqual([`POST /api/v1/node/${node.id}/tags`]);
    expect((await api.getNode(node.id)).tags).toEqual(["tag:server"]);
  });

  it("a node that has the tags already is taken over without a write", async () => {
    showLog();
    const node = await newNode("web-3");
    await api.setNodeTags(node.id, ["tag:web"]);
    const r = run();
    await create(NodeTags, r, { nodeName: "web-3", tags: ["tag:web"] });
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("check reports each bad input on its own field, writing nothing", async () => {
    showLog();
    const node = await newNode("web-4");
    const r = run();
    const problems = async (values: Record<string, unknown>) => (await checked(NodeTags, r, values)).map((p) => [p.field, p.message]);
    expect(await problems({ nodeName: "nowhere", tags: ["tag:web"] })).toEqual([
      ["nodeName", expect.stringMatching(/no node is named "nowhere" .*set waitFor/)],
    ]);
    expect(await problems({ nodeId: "999999", tags: ["tag:web"] })).toEqual([["nodeId", expect.stringContaining("no node has id 999999")]]);
    expect(await problems({ nodeId: "web-4", tags: ["tag:web"] })).toEqual([["nodeId", expect.stringMatching(/not a node id.*use nodeName/)]]);
    expect(await problems({ nodeId: node.id, nodeName: "web-4", tags: ["tag:web"] })).toEqual([["nodeName", "set nodeId or nodeName, not both"]]);
    expect(await problems({ tags: ["tag:web"] })).toEqual([["nodeId", expect.stringContaining("set nodeId or nodeName")]]);
    expect(await problems({ nodeId: node.id, tags: [] })).toEqual([["tags", expect.stringContaining("give at least one tag")]]);
    expect(await problems({ nodeId: node.id, tags: ["tag:nope"] })).toEqual([["tags", expect.stringContaining('tag "tag:nope" is not defined')]]);
    expect(await problems({ nodeName: "web-4", waitFor: "a while", tags: ["tag:web"] })).toEqual([["waitFor", expect.stringContaining("is not a duration")]]);
    expect(writesOf(r.calls)).toEqual([]);
    expect((await api.getNode(node.id)).tags).toEqual([]);
  });

  it("delete leaves the node's tags and says so, writing nothing (Headscale 0.28+ cannot untag a node)", async () => {
    showLog();
    const node = await newNode("web-5");
    const m = await create(NodeTags, run(), { nodeId: node.id, tags: ["tag:server"] });
    const logged: string[] = [];
    const r = run();
    r.ctx.log = (message) => logged.push(render(message));
    await NodeTags.delete(r.ctx, m.id, m.state);
    expect(writesOf(r.calls)).toEqual([]);
    expect(logged.join("\n")).toMatch(/keeps its tags tag:server: Headscale 0\.28\+ cannot untag a node/);
    expect((await api.getNode(node.id)).tags).toEqual(["tag:server"]);
  });

  it("a refresh sees tags changed outside, and reports the tags gone once the node is deleted", async () => {
    showLog();
    const node = await newNode("web-6");
    const m = await create(NodeTags, run(), { nodeId: node.id, tags: ["tag:server"] });
    await api.setNodeTags(node.id, ["tag:web"]);
    const drifted = await refresh(NodeTags, server, m);
    expect(drifted?.state.tags).toEqual(["tag:web"]);
    expect(await plan(NodeTags, run(), drifted!, { nodeId: node.id, tags: ["tag:server"] })).toMatchObject({ updates: ["tags"] });
    await api.deleteNode(node.id);
    expect(await refresh(NodeTags, server, m)).toBeNull();
  });

  it("import by name or id gives state that plans no change", async () => {
    showLog();
    const node = await newNode("web-7");
    await api.setNodeTags(node.id, ["tag:server", "tag:web"]);
    const byName = await NodeTags.import!(run().ctx, "web-7");
    const byId = await NodeTags.import!(run().ctx, node.id);
    expect(byName.id).toBe(node.id);
    expect(byId.id).toBe(node.id);
    expect(noChange(await plan(NodeTags, run(), byName, { nodeName: "web-7", tags: ["tag:web", "tag:server"] }))).toBe(true);
  });
});
