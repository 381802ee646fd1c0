// One fault case: a fresh Headscale of the newest version under test behind a fault proxy, a frontend
// pointed at the proxy, and the check every case ends with (a second run converges; the census is exact).
import { afterAll, afterEach, beforeEach, expect, onTestFailed } from "vitest";
import { startFaultProxy, type FaultProxy } from "../harness/faultProxy.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { headscaleVersions } from "../harness/tools.js";
import { census, pulumiFrontend, terraformFrontend, type Frontend, type RunOutcome } from "./frontends.js";

// Keys are counted by id, so 0.28+; HEADSCALE_VERSIONS narrows the choice as everywhere.
const version = headscaleVersions()
  .filter((v) => Number(v.split(".")[1]) >= 28)
  .at(-1);

export interface Scenario {
  server: HeadscaleServer;
  /** A server started on the first one's database after a crash. */
  restarted?: HeadscaleServer;
  proxy: FaultProxy;
  frontend: Frontend;
  /** Healthy again: the second run must succeed and converge, with every object there exactly once. */
  convergesAfter(caseName: string, first: RunOutcome, n: number): Promise<void>;
}

/** Registers the hooks of a describe block; the returned object is filled in before each test. */
export function useScenario(frontendName: "terraform" | "pulumi"): Scenario {
  const summary: string[] = [];
  const s = { convergesAfter } as Scenario;

  beforeEach(async () => {
    s.server = await startHeadscale(version ? { version } : {});
    s.proxy = await startFaultProxy(s.server.url);
    s.restarted = undefined;
    s.frontend = (frontendName === "terraform" ? terraformFrontend : pulumiFrontend)({ url: s.proxy.url, apiKey: s.server.apiKey });
    onTestFailed(() =>
      console.error(`--- headscale log ---\n${(s.restarted ?? s.server).logTail()}\n--- injected ---\n${s.proxy.injected.slice(0, 40).join("\n")}`),
    );
  });

  afterEach(async () => {
    s.frontend.dispose();
    await s.proxy.close();
    await s.restarted?.stop(); // shares the first server's directory: stop it first
    s.server.freeze(false);
    await s.server.stop();
  });

  afterAll(() => {
    if (summary.length) console.log(`\nfault cases (${frontendName}): objects expected / found after the re-run\n${summary.join("\n")}\n`);
  });

  async function convergesAfter(caseName: string, first: RunOutcome, n: number): Promise<void> {
    s.proxy.setRule(undefined);
    // After a failed run the state may be behind the server: read it first (Terraform always does).
    const second = await s.frontend.apply(n, { refresh: true });
    const live = s.restarted ? { ...s.restarted, apiKey: s.server.apiKey } : s.server;
    const c = await census(live, n, await s.frontend.tracked());
    summary.push(
      `  ${frontendName} | ${caseName} | first run ${first.ok ? "succeeded" : "failed"} (${(first.ms / 1000).toFixed(0)} s, ${s.proxy.injected.length} faults injected) | ` +
        `second run ${second.ok ? "succeeded" : "FAILED"} | expected ${c.expected.users} users + ${c.expected.keys} keys, found ${c.found.users} + ${c.found.keys}` +
        (c.problems.length ? ` | ${c.problems.join("; ")}` : ""),
    );
    expect(second.ok, `second run failed:\n${second.output.slice(-3000)}\n--- the first run ended with ---\n${first.output.slice(-3000)}`).toBe(true);
    const plan = await s.frontend.converged(n);
    expect(plan.empty, `a plan after the second run still proposes changes:\n${plan.output.slice(-3000)}`).toBe(true);
    expect(c.problems).toEqual([]);
    expect(c.found).toEqual(c.expected);
  }

  return s;
}

export const writesSeen = (proxy: FaultProxy): number =>
  proxy.seen.filter((r) => r.startsWith("POST /api/v1/user") || r.startsWith("POST /api/v1/preauthkey")).length;
