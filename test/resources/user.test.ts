// The User declaration against a real Headscale, one behaviour per test: renames in place, display name
// changes replace (delete first: names are unique), a user owning nodes is not deleted unless
// deleteNodesOnDestroy says so, name clashes point at adoptExisting, and out-of-band changes are seen.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { render, User } from "../../provider/resources/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { resourceVersions } from "../harness/tools.js";
import { apply, checked, create, failure, newRun, plan, refresh, writesOf, type Managed } from "./tier.js";

describe.each(resourceVersions())("User on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));
  const run = () => newRun(server);
  const userNamed = async (name: string) => (await api.listUsers({ name }))[0];
  const nodeOf = async (user: string, name: string) => api.registerNode(user, await api.debugCreateNode(user, name));

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
  });
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it("create makes the user with its display name and email in one write, and reads nothing after it", async () => {
    showLog();
    const r = run();
    const m = await create(User, r, { name: "alice", displayName: "Alice Admin", email: "alice@example.com" });
    expect(writesOf(r.calls)).toEqual(["POST /api/v1/user"]);
    expect(r.calls.at(-1)).toBe("POST /api/v1/user");
    const live = await userNamed("alice");
    expect(live).toMatchObject({ id: m.id, displayName: "Alice Admin", email: "alice@example.com" });
    expect(m.state).toMatchObject({ name: "alice", userId: live!.id, displayName: "Alice Admin", email: "alice@example.com" });
  });

  it("a rename is an update in place: same id, one write", async () => {
    showLog();
    const m = await create(User, run(), { name: "bob" });
    const r = run();
    const { diff, managed } = await apply(User, r, m, { name: "robert" });
    expect(diff).toMatchObject({ updates: ["name"], replaces: [] });
    expect(writesOf(r.calls)).toHaveLength(1);
    expect(managed.id).toBe(m.id);
    expect(managed.state.name).toBe("robert");
    expect(await userNamed("bob")).toBeUndefined();
    expect((await userNamed("robert"))?.id).toBe(m.id);
  });

  it("a display name change replaces the user, deleting the old one first, and says why", async () => {
    showLog();
    const m = await create(User, run(), { name: "carol", displayName: "Carol" });
    const { diff, managed } = await apply(User, run(), m, { name: "carol", displayName: "Carol C." });
    expect(diff).toMatchObject({ updates: [], replaces: ["displayName"], createBeforeDelete: false });
    expect(render(diff.reasons!.displayName!)).toMatch(/Headscale cannot update a user's display name/);
    expect(managed.id).not.toBe(m.id);
    expect(await userNamed("carol")).toMatchObject({ id: managed.id, displayName: "Carol C." });
  });

  it("the same inputs plan no change, and changing only deleteNodesOnDestroy writes nothing", async () => {
    showLog();
    const m = await create(User, run(), { name: "dora", email: "dora@example.com" });
    expect(await plan(User, run(), m, { name: "dora", email: "dora@example.com" })).toMatchObject({ updates: [], replaces: [] });
    const r = run();
    const { diff, managed } = await apply(User, r, m, { name: "dora", email: "dora@example.com", deleteNodesOnDestroy: true });
    expect(diff).toMatchObject({ updates: ["deleteNodesOnDestroy"], replaces: [] });
    expect(writesOf(r.calls)).toEqual([]);
    expect(managed.state.deleteNodesOnDestroy).toBe(true);
  });

  it("check names the field of a bad name, email or picture URL, writing nothing", async () => {
    showLog();
    const r = run();
    expect(await checked(User, r, { name: "Bad Name" })).toEqual([{ field: "name", message: expect.stringContaining("contains ' '") }]);
    expect(await checked(User, r, { name: "x@y@z" })).toEqual([{ field: "name", message: expect.stringContaining("more than one '@'") }]);
    expect(await checked(User, r, { name: "erin", email: "erin at example" })).toEqual([
      { field: "email", message: expect.stringContaining("not an email address") },
    ]);
    expect(await checked(User, r, { name: "erin", pictureUrl: "not a url" })).toEqual([
      { field: "pictureUrl", message: expect.stringContaining("is not a URL") },
    ]);
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("a taken name fails the create pointing at adoptExisting; with it the user is adopted without a write", async () => {
    showLog();
    const existing = await api.createUser({ name: "frank" });
    expect(await failure(create(User, run(), { name: "frank" }))).toMatch(/a user with this name exists already: .*adoptExisting/);
    const r = run();
    const adopted = await create(User, r, { name: "frank", adoptExisting: true });
    expect(adopted.id).toBe(existing.id);
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("deleting a user that owns nodes is refused before any write, naming the node and deleteNodesOnDestroy", async () => {
    showLog();
    const m = await create(User, run(), { name: "gina" });
    await nodeOf("gina", "gina-pc");
    const r = run();
    const problems = await User.checkDelete!(r.ctx, m.id, m.state);
    expect(problems).toEqual([{ field: "deleteNodesOnDestroy", message: expect.anything() }]);
    expect(render(problems[0]!.message)).toMatch(/user "gina" still owns 1 node\(s\): gina-pc \(id \d+\).*set deleteNodesOnDestroy/);
    expect(await failure(User.delete(r.ctx, m.id, m.state))).toMatch(/user "gina" still owns 1 node\(s\): gina-pc/);
    expect(writesOf(r.calls)).toEqual([]);
    expect((await userNamed("gina"))?.id).toBe(m.id);
  });

  it("with deleteNodesOnDestroy the delete removes the user's nodes, then the user, and says so", async () => {
    showLog();
    const m = await create(User, run(), { name: "hank", deleteNodesOnDestroy: true });
    const node = await nodeOf("hank", "hank-pc");
    const logged: string[] = [];
    const r = run();
    r.ctx.log = (message) => logged.push(render(message));
    expect(await User.checkDelete!(r.ctx, m.id, m.state)).toEqual([]);
    await User.delete(r.ctx, m.id, m.state);
    expect(logged.join("\n")).toMatch(/deleting the 1 node\(s\) user "hank" still owns \(deleteNodesOnDestroy\): hank-pc/);
    expect((await api.listNodes()).some((n) => n.id === node.id)).toBe(false);
    expect(await userNamed("hank")).toBeUndefined();
  });

  it("a replacement of a user that owns nodes fails at plan, naming the node", async () => {
    showLog();
    const m = await create(User, run(), { name: "ivan", displayName: "Ivan" });
    await nodeOf("ivan", "ivan-pc");
    const r = run();
    expect(await failure(plan(User, r, m, { name: "ivan", displayName: "Ivan I." }))).toMatch(/user "ivan" still owns 1 node\(s\): ivan-pc/);
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("a refresh sees an out-of-band rename (the next apply renames it back) and reports an out-of-band delete as gone", async () => {
    showLog();
    const m: Managed = await create(User, run(), { name: "judy" });
    await api.renameUser(m.id, "judy-renamed");
    const drifted = await refresh(User, server, m);
    expect(drifted).toMatchObject({ id: m.id, state: { name: "judy-renamed" } });
    const { diff } = await apply(User, run(), drifted!, { name: "judy" });
    expect(diff).toMatchObject({ updates: ["name"], replaces: [] });
    expect((await userNamed("judy"))?.id).toBe(m.id);

    await api.deleteUser(m.id);
    expect(await refresh(User, server, m)).toBeNull();
    // A delete of what is gone already succeeds: gone is what it wanted.
    await User.delete(run().ctx, m.id, m.state);
  });

  it("a refresh of many users lists them once", async () => {
    showLog();
    const managed = await Promise.all(["ken", "lena", "mia"].map((name) => create(User, run(), { name })));
    const r = run();
    const read = await Promise.all(managed.map((m) => User.read(r.ctx, m.id, m.state)));
    expect(read.map((x) => x?.state.name)).toEqual(["ken", "lena", "mia"]);
    expect(r.calls).toEqual(["GET /api/v1/user"]);
  });

  it("import adopts a user by name or id with state that plans no change", async () => {
    showLog();
    const nina = await api.createUser({ name: "nina", displayName: "Nina", email: "nina@example.com" });
    const byName = await User.import!(run().ctx, "nina");
    const byId = await User.import!(run().ctx, nina.id);
    expect(byName).toEqual(byId);
    expect(byName.id).toBe(nina.id);
    expect(await plan(User, run(), byName, { name: "nina", displayName: "Nina", email: "nina@example.com" })).toMatchObject({ updates: [], replaces: [] });
    expect(await failure(User.import!(run().ctx, "nobody"))).toMatch(/no user has that id or name/);
  });
});
