// Runs Pulumi operations on an inline program through the Automation API: the real CLI engine and the
// real dynamic-provider host, from a plain Node process (never inside the test runner, whose module
// transform breaks Pulumi's closure serialization). Reads a job as JSON on stdin, prints results as JSON.
//
// job: { workDir, stack, url, apiKey, program: "example:<dir>" | "spec", steps: [{ op, spec?, config? }] }
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { programFromSpec, type ProgramSpec } from "./spec.js";
import { binDir, cacheDir, root } from "../harness/tools.js";
import { AUDIT_PATH } from "../harness/writeAudit.js";

export type Op = "up" | "preview" | "refresh" | "destroy" | "outputs" | "export" | "setProviderText";
export interface Step {
  op: Op;
  spec?: ProgramSpec;
  /** refresh: run the program so providers use the current stack config (`pulumi refresh --run-program`). */
  runProgram?: boolean;
  /** Expect the step to fail (the result then carries the error text). */
  expectFailure?: boolean;
  /** up/destroy: resource operations run at once (Pulumi's default is unbounded). */
  parallel?: number;
  /** up: refresh first (`pulumi up --refresh`), the way to repair out-of-band changes. */
  refresh?: boolean;
  /**
   * setProviderText: rewrite every headscale resource's stored `__provider` (inputs and outputs) to this
   * text, `%TYPE%` standing for the resource type (User, PreAuthKey, …): a state as an older version of
   * the package wrote it (stack export, edit, stack import).
   */
  providerTemplate?: string;
}
export interface Job {
  workDir: string;
  stack: string;
  url: string;
  apiKey: string;
  program: string;
  steps: Step[];
  /** `url` is a write audit (test/harness/writeAudit.ts): tell it which step runs before each one. */
  audited?: boolean;
}
export interface StepResult {
  op: Op;
  ok: boolean;
  error?: string;
  output: string;
  changes?: Record<string, number>;
  outputs?: Record<string, { value: unknown; secret: boolean }>;
  exported?: string;
  /** Wall time of the operation itself (the engine's run; opening the stack not included). */
  ms?: number;
  /** How long the step took, from opening the stack to its result. */
  seconds?: number;
}

// On a lane other than the checkout's own (test/harness/laneDriver.ts), this driver runs from a copy in
// PULUMI_LANE_DIR, whose node_modules hold that lane's @pulumi/pulumi and the packed package, and whose
// bin/pulumi is that lane's CLI.
const laneDir = process.env.PULUMI_LANE_DIR;
const modulesDir = path.join(laneDir ?? root, "node_modules");

/** PULUMI_LANE_EXPECT="<node> <@pulumi/pulumi> <CLI>": refuse to run on anything else (a lane must be what it says). */
function checkLane(cliVersion: string): void {
  const expected = process.env.PULUMI_LANE_EXPECT;
  if (!expected) return;
  const sdk = (JSON.parse(readFileSync(path.join(modulesDir, "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
  const actual = `${process.versions.node} ${sdk} ${cliVersion}`;
  if (actual !== expected) throw new Error(`lane mismatch: expected Node, @pulumi/pulumi and CLI ${expected}, got ${actual}`);
}

/** Like a user's project: node_modules with @pulumi/pulumi and headscale-iac, so the provider host finds both. */
function prepareWorkDir(dir: string): void {
  const nm = path.join(dir, "node_modules");
  mkdirSync(nm, { recursive: true });
  if (!existsSync(path.join(nm, "@pulumi"))) symlinkSync(path.join(modulesDir, "@pulumi"), path.join(nm, "@pulumi"));
  if (!existsSync(path.join(nm, "headscale-iac"))) symlinkSync(laneDir ? path.join(modulesDir, "headscale-iac") : root, path.join(nm, "headscale-iac"));
}

async function programFor(job: Job, spec: ProgramSpec | undefined): Promise<() => Promise<unknown>> {
  if (job.program === "spec") return programFromSpec(spec ?? {});
  const example = job.program.replace(/^example:/, "");
  const mod = await import(pathToFileURL(path.join(laneDir ?? path.join(root, "dist"), "examples", example, "index.js")).href);
  return mod.default as () => Promise<unknown>;
}

async function openStack(job: Job, program: () => Promise<unknown>): Promise<Stack> {
  const pulumiHome = path.join(job.workDir, ".pulumi-home");
  const state = path.join(job.workDir, "state");
  mkdirSync(state, { recursive: true });
  const pulumiBin = path.join(modulesDir, "@pulumi", "pulumi");
  const envVars = {
    PULUMI_HOME: pulumiHome,
    PULUMI_BACKEND_URL: pathToFileURL(state).href,
    PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PATH: `${laneDir ? `${path.join(laneDir, "bin")}:` : ""}${binDir}:${pulumiBin}:${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`,
  };
  const pulumiCommand = await PulumiCommand.get({ root: laneDir ?? cacheDir });
  checkLane(String(pulumiCommand.version));
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: job.stack, projectName: "headscale-test", program: program as never },
    {
      workDir: job.workDir,
      envVars,
      pulumiCommand,
      projectSettings: { name: "headscale-test", runtime: "nodejs", backend: { url: envVars.PULUMI_BACKEND_URL } },
    },
  );
  await stack.setConfig("headscale:url", { value: job.url });
  await stack.setConfig("headscale:apiKey", { value: job.apiKey, secret: true });
  return stack;
}

async function runStep(job: Job, step: Step): Promise<StepResult> {
  let output = "";
  const onOutput = (s: string) => (output += s);
  try {
    const stack = await openStack(job, await programFor(job, step.spec));
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    switch (step.op) {
      case "up": {
        const r = await stack.up({
          onOutput,
          color: "never",
          ...(step.parallel ? { parallel: step.parallel } : {}),
          ...(step.refresh ? { refresh: true } : {}),
        });
        return {
          op: step.op,
          ok: true,
          output,
          changes: r.summary.resourceChanges as Record<string, number>,
          outputs: r.outputs,
          ms: ms(),
        };
      }
      case "preview": {
        const r = await stack.preview({ onOutput, color: "never", diff: true });
        return { op: step.op, ok: true, output, changes: r.changeSummary as Record<string, number>, ms: ms() };
      }
      case "refresh": {
        const r = await stack.refresh({ onOutput, color: "never", ...(step.runProgram ? { runProgram: true } : {}) });
        return { op: step.op, ok: true, output, changes: r.summary.resourceChanges as Record<string, number>, ms: ms() };
      }
      case "destroy": {
        const r = await stack.destroy({ onOutput, color: "never" });
        return { op: step.op, ok: true, output, changes: r.summary.resourceChanges as Record<string, number>, ms: ms() };
      }
      case "outputs":
        return { op: step.op, ok: true, output, outputs: await stack.outputs() };
      case "setProviderText": {
        const state = await stack.exportStack();
        let rewritten = 0;
        for (const r of (state.deployment as { resources?: Array<Record<string, unknown>> }).resources ?? []) {
          const type = /^pulumi-nodejs:dynamic\/headscale:(\w+)$/.exec(String(r.type))?.[1];
          if (!type) continue;
          const text = (step.providerTemplate ?? "").replaceAll("%TYPE%", type);
          for (const props of [r.inputs, r.outputs] as Array<Record<string, unknown> | undefined>) if (props && "__provider" in props) props.__provider = text;
          rewritten++;
        }
        await stack.importStack(state);
        return { op: step.op, ok: true, output: `rewrote the provider of ${rewritten} resources` };
      }
      case "export": {
        // Not stack.exportStack(): it passes --show-secrets. This is what a user's `pulumi stack export` shows.
        const exported = execFileSync(path.join(laneDir ?? cacheDir, "bin", "pulumi"), ["stack", "export", "--stack", job.stack, "--cwd", job.workDir], {
          env: { ...process.env, ...(stack.workspace as LocalWorkspace).envVars },
          encoding: "utf8",
        });
        return { op: step.op, ok: true, output, exported };
      }
    }
  } catch (e) {
    return { op: step.op, ok: false, output, error: String((e as Error).message ?? e) };
  }
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const job = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Job;
  prepareWorkDir(job.workDir);
  const results: StepResult[] = [];
  for (const step of job.steps) {
    if (job.audited) await fetch(`${job.url}${AUDIT_PATH}${step.op}`);
    const started = Date.now();
    let r = { ...(await runStep(job, step)), seconds: (Date.now() - started) / 1000 };
    // Seen once in 49 previews in one process: the inline program could not reach the engine at all
    // ("14 UNAVAILABLE: No connection established"), before any resource was registered. That is the
    // Automation API's plumbing, not the program: a preview (which never writes) is run again, once.
    if (!r.ok && step.op === "preview" && /14 UNAVAILABLE: No connection established/.test(r.error ?? "")) {
      process.stderr.write(`driver: preview could not reach the engine, running it again:\n${r.error}\n`);
      r = { ...(await runStep(job, step)), seconds: (Date.now() - started) / 1000 };
    }
    results.push(r);
    if (!r.ok && !step.expectFailure) break;
  }
  process.stdout.write(JSON.stringify(results));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e) => {
    process.stderr.write(String(e?.stack ?? e));
    process.exit(1);
  });
}
