// A throwaway Terraform/OpenTofu working directory wired to a provider installed in a private mirror.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cliConfig, installProvider, PROVIDER_SOURCE } from "../../provider/terraform/install.js";
import { root, toolEnv } from "../harness/tools.js";
import type { Store } from "./fixtures/widgets.js";

export const fixtureEntry = path.join(root, "dist", "test", "terraform", "fixtures", "main.js");

/** Compiles the fake provider (the root build does not include test fixtures). */
export function buildFixtures(): void {
  execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(root, "test", "terraform", "tsconfig.json")], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** Which CLIs to drive: terraform always; tofu when it is on the tools PATH. */
export function availableClis(): string[] {
  const clis = ["terraform"];
  try {
    execFileSync("tofu", ["version"], { env: toolEnv(), stdio: "ignore" });
    clis.push("tofu");
  } catch {
    // OpenTofu not built on this machine (scripts/install-tools.sh opentofu)
  }
  return clis;
}

export interface RunResult {
  code: number;
  /** stdout and stderr together, as a user would read them. */
  output: string;
}

export class Workspace {
  readonly dir: string;
  readonly storePath: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly cli: string,
    entry = fixtureEntry,
  ) {
    const base = mkdtempSync(path.join(tmpdir(), `headscale-iac-${cli}-`));
    this.dir = path.join(base, "work");
    this.storePath = path.join(base, "store.json");
    mkdirSync(this.dir);
    const installed = installProvider({ mirror: path.join(base, "mirror"), entry });
    const config = path.join(base, "cli.tfrc");
    writeFileSync(config, cliConfig(installed.mirror));
    this.env = toolEnv({
      TF_CLI_CONFIG_FILE: config,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      WIDGET_STORE: this.storePath,
    });
    delete this.env.TF_LOG;
  }

  /** Writes main.tf: the provider requirement plus `body`. */
  configure(body: string): void {
    const header = `terraform {\n  required_providers {\n    headscale = { source = "${PROVIDER_SOURCE}" }\n  }\n}\n\n`;
    writeFileSync(path.join(this.dir, "main.tf"), header + body);
  }

  run(...args: string[]): Promise<RunResult> {
    return new Promise((resolve) => {
      execFile(this.cli, [...args, "-no-color"], { cwd: this.dir, env: this.env, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });
  }

  /** Runs and fails with the CLI's output unless the exit code is one of `ok`. */
  async expect(ok: number[], ...args: string[]): Promise<string> {
    const r = await this.run(...args);
    if (!ok.includes(r.code)) throw new Error(`${this.cli} ${args.join(" ")} exited ${r.code}:\n${r.output}`);
    return r.output;
  }

  store(): Store {
    try {
      return JSON.parse(readFileSync(this.storePath, "utf8")) as Store;
    } catch {
      return {};
    }
  }

  editStore(edit: (store: Store) => void): void {
    const s = this.store();
    edit(s);
    writeFileSync(this.storePath, JSON.stringify(s));
  }

  cleanup(): void {
    rmSync(path.dirname(this.dir), { recursive: true, force: true });
  }
}
