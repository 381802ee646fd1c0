// A throwaway Terraform/OpenTofu working directory for the REAL headscale provider (the built one in
// dist/), installed with the documented command into a private filesystem mirror and pointed at a
// Headscale server through HEADSCALE_URL / HEADSCALE_API_KEY. No registry, no network.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { root, toolEnv } from "../harness/tools.js";
import { assertNoWrites, startWriteAudit, type WriteAudit } from "../harness/writeAudit.js";

export const exampleDir = path.join(root, "examples", "terraform-basic");
export const exampleTf = readFileSync(path.join(exampleDir, "main.tf"), "utf8");
/** `policyText` of the Pulumi example, read from its source (importing it would load @pulumi/pulumi). */
export const pulumiPolicyText = /const policyText = `([^`]*)`/.exec(readFileSync(path.join(root, "examples", "pulumi-basic", "index.ts"), "utf8"))![1]!;

export interface CliResult {
  code: number;
  /** stdout and stderr together, as a user would read them. */
  output: string;
}

export class HeadscaleWorkspace {
  readonly base: string;
  readonly dir: string;
  /** Every output of every command so far (to search for leaked secrets). */
  readonly transcript: string[] = [];
  private readonly env: NodeJS.ProcessEnv;
  /** Every command reaches the server through a write audit: a plan that writes anything fails. */
  private audit: Promise<WriteAudit> | undefined;
  /** A command running longer is killed (the scale bench raises it for 1,000 objects). */
  commandTimeoutMs = 120_000;

  constructor(
    readonly cli: string,
    private readonly server: { url: string; apiKey: string },
  ) {
    this.base = mkdtempSync(path.join(tmpdir(), `headscale-iac-${cli}-hs-`));
    this.dir = path.join(this.base, "work");
    mkdirSync(this.dir);
    const mirror = path.join(this.base, "mirror");
    const config = path.join(this.base, "cli.tfrc");
    // The command examples/terraform-basic/README.md documents.
    execFileSync(process.execPath, [path.join(root, "dist", "provider", "terraform", "install.js"), "--mirror", mirror, "--cli-config", config], {
      stdio: "ignore",
    });
    if (!existsSync(config)) throw new Error(`install.js wrote no CLI configuration at ${config}`);
    this.env = toolEnv({
      TF_CLI_CONFIG_FILE: config,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      HEADSCALE_URL: server.url,
      HEADSCALE_API_KEY: server.apiKey,
    });
    for (const k of Object.keys(this.env)) if (k.startsWith("TF_LOG") || k.startsWith("TF_VAR_")) delete this.env[k];
  }

  write(file: string, text: string): void {
    writeFileSync(path.join(this.dir, file), text);
  }

  remove(file: string): void {
    rmSync(path.join(this.dir, file), { force: true });
  }

  read(file: string): string {
    return readFileSync(path.join(this.dir, file), "utf8");
  }

  /** Runs the CLI; `env` entries set to undefined are removed from the environment. */
  async run(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    this.audit ??= startWriteAudit(this.server.url);
    const audit = await this.audit;
    const merged: NodeJS.ProcessEnv = { ...this.env, HEADSCALE_URL: audit.url, ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
    audit.begin(args[0] ?? "");
    const result = await this.exec(args, merged);
    assertNoWrites(audit, `${this.cli} ${args.join(" ")}`);
    return result;
  }

  private exec(args: string[], merged: NodeJS.ProcessEnv): Promise<CliResult> {
    const noColor = args[0] === "output" || args[0] === "version" ? [] : ["-no-color"];
    return new Promise((resolve) => {
      execFile(this.cli, [...args, ...noColor], { cwd: this.dir, env: merged, timeout: this.commandTimeoutMs, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        const output = `${stdout}${stderr}`;
        this.transcript.push(output);
        resolve({ code, output });
      });
    });
  }

  /** Runs and fails with the CLI's output unless the exit code is one of `ok`. */
  async expect(ok: number[], args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
    const r = await this.run(args, env);
    if (!ok.includes(r.code)) throw new Error(`${this.cli} ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r.output;
  }

  /** `plan -detailed-exitcode`: 0 = no changes, 2 = changes (anything else fails). */
  async planIsEmpty(): Promise<{ empty: boolean; output: string }> {
    const r = await this.run(["plan", "-detailed-exitcode"]);
    if (r.code !== 0 && r.code !== 2) throw new Error(`${this.cli} plan exited ${r.code}:\n${r.output}`);
    return { empty: r.code === 0, output: r.output };
  }

  async outputs(): Promise<Record<string, { sensitive: boolean; value: unknown }>> {
    return JSON.parse(await this.expect([0], ["output", "-json"])) as Record<string, { sensitive: boolean; value: unknown }>;
  }

  stateText(): string {
    return this.read("terraform.tfstate");
  }

  cleanup(): void {
    void this.audit?.then((a) => a.close());
    if (!process.env.KEEP_TEST_DIRS) rmSync(this.base, { recursive: true, force: true });
  }
}

/**
 * The error diagnostics of a CLI run, each with the resource address and the configuration line it
 * points at (`with headscale_user.bad,` / `12:   name = "Bad Name"`).
 */
export function errorDiagnostics(output: string): { summary: string; address?: string; line?: string; text: string }[] {
  return output
    .split(/^(?=(?:│ )?Error: )/m)
    .filter((b) => /^(?:│ )?Error: /.test(b))
    .map((text) => ({
      text,
      summary: /Error: ([^\n]*)/.exec(text)![1]!.trim(),
      address: /with ([^\s,]+),/.exec(text)?.[1],
      line: /^\s*(?:│\s*)?\d+:\s*(.*)$/m.exec(text)?.[1]?.trim(),
    }));
}
