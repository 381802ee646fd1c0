// A throwaway CDKTF project for examples/cdktf-basic: the example's cdktf.json, the REAL cdktf CLI
// (cdktf-cli 0.21.0 from node_modules), the REAL provider installed with the documented command into a
// private filesystem mirror, and a Headscale server through HEADSCALE_URL / HEADSCALE_API_KEY.
// Everything lives in one temp dir, HOME included: cdktf points Terraform's plugin cache at
// ~/.terraform.d/plugin-cache, which must not be the user's. No registry, no network.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root, toolEnv } from "../harness/tools.js";
import { assertNoWrites, startWriteAudit, type WriteAudit } from "../harness/writeAudit.js";

export const exampleDir = path.join(root, "examples", "cdktf-basic");
/** The example program as the root build compiles it (the example's own cdktf.json runs main.ts with tsx). */
export const builtProgram = path.join(root, "dist", "examples", "cdktf-basic", "main.js");
export const STACK = "headscale-basic";
const cdktfBin = path.join(root, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");

export interface CliResult {
  code: number;
  /** stdout and stderr together, colours removed. */
  output: string;
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");

export class CdktfProject {
  readonly base: string;
  /** The project directory (cdktf.json, cdktf.out/, terraform.<stack>.tfstate). */
  readonly dir: string;
  readonly transcript: string[] = [];
  readonly env: NodeJS.ProcessEnv;
  readonly mirror: string;
  readonly cliConfig: string;

  constructor(private readonly server: { url: string; apiKey: string }) {
    this.base = mkdtempSync(path.join(tmpdir(), "headscale-iac-cdktf-"));
    this.dir = path.join(this.base, "project");
    const home = path.join(this.base, "home");
    mkdirSync(this.dir);
    mkdirSync(home);
    const example = JSON.parse(readFileSync(path.join(exampleDir, "cdktf.json"), "utf8")) as Record<string, unknown>;
    // Only the command that runs the program differs: the compiled main.ts instead of `npx tsx main.ts`
    // (which needs the example's own npm install).
    writeFileSync(
      path.join(this.dir, "cdktf.json"),
      JSON.stringify({ ...example, app: `${JSON.stringify(process.execPath)} ${JSON.stringify(builtProgram)}` }, null, 2),
    );
    const mirror = path.join(this.base, "mirror");
    const config = path.join(this.base, "cli.tfrc");
    this.env = toolEnv({
      HOME: home,
      TF_CLI_CONFIG_FILE: config,
      CHECKPOINT_DISABLE: "1",
      CI: "1",
      NO_COLOR: "1",
      FORCE_COLOR: "0",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      HEADSCALE_URL: server.url,
      HEADSCALE_API_KEY: server.apiKey,
    });
    for (const k of Object.keys(this.env)) if (k.startsWith("TF_LOG") || k.startsWith("TF_VAR_") || k.startsWith("CDKTF_")) delete this.env[k];
    this.mirror = mirror;
    this.cliConfig = config;
  }

  /** The command examples/cdktf-basic/README.md documents for installing the provider. */
  async installProvider(): Promise<void> {
    await this.exec(
      process.execPath,
      [path.join(root, "dist", "provider", "terraform", "install.js"), "--mirror", this.mirror, "--cli-config", this.cliConfig],
      root,
    );
    if (!existsSync(this.cliConfig)) throw new Error(`install.js wrote no CLI configuration at ${this.cliConfig}`);
  }

  /** Every command reaches the server through a write audit: a `diff` or `plan` that writes anything fails. */
  private audit: Promise<WriteAudit> | undefined;

  private async exec(cmd: string, args: string[], cwd: string, timeout = 240_000, step = ""): Promise<CliResult> {
    this.audit ??= startWriteAudit(this.server.url);
    const audit = await this.audit;
    audit.begin(step);
    const result = await this.execRaw(cmd, args, cwd, timeout, { ...this.env, HEADSCALE_URL: audit.url });
    assertNoWrites(audit, `${path.basename(cmd)} ${args.join(" ")}`);
    return result;
  }

  private execRaw(cmd: string, args: string[], cwd: string, timeout: number, env: NodeJS.ProcessEnv): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(cmd, args, { cwd, env, timeout, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        const output = stripAnsi(`${stdout}${stderr}`);
        this.transcript.push(output);
        resolve({ code, output });
      });
    });
  }

  /** Runs `cdktf <args>` in the project. */
  cdktf(...args: string[]): Promise<CliResult> {
    return this.exec(process.execPath, [cdktfBin, ...args], this.dir, undefined, args[0] === "diff" ? "plan" : (args[0] ?? ""));
  }

  /** Runs `cdktf <args>` and fails with its output unless it exits 0. */
  async expectCdktf(...args: string[]): Promise<string> {
    const r = await this.cdktf(...args);
    if (r.code !== 0) throw new Error(`cdktf ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r.output;
  }

  /** Runs terraform in the synthesized stack's directory (as cdktf does). */
  terraform(...args: string[]): Promise<CliResult> {
    return this.exec("terraform", [...args, "-no-color"], this.stackDir, undefined, args[0] ?? "");
  }

  get stackDir(): string {
    return path.join(this.dir, "cdktf.out", "stacks", STACK);
  }

  synthesized(): SynthesizedStack {
    return JSON.parse(readFileSync(path.join(this.stackDir, "cdk.tf.json"), "utf8")) as SynthesizedStack;
  }

  stateText(): string {
    return readFileSync(path.join(this.dir, `terraform.${STACK}.tfstate`), "utf8");
  }

  /** Every file the project holds (cdktf.out, state, .terraform), as text. */
  allFiles(): { file: string; text: string }[] {
    const out: { file: string; text: string }[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        const st = statSync(full, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) walk(full);
        else if (st.isFile() && st.size < 8 << 20) out.push({ file: path.relative(this.base, full), text: readFileSync(full, "latin1") });
      }
    };
    walk(this.dir);
    walk(path.join(this.base, "home"));
    return out;
  }

  cleanup(): void {
    void this.audit?.then((a) => a.close());
    if (!process.env.KEEP_TEST_DIRS) rmSync(this.base, { recursive: true, force: true });
  }
}

export interface SynthesizedStack {
  terraform: { required_providers: Record<string, { source: string; version?: string }>; backend?: unknown };
  provider: Record<string, Record<string, unknown>[]>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
}

/** A synthesized block without cdktf's "//" metadata. */
export function withoutMetadata(block: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!block) return block;
  const { "//": _meta, ...rest } = block;
  return rest;
}
