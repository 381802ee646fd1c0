// Runs the built `headscale-iac` command (bin/headscale-iac, as npm installs it) and counts what reaches
// the server through a counting proxy.
import { execFile } from "node:child_process";
import path from "node:path";
import { root } from "../harness/tools.js";

export const bin = path.join(root, "bin", "headscale-iac");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` entries set to undefined are removed (e.g. HEADSCALE_URL for the "no URL" case). */
export function headscaleIac(args: string[], env: Record<string, string | undefined> = {}, cwd = root): Promise<CliRun> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  for (const k of ["GITHUB_ACTIONS", "GITLAB_CI"]) if (!(k in env)) delete merged[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: merged, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Requests that changed something on the server: answered 2xx and not a read. Not counted: the policy
 * check endpoint (validates only) and the refused policy-mode probe (a PUT Headscale rejects unparsed).
 */
export function writeCalls(answered: string[]): string[] {
  return answered.filter((a) => {
    const [method, p, status] = a.split(" ");
    if (method === "GET" || !/^2/.test(status ?? "")) return false;
    return p !== "/api/v1/policy/check";
  });
}
