// Answers lost after the server acted: the write happened, the client never heard. The connection is
// cut on the way back; the server hangs (SIGSTOP) with writes queued and performs them once it resumes,
// after the client gave up; the server is killed between committing a write and answering it (a race:
// whether a write was caught there differs from run to run). Like faults.test.ts, a second run must converge with every object
// there exactly once, and no live key the state does not track.
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

  it("a server hung (SIGSTOP) with writes in flight, resumed after the run failed", async () => {
    const run = s.frontend.apply(10);
    await waitFor("the first writes", async () => (writesSeen(s.proxy) >= 4 ? true : undefined), 60_000, 50);
    s.server.freeze(true);
    const first = await run;
    s.server.freeze(false);
    expect(first.ok).toBe(false);
    await s.convergesAfter("hung with writes in flight, 20 objects", first, 10);
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
