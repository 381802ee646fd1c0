// Plain `pulumi` CLI runs in a project directory, as a user runs them: the real CLI starts the real Node.js
// language host (built from ../shared/vendor by scripts/install-tools.sh), which starts the project's
// program with the project's own node_modules. No Automation API, nothing of ours in between.
//
// What the environment holds (pulumiCliEnv):
//   PATH    the lane's `pulumi` first, then the language host (the tool cache's bin), the project's
//           node_modules/@pulumi/pulumi (the dynamic provider host `pulumi-resource-pulumi-nodejs`), the
//           lane's `node` (the language host and the provider host run `node` from PATH), then the rest;
//   PULUMI_BACKEND_URL=file://<state dir>, PULUMI_CONFIG_PASSPHRASE, PULUMI_HOME=<temp> (no user config,
//   no plugin downloads: PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION), PULUMI_SKIP_UPDATE_CHECK,
//   PULUMI_SKIP_CONFIRMATIONS (so `pulumi up` / `destroy` run without --yes, as a user would type them).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { lane as laneNamed, type Lane } from "./lanes.js";
import { binDir } from "./tools.js";

export interface PulumiCliOptions {
  /** The project directory (Pulumi.yaml, package.json, node_modules). */
  projectDir: string;
  /** Toolchain lane (default: floor = the machine's Node and the first pinned Pulumi). */
  lane?: Lane;
  /** Extra variables (e.g. HEADSCALE_URL), and PATH entries put first. */
  env?: Record<string, string>;
  pathFirst?: string[];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for messages and assertions on what a user sees. */
  output: string;
}

export interface PulumiCli {
  lane: Lane;
  env: NodeJS.ProcessEnv;
  /** The file backend's directory (state files). */
  stateDir: string;
  /** Runs `pulumi <args>` in the project; rejects with the output unless it exits 0 (or expectFailure). */
  run(args: string[], opts?: { expectFailure?: boolean; timeoutMs?: number }): Promise<CliResult>;
  /** Runs any command (npm, npx tsc…) with the same environment in the project. */
  exec(cmd: string, args: string[], opts?: { expectFailure?: boolean; timeoutMs?: number; cwd?: string }): Promise<CliResult>;
  dispose(): void;
}

/** The environment for plain `pulumi` commands in `projectDir` on `lane`; `home` holds PULUMI_HOME, the state and a `pulumi` link. */
export function pulumiCliEnv(projectDir: string, lane: Lane, home: string, extra: Record<string, string> = {}, pathFirst: string[] = []): NodeJS.ProcessEnv {
  const stateDir = path.join(home, "state");
  const laneBin = path.join(home, "bin");
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(laneBin, { recursive: true });
  try {
    symlinkSync(lane.cli, path.join(laneBin, "pulumi"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const PATH = [
    ...pathFirst,
    laneBin,
    binDir,
    path.join(projectDir, "node_modules", "@pulumi", "pulumi"),
    path.dirname(lane.node),
    process.env.PATH ?? "",
  ].join(":");
  return {
    ...process.env,
    PATH,
    PULUMI_HOME: path.join(home, "pulumi-home"),
    PULUMI_BACKEND_URL: pathToFileURL(stateDir).href,
    PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    // The test runner's own Node settings must not leak into the user's program.
    NODE_OPTIONS: "",
    ...extra,
  };
}

export function runCommand(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; expectFailure?: boolean; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (d: Buffer) => ((stdout += d), (output += d)));
    child.stderr.on("data", (d: Buffer) => ((stderr += d), (output += d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
    child.on("error", (e) => (clearTimeout(timer), reject(e)));
    child.on("close", (code) => {
      clearTimeout(timer);
      const r = { code, stdout, stderr, output };
      if ((code === 0) === !opts.expectFailure) resolve(r);
      else reject(new Error(`\`${cmd} ${args.join(" ")}\` in ${opts.cwd} exited ${code}${opts.expectFailure ? " (a failure was expected)" : ""}:\n${output}`));
    });
  });
}

export function pulumiCli(opts: PulumiCliOptions): PulumiCli {
  const lane = opts.lane ?? laneNamed("floor");
  const home = mkdtempSync(path.join(tmpdir(), "pulumi-cli-"));
  const env = pulumiCliEnv(opts.projectDir, lane, home, opts.env, opts.pathFirst);
  const exec: PulumiCli["exec"] = (cmd, args, o = {}) => runCommand(cmd, args, { cwd: o.cwd ?? opts.projectDir, env, ...o });
  return {
    lane,
    env,
    stateDir: path.join(home, "state"),
    exec,
    run: (args, o = {}) => exec(lane.cli, [...args, "--non-interactive", "--color", "never"], o),
    dispose: () => {
      if (!process.env.KEEP_TEST_DIRS) rmSync(home, { recursive: true, force: true });
    },
  };
}
