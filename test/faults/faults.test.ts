// Reliability: a real Headscale (and its real process) fails, slows down, hangs, dies or is changed
// behind our back in the middle of a Terraform apply or a Pulumi up. Whatever the first run did, a second
// run must converge (then a plan/preview proposes nothing), and a count through the API must find every
// user and key the configuration declares exactly once: none lost, none duplicated, no live key that the
// state does not track (an orphan is a valid auth key nobody manages). No nodes here, so no routes.
// Prints, per case, objects expected / found after the re-run. Answers lost after the server acted (cut
// on the way back, a server hung or killed with writes in flight) are lost-answers.test.ts.
import { describe, expect, it } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import type { FaultRule } from "../harness/faultProxy.js";
import { waitFor } from "../harness/processes.js";
import { userName } from "../programs/scale.js";
import { useScenario, writesSeen } from "./scenario.js";

// A case is three or four CLI runs (Pulumi's each start the engine and a provider host): minutes on a
// loaded two-core machine, more than the suite's default per test.
describe.each(["terraform", "pulumi"] as const)("%s, when the server misbehaves during a run", { timeout: 300_000 }, (frontendName) => {
  const s = useScenario(frontendName);

  it("bursts of 5xx and connection resets during an apply of 100 objects", async () => {
    // Three bursts: 503/502 answers, and connections cut before the server sees the request.
    const burst: FaultRule = (i) => {
      const inBurst = (i >= 4 && i < 24) || (i >= 60 && i < 75) || (i >= 110 && i < 120);
      if (!inBurst) return undefined;
      return i % 3 === 0 ? { status: 503 } : i % 3 === 1 ? { reset: "before" } : { status: 502 };
    };
    s.proxy.setRule(burst);
    const first = await s.frontend.apply(50);
    // Pulumi stops starting operations at the first failed write, so it may meet only one fault.
    expect(s.proxy.injected.length).toBeGreaterThan(0);
    await s.convergesAfter("5xx + resets, 100 objects", first, 50);
  });

  it("a slow server (every answer 300 ms late) is only slower", async () => {
    s.proxy.setRule(() => ({ delayMs: 300 }));
    const first = await s.frontend.apply(10);
    expect(first.ok, first.output.slice(-3000)).toBe(true);
    await s.convergesAfter("slow server, 20 objects", first, 10);
  });

  it("a hung server (SIGSTOP) fails the run within 35 s with a clear message", async () => {
    // Hung while a refresh reads: no write is in flight (hung mid-write is lost-answers.test.ts).
    expect((await s.frontend.apply(10)).ok).toBe(true);
    s.server.freeze(true);
    const frozenFrom = s.proxy.seen.length;
    const first = await s.frontend.refresh();
    const ended = Date.now();
    s.server.freeze(false);
    expect(first.ok).toBe(false);
    expect(first.output).toMatch(/no answer|timed out|timeout/i);
    // From the first call that met the hung server to the end of the run (the CLI's own start-up,
    // which a loaded machine stretches, is not the client's to bound).
    const firstHungCall = s.proxy.seenAt[frozenFrom];
    expect(firstHungCall).toBeDefined();
    expect(ended - firstHungCall!).toBeLessThan(35_000);
    await s.convergesAfter("hung server (SIGSTOP) at refresh, 20 objects", first, 10);
  });

  it("users deleted out of band during an apply are created again", async () => {
    const run = s.frontend.apply(25);
    const api = new HeadscaleClient({ url: s.server.url, apiKey: s.server.apiKey });
    try {
      await waitFor("user2 to exist", async () => ((await api.listUsers({ name: userName(2) })).length ? true : undefined), 60_000, 100);
      for (const name of [userName(0), userName(1), userName(2)]) {
        const [u] = await api.listUsers({ name });
        if (u) await api.deleteUser(u.id).catch(() => undefined); // its key may be mid-create
      }
    } finally {
      api.close();
    }
    const first = await run;
    await s.convergesAfter("3 users deleted out of band, 50 objects", first, 25);
  });

  it("50 parallel creates", async () => {
    const first = await s.frontend.apply(50, { parallelism: 50 });
    expect(first.ok, first.output.slice(-3000)).toBe(true);
    await s.convergesAfter("50 parallel creates, 100 objects", first, 50);
  });
});
