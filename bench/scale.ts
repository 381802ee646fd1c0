// Scale: N users + N pre-auth keys (one per user) + one policy, created, planned/previewed, refreshed and
// destroyed by the real Terraform CLI and the real Pulumi engine against a real Headscale, through a
// counting proxy. Per operation: wall time (median and range over the runs) and the API calls that
// reached the server, by endpoint. Every authenticated call costs Headscale a bcrypt check (~60 ms of
// server CPU), so calls are the figure that matters; time shows what the user waits.
import { HeadscaleClient } from "../provider/client/index.js";
import { startFaultProxy, type FaultProxy } from "../test/harness/faultProxy.js";
import { startHeadscale, type HeadscaleServer } from "../test/harness/headscale.js";
import { pulumiProject } from "../test/harness/pulumi.js";
import { scaleSpec, scaleTerraform } from "../test/programs/scale.js";
import { HeadscaleWorkspace } from "../test/terraform/headscaleWorkspace.js";
import { spread, type Spread } from "./stats.js";

export type Frontend = "terraform" | "pulumi";

export interface OpFigures {
  op: string;
  wallMs: Spread;
  /** Calls per run (equal in every run unless the spread says otherwise). */
  calls: Spread;
  /** Calls that carry the API key (everything but /version and /health). */
  authenticated: Spread;
  /** Calls by "METHOD /path" ({id} for numbers), in the last run. */
  byEndpoint: Record<string, number>;
}

export interface ScaleFigures {
  frontend: Frontend;
  n: number;
  objects: number;
  headscale: string;
  runs: number;
  ops: OpFigures[];
}

export function endpoint(seen: string): string {
  return seen.replace(/\/rename\/[^/]+$/, "/rename/{name}").replace(/\/\d+(?=\/|$)/g, "/{id}");
}

export function byEndpoint(seen: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of seen) counts[endpoint(s)] = (counts[endpoint(s)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

const anonymous = (s: string) => s.endsWith(" /version") || s.endsWith(" /health");

interface Sample {
  op: string;
  ms: number;
  seen: string[];
}

/** Counts users and live keys through the API (straight to the server, not through the proxy). */
async function census(server: HeadscaleServer): Promise<{ users: number; keys: number }> {
  const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
  try {
    const now = Date.now();
    const keys = (
      await api.listPreAuthKeys().catch(async () => (await Promise.all((await api.listUsers()).map((u) => api.listPreAuthKeys(u.id)))).flat())
    ).filter((k) => !k.expiration || new Date(k.expiration).getTime() > now);
    return { users: (await api.listUsers()).length, keys: keys.length };
  } finally {
    api.close();
  }
}

async function expectCensus(server: HeadscaleServer, users: number, keys: number, after: string): Promise<void> {
  const c = await census(server);
  if (c.users !== users || c.keys !== keys)
    throw new Error(`after ${after}: expected ${users} users and ${keys} live keys, the server has ${c.users} and ${c.keys}`);
}

/**
 * Destroy leaves the policy on the server (resetOnDestroy is off, as by default): clear it outside the
 * measured commands, so every run starts from the empty server the first one had (an apply that finds
 * its own text already there writes nothing, and would count one write fewer).
 */
async function clearPolicy(server: HeadscaleServer): Promise<void> {
  const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
  try {
    await api.setPolicy("");
  } finally {
    api.close();
  }
}

async function terraformRun(server: HeadscaleServer, proxy: FaultProxy, ws: HeadscaleWorkspace, n: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const step = async (op: string, args: string[], ok = [0]) => {
    const before = proxy.seen.length;
    const started = performance.now();
    await ws.expect(ok, args);
    samples.push({ op, ms: performance.now() - started, seen: proxy.seen.slice(before) });
  };
  await step("apply (create)", ["apply", "-auto-approve"]);
  await expectCensus(server, n, n, "terraform apply");
  await step("plan (no changes)", ["plan", "-detailed-exitcode"]);
  await step("plan -refresh=false", ["plan", "-refresh=false", "-detailed-exitcode"]);
  await step("destroy", ["destroy", "-auto-approve"]);
  await expectCensus(server, 0, 0, "terraform destroy");
  await clearPolicy(server);
  return samples;
}

async function pulumiRun(server: HeadscaleServer, proxy: FaultProxy, n: number, stack: string): Promise<Sample[]> {
  const project = pulumiProject({ url: proxy.url, apiKey: server.apiKey, program: "spec", stack });
  const spec = scaleSpec(n, { policy: true });
  const samples: Sample[] = [];
  try {
    for (const op of ["up", "preview", "refresh", "destroy"] as const) {
      const before = proxy.seen.length;
      const [r] = await project.run([{ op, spec }]);
      if (!r?.ok) throw new Error(`pulumi ${op} failed: ${r?.error}\n${r?.output}`);
      samples.push({
        op: op === "up" ? "up (create)" : op === "preview" ? "preview (no changes)" : op,
        ms: r.ms ?? 0,
        seen: proxy.seen.slice(before),
      });
      if (op === "up") await expectCensus(server, n, n, "pulumi up");
    }
    await expectCensus(server, 0, 0, "pulumi destroy");
    await clearPolicy(server);
  } finally {
    project.dispose();
  }
  return samples;
}

function summarize(runs: Sample[][]): OpFigures[] {
  return runs[0]!.map((first, i) => {
    const of = runs.map((r) => r[i]!);
    return {
      op: first.op,
      wallMs: spread(of.map((s) => s.ms)),
      calls: spread(of.map((s) => s.seen.length)),
      authenticated: spread(of.map((s) => s.seen.filter((x) => !anonymous(x)).length)),
      byEndpoint: byEndpoint(of.at(-1)!.seen),
    };
  });
}

/** Runs one frontend at one size `runs` times on a fresh server (objects created and destroyed each run). */
export async function measureScale(frontend: Frontend, n: number, runs: number, version?: string): Promise<ScaleFigures> {
  const server = await startHeadscale(version ? { version } : {});
  const proxy = await startFaultProxy(server.url);
  const ws = frontend === "terraform" ? new HeadscaleWorkspace("terraform", { url: proxy.url, apiKey: server.apiKey }) : undefined;
  try {
    if (ws) {
      ws.commandTimeoutMs = 60 * 60_000;
      ws.write("main.tf", scaleTerraform(n, { policy: true }));
      await ws.expect([0], ["init"]);
    }
    const all: Sample[][] = [];
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`[bench] ${frontend} N=${n} run ${i + 1}/${runs}\n`);
      all.push(ws ? await terraformRun(server, proxy, ws, n) : await pulumiRun(server, proxy, n, `bench${i}`));
    }
    return { frontend, n, objects: 2 * n + 1, headscale: server.version, runs, ops: summarize(all) };
  } finally {
    ws?.cleanup();
    await proxy.close();
    await server.stop();
  }
}

const seconds = (s: Spread) => {
  const f = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
  return s.runs === 1 || s.min === s.max ? `${f(s.median)} s` : `${f(s.median)} s (${f(s.min)}–${f(s.max)})`;
};
const count = (s: Spread) => (s.min === s.max ? String(s.median) : `${s.median} (${s.min}–${s.max})`);
const endpoints = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([k, v]) => `${v}× ${k}`)
    .join(", ") || "none";

export function scaleTable(figures: ScaleFigures[]): string {
  const rows = figures.flatMap((f) =>
    f.ops.map(
      (o) =>
        `| ${f.frontend} | ${f.n} (${f.objects} objects) | ${o.op} | ${seconds(o.wallMs)} | ${count(o.calls)} | ${count(o.authenticated)} | ${endpoints(o.byEndpoint)} |`,
    ),
  );
  return [
    "| frontend | N users + N keys + policy | operation | wall time, median (min–max) | API calls | authenticated | calls by endpoint |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
