// The two frontends as the fault suite drives them: apply N users + N keys (the real Terraform CLI with
// the built provider, or the real Pulumi engine), tell whether a plan/preview is empty, and say which
// user and key ids the state tracks (to find orphans and duplicates on the server).
import { HeadscaleClient } from "../../provider/client/index.js";
import type { HeadscaleServer } from "../harness/headscale.js";
import { pulumiProject, type PulumiProject } from "../harness/pulumi.js";
import { scaleSpec, scaleTerraform, userName } from "../programs/scale.js";
import { HeadscaleWorkspace } from "../terraform/headscaleWorkspace.js";

export interface RunOutcome {
  ok: boolean;
  output: string;
  ms: number;
}

export interface Frontend {
  name: "terraform" | "pulumi";
  /** `refresh`: Pulumi reads the server first (`up --refresh`); Terraform always does. */
  apply(n: number, opts?: { parallelism?: number; refresh?: boolean }): Promise<RunOutcome>;
  /** Reads everything the state tracks, writes nothing (terraform apply -refresh-only, pulumi refresh). */
  refresh(): Promise<RunOutcome>;
  /** A plan / preview of the same N proposes nothing. */
  converged(n: number): Promise<{ empty: boolean; output: string }>;
  /** Ids the state tracks. */
  tracked(): Promise<{ users: string[]; keys: string[] }>;
  dispose(): void;
}

export function terraformFrontend(server: { url: string; apiKey: string }): Frontend {
  const ws = new HeadscaleWorkspace("terraform", server);
  let initialized = false;
  const write = async (n: number) => {
    ws.write("main.tf", scaleTerraform(n));
    if (!initialized) await ws.expect([0], ["init"]);
    initialized = true;
  };
  return {
    name: "terraform",
    async apply(n, opts = {}) {
      await write(n);
      const started = Date.now();
      const r = await ws.run(["apply", "-auto-approve", ...(opts.parallelism ? [`-parallelism=${opts.parallelism}`] : [])]);
      return { ok: r.code === 0, output: r.output, ms: Date.now() - started };
    },
    async refresh() {
      const started = Date.now();
      const r = await ws.run(["apply", "-refresh-only", "-auto-approve"]);
      return { ok: r.code === 0, output: r.output, ms: Date.now() - started };
    },
    async converged(n) {
      await write(n);
      return ws.planIsEmpty();
    },
    async tracked() {
      let state: { resources?: { type: string; instances: { attributes: Record<string, unknown> }[] }[] } = {};
      try {
        state = JSON.parse(ws.stateText());
      } catch {
        // no state yet
      }
      const ids = (type: string, attr: string) =>
        (state.resources ?? []).filter((r) => r.type === type).flatMap((r) => r.instances.map((i) => String(i.attributes[attr])));
      return { users: ids("headscale_user", "user_id"), keys: ids("headscale_pre_auth_key", "key_id") };
    },
    dispose: () => ws.cleanup(),
  };
}

export function pulumiFrontend(server: { url: string; apiKey: string }): Frontend {
  const project: PulumiProject = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
  let last = 0;
  let outputs: Record<string, { value: unknown }> | undefined; // of the last up that succeeded
  return {
    name: "pulumi",
    async apply(n, opts = {}) {
      last = n;
      const started = Date.now();
      const [r] = await project.run([
        {
          op: "up",
          spec: scaleSpec(n),
          expectFailure: true,
          ...(opts.parallelism ? { parallel: opts.parallelism } : {}),
          ...(opts.refresh ? { refresh: true } : {}),
        },
      ]);
      outputs = r?.ok ? r.outputs : undefined;
      return { ok: !!r?.ok, output: `${r?.output ?? ""}${r?.error ?? ""}`, ms: Date.now() - started };
    },
    async refresh() {
      const started = Date.now();
      const [r] = await project.run([{ op: "refresh", spec: scaleSpec(last), expectFailure: true }]);
      return { ok: !!r?.ok, output: `${r?.output ?? ""}${r?.error ?? ""}`, ms: Date.now() - started };
    },
    async converged(n) {
      last = n;
      const [r] = await project.run([{ op: "preview", spec: scaleSpec(n), expectFailure: true }]);
      const changes = Object.entries(r?.changes ?? {}).filter(([k, v]) => k !== "same" && v > 0);
      return { empty: !!r?.ok && changes.length === 0, output: `${r?.output ?? ""}${r?.error ?? ""}` };
    },
    async tracked() {
      const out = outputs ?? (await project.run([{ op: "outputs", spec: scaleSpec(last) }]))[0]?.outputs;
      const value = (k: string) => Object.values((out?.[k]?.value ?? {}) as Record<string, string>).map(String);
      return { users: value("userIds"), keys: value("keyIds") };
    },
    dispose: () => project.dispose(),
  };
}

export interface Census {
  expected: { users: number; keys: number };
  found: { users: number; keys: number };
  /** Users named like ours that the state does not track, or tracked ids the server lacks. */
  problems: string[];
}

/**
 * What the server holds against what the state tracks: every expected user exists once, every live key
 * of our users is tracked (no orphan) and every tracked key exists (none lost); nothing else exists.
 */
export async function census(server: HeadscaleServer, n: number, tracked: { users: string[]; keys: string[] }): Promise<Census> {
  const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
  try {
    const users = await api.listUsers();
    const now = Date.now();
    const keys = (await api.listPreAuthKeys()).filter((k) => !k.expiration || new Date(k.expiration).getTime() > now);
    const problems: string[] = [];
    for (let i = 0; i < n; i++) {
      const named = users.filter((u) => u.name === userName(i));
      if (named.length !== 1) problems.push(`${named.length} users named ${userName(i)}`);
      const owned = keys.filter((k) => named.some((u) => u.id === k.user?.id));
      if (named.length === 1 && owned.length !== 1) problems.push(`${owned.length} live keys for ${userName(i)}`);
    }
    const extraUsers = users.filter((u) => !/^user\d+$/.test(u.name) || Number(u.name.slice(4)) >= n);
    if (extraUsers.length) problems.push(`unexpected users: ${extraUsers.map((u) => u.name).join(", ")}`);
    const untracked = keys.filter((k) => k.id && !tracked.keys.includes(k.id));
    if (untracked.length) problems.push(`${untracked.length} live keys the state does not track (orphans): ids ${untracked.map((k) => k.id).join(", ")}`);
    const lostKeys = tracked.keys.filter((id) => !keys.some((k) => k.id === id));
    if (lostKeys.length) problems.push(`${lostKeys.length} tracked keys missing on the server: ids ${lostKeys.join(", ")}`);
    const lostUsers = tracked.users.filter((id) => !users.some((u) => u.id === id));
    if (lostUsers.length) problems.push(`${lostUsers.length} tracked users missing on the server: ids ${lostUsers.join(", ")}`);
    if (tracked.users.length !== n || tracked.keys.length !== n)
      problems.push(`the state tracks ${tracked.users.length} users and ${tracked.keys.length} keys, not ${n} each`);
    return { expected: { users: n, keys: n }, found: { users: users.length, keys: keys.length }, problems };
  } finally {
    api.close();
  }
}
