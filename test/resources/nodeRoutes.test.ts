// The NodeRoutes declaration against a real Headscale with registered (debug) nodes, one behaviour per test:
// approval in one write, routes as a set where the exit node written as `exitNode`, one of the pair or both
// means the same, out-of-band approvals are drift set back, destroy removes only what it approved, and bad
// routes are reported on their field. (A debug node is registered with routes; 0.28 lists them as
// advertised, 0.29 does not: what a real router advertises is tested end to end in the frontend suites.)
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient, type Node } from "../../provider/client/index.js";
import { NodeRoutes, render } from "../../provider/resources/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { resourceVersions } from "../harness/tools.js";
import { apply, checked, create, newRun, noChange, plan, refresh, writesOf, type Managed } from "./tier.js";

const EXIT = ["0.0.0.0/0", "::/0"];
const SUBNETS = ["10.0.0.0/24", "10.1.0.0/24"];
const sorted = (xs: readonly string[]) => [...xs].sort();

describe.each(resourceVersions())("NodeRoutes on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));
  const run = () => newRun(server);
  // Nodes registered with both subnets and the exit node as their routes, nothing approved. A registration
  // takes the server about a second: every test's node is registered up front, all at once.
  const registered = new Map<string, Promise<Node>>();
  const newRouter = (name: string): Promise<Node> => registered.get(name) ?? Promise.reject(new Error(`${name} is not registered in beforeAll`));
  const approvedNow = async (m: Managed) => sorted((await api.getNode(m.id)).approvedRoutes);

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "ops" });
    for (let i = 1; i <= 8; i++)
      registered.set(
        `router-${i}`,
        api.debugCreateNode("ops", `router-${i}`, [...SUBNETS, ...EXIT]).then((key) => api.registerNode("ops", key)),
      );
    await Promise.all(registered.values());
  });
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it("create approves the subnets and the exit node in one write; servedRoutes are the approved advertised ones", async () => {
    showLog();
    const node = await newRouter("router-1");
    expect(node.approvedRoutes).toEqual([]);
    const r = run();
    const m = await create(NodeRoutes, r, { nodeName: "router-1", routes: SUBNETS, exitNode: true });
    expect(writesOf(r.calls)).toEqual([`POST /api/v1/node/${node.id}/approve_routes`]);
    expect(r.calls.at(-1)).toBe(`POST /api/v1/node/${node.id}/approve_routes`);
    expect(await approvedNow(m)).toEqual(sorted([...SUBNETS, ...EXIT]));
    const advertised = sorted((await api.getNode(node.id)).availableRoutes);
    expect(sorted(m.state.advertisedRoutes as string[])).toEqual(advertised);
    expect(sorted(m.state.servedRoutes as string[])).toEqual(sorted([...SUBNETS, ...EXIT]).filter((r) => advertised.includes(r)));
  });

  it("the exit node as exitNode, as one of the pair or as both, and routes in any order all plan no change", async () => {
    showLog();
    await newRouter("router-2");
    const m = await create(NodeRoutes, run(), { nodeName: "router-2", routes: SUBNETS, exitNode: true });
    const same = [
      { nodeName: "router-2", routes: [...SUBNETS].reverse(), exitNode: true },
      { nodeName: "router-2", routes: [...SUBNETS, ...EXIT] },
      { nodeName: "router-2", routes: [...SUBNETS, "0.0.0.0/0"] },
      { nodeName: "router-2", routes: ["::/0", ...SUBNETS, "10.0.0.0/24"], exitNode: true },
    ];
    for (const values of same) expect(noChange(await plan(NodeRoutes, run(), m, values)), JSON.stringify(values)).toBe(true);
    // Dropping the exit node is a change, named on the field whose meaning changed.
    expect(await plan(NodeRoutes, run(), m, { nodeName: "router-2", routes: SUBNETS })).toMatchObject({ updates: expect.arrayContaining(["exitNode"]) });
  });

  it("a route removed from the set is an update in place that approves the rest, one write", async () => {
    showLog();
    await newRouter("router-3");
    const m = await create(NodeRoutes, run(), { nodeName: "router-3", routes: SUBNETS });
    const r = run();
    const { diff, managed } = await apply(NodeRoutes, r, m, { nodeName: "router-3", routes: ["10.1.0.0/24"] });
    expect(diff.replaces).toEqual([]);
    expect(diff.updates).toContain("routes");
    expect(writesOf(r.calls)).toEqual([`POST /api/v1/node/${m.id}/approve_routes`]);
    expect(await approvedNow(managed)).toEqual(["10.1.0.0/24"]);
  });

  it("an out-of-band approval is drift: the plan says so and the apply sets the declared routes back", async () => {
    showLog();
    await newRouter("router-4");
    const m = await create(NodeRoutes, run(), { nodeName: "router-4", routes: ["10.0.0.0/24"] });
    await api.approveRoutes(m.id, SUBNETS);
    const drifted = await refresh(NodeRoutes, server, m);
    expect(sorted(drifted!.state.approvedRoutes as string[])).toEqual(SUBNETS);
    const { diff } = await apply(NodeRoutes, run(), drifted!, { nodeName: "router-4", routes: ["10.0.0.0/24"] });
    expect(diff.updates).toContain("approvedRoutes");
    expect(render(diff.reasons!.approvedRoutes!)).toMatch(
      /approved on the server: 10\.0\.0\.0\/24, 10\.1\.0\.0\/24; declared: 10\.0\.0\.0\/24 \(changed outside, set back\)/,
    );
    expect(await approvedNow(m)).toEqual(["10.0.0.0/24"]);
  });

  it("delete removes only the routes it approved, keeping those approved outside", async () => {
    showLog();
    await newRouter("router-5");
    const m = await create(NodeRoutes, run(), { nodeName: "router-5", routes: ["10.0.0.0/24"], exitNode: true });
    await api.approveRoutes(m.id, [...SUBNETS, ...EXIT]);
    const logged: string[] = [];
    const r = run();
    r.ctx.log = (message) => logged.push(render(message));
    await NodeRoutes.delete(r.ctx, m.id, m.state);
    expect(writesOf(r.calls)).toEqual([`POST /api/v1/node/${m.id}/approve_routes`]);
    expect(await approvedNow(m)).toEqual(["10.1.0.0/24"]);
    expect(logged.join("\n")).toMatch(/keeps routes approved outside this resource: 10\.1\.0\.0\/24/);
  });

  it("check reports bad routes and selectors on their field, and warns of a route the node does not advertise, writing nothing", async () => {
    showLog();
    const node = await newRouter("router-6");
    const r = run();
    const reported = async (values: Record<string, unknown>) => (await checked(NodeRoutes, r, values)).map((p) => [p.field, p.severity ?? "error", p.message]);
    expect(await reported({ nodeName: "router-6", routes: ["10.0.0.1/24"] })).toEqual([
      ["routes", "error", expect.stringContaining('has host bits set: the route of that network is "10.0.0.0/24"')],
    ]);
    expect(await reported({ nodeName: "router-6", routes: ["10.0.0.0/33"] })).toEqual([["routes", "error", expect.stringContaining("at most /32")]]);
    expect(await reported({ nodeName: "router-6", routes: ["ten"] })).toEqual([["routes", "error", expect.stringContaining("is not a CIDR")]]);
    expect(await reported({ nodeName: "nowhere", routes: SUBNETS })).toEqual([["nodeName", "error", expect.stringContaining('no node is named "nowhere"')]]);
    expect(await reported({ nodeName: "router-6", routes: SUBNETS, waitForAdvertised: "soon" })).toEqual([
      ["waitForAdvertised", "error", expect.stringContaining("is not a duration")],
    ]);
    expect(await reported({ nodeName: "router-6", routes: ["192.168.0.0/24"] })).toEqual([
      ["routes", "warning", expect.stringMatching(/does not advertise 192\.168\.0\.0\/24: approved anyway.*waitForAdvertised/)],
    ]);
    expect(writesOf(r.calls)).toEqual([]);
    expect((await api.getNode(node.id)).approvedRoutes).toEqual([]);
  });

  it("a refresh reports the routes gone once the node is deleted, and delete then has nothing to do", async () => {
    showLog();
    await newRouter("router-7");
    const m = await create(NodeRoutes, run(), { nodeName: "router-7", routes: SUBNETS });
    await api.deleteNode(m.id);
    expect(await refresh(NodeRoutes, server, m)).toBeNull();
    const r = run();
    await NodeRoutes.delete(r.ctx, m.id, m.state);
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("import by name gives the approved routes, the exit pair as exitNode, planning no change", async () => {
    showLog();
    const node = await newRouter("router-8");
    await api.approveRoutes(node.id, [...SUBNETS, ...EXIT]);
    const imported = await NodeRoutes.import!(run().ctx, "router-8");
    expect(imported.state).toMatchObject({ nodeName: "router-8", routes: SUBNETS, exitNode: true });
    expect(noChange(await plan(NodeRoutes, run(), imported, { nodeName: "router-8", routes: SUBNETS, exitNode: true }))).toBe(true);
  });
});
