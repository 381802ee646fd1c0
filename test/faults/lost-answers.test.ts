// Answers lost after the server acted: the write happened, the client never heard. The connection is cut
// on the way back (the gateway in front answers 502), or the server is killed between committing a write
// and answering it (a race: whether a write is caught there differs from run to run). The resource looks
// for what its create made before it reports a failure (provider/resources/lostAnswer.ts). Like
// faults.test.ts, a second run must converge with every object there exactly once, and no live key the
// state does not track. Not here: a server that performs a write only after the run gave up (hung, then
// resumed) — the window lostAnswer.ts documents.
import { describe, expect, it } from "vitest";
import { startHeadscale } from "../harness/headscale.js";
import { waitFor } from "../harness/processes.js";
import { useScenario, writesSeen } from "./scenario.js";

// Like faults.test.ts: three or four CLI runs per case.
describe.each(["terraform", "pulumi"] as const)("%s, when answers to writes are lost", { timeout: 300_000 }, (frontendName) => {
  const s = useScenario(frontendName);

  it("connections cut after the server created the object", async () => {
    let writes = 0;
    s.proxy.setRule((_i, r) => (r.method === "POST" && writes++ % 5 === 2 ? { reset: "after" } : undefined));
    const first = await s.frontend.apply(15);
    expect(s.proxy.injected.length).toBeGreaterThan(0);
    await s.convergesAfter("answers to writes lost, 30 objects", first, 15);
  });

  it("the server killed and restarted in the middle of an apply", async () => {
    const run = s.frontend.apply(25);
    await waitFor("the first writes", async () => (writesSeen(s.proxy) >= 12 ? true : undefined), 60_000, 20);
    s.server.crash();
    await new Promise((r) => setTimeout(r, 1000));
    s.restarted = await startHeadscale({ version: s.server.version, dir: s.server.dir }); // same database, new ports
    s.proxy.setTarget(s.restarted.url);
    const first = await run;
    await s.convergesAfter("server killed + restarted, 50 objects", first, 25);
  });
});
