// Runs test/programs/driver (built to dist/) in its own Node process and returns its results.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Job, Step, StepResult } from "../programs/driver.js";
import { laneDriverDir } from "./laneDriver.js";
import { lane, type LaneName } from "./lanes.js";
import { root } from "./tools.js";
import { assertNoWrites, startWriteAudit, type WriteAudit } from "./writeAudit.js";

/**
 * Which toolchain lane the Automation-API driver runs on: PULUMI_LANE=current (the vitest project
 * "current" sets it) runs it with Node 24 and the newest @pulumi/pulumi (installed from the packed package);
 * both lanes use the one (newest) CLI; default: the checkout's own node_modules on the machine's Node (floor).
 */
async function driverCommand(): Promise<{ node: string; script: string; env: NodeJS.ProcessEnv }> {
  const l = lane((process.env.PULUMI_LANE ?? "floor") as LaneName);
  const expect = { PULUMI_LANE_EXPECT: `${l.nodeVersion} ${l.pulumi} ${l.cliVersion}` };
  if (l.name === "floor")
    return { node: process.execPath, script: path.join(root, "dist", "test", "programs", "driver.js"), env: { ...process.env, ...expect } };
  const dir = await laneDriverDir(l);
  return {
    node: l.node,
    script: path.join(dir, "test", "programs", "driver.js"),
    env: { ...process.env, ...expect, PULUMI_LANE_DIR: dir, HEADSCALE_IAC_ROOT: root },
  };
}

export type { Step, StepResult };

export interface PulumiProject {
  workDir: string;
  /** Point later runs at another server (e.g. the same database after an upgrade). */
  setServer(url: string, apiKey: string): void;
  run(steps: Step[]): Promise<StepResult[]>;
  dispose(): void;
}

/**
 * A Pulumi project whose runs reach the server through a write audit: a preview or refresh step that
 * writes anything fails the run (a preview never writes).
 */
export function pulumiProject(opts: { url: string; apiKey: string; program: string; stack?: string }): PulumiProject {
  let server = { url: opts.url, apiKey: opts.apiKey };
  const workDir = mkdtempSync(path.join(tmpdir(), "pulumi-"));
  let audit: Promise<WriteAudit> | undefined;
  const run = async (steps: Step[]) => {
    audit ??= startWriteAudit(server.url);
    const proxy = await audit;
    proxy.retarget(server.url);
    const results = await runDriver({
      workDir,
      stack: opts.stack ?? "test",
      url: proxy.url,
      apiKey: server.apiKey,
      program: opts.program,
      steps,
      audited: true,
    });
    assertNoWrites(proxy, `pulumi ${steps.map((s) => s.op).join(", ")}`);
    return results;
  };
  const dispose = () => {
    void audit?.then((a) => a.close());
    if (!process.env.KEEP_TEST_DIRS) rmSync(workDir, { recursive: true, force: true });
  };
  return { workDir, run, setServer: (url, apiKey) => (server = { url, apiKey }), dispose };
}

async function runDriver(job: Job): Promise<StepResult[]> {
  const driver = await driverCommand();
  return new Promise<StepResult[]>((resolve, reject) => {
    const child = spawn(driver.node, [driver.script], { cwd: job.workDir, env: driver.env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`pulumi driver exited ${code}:\n${err}`));
      try {
        resolve(JSON.parse(out) as StepResult[]);
      } catch {
        reject(new Error(`pulumi driver printed no result:\n${out}\n${err}`));
      }
    });
    child.stdin.end(JSON.stringify(job));
  });
}

/** Fails with the step's own output when a step did not go as expected. */
export function expectOk(results: StepResult[]): StepResult[] {
  const bad = results.find((r) => !r.ok);
  if (bad) throw new Error(`pulumi ${bad.op} failed: ${bad.error}\n${bad.output}`);
  return results;
}
