// The Automation-API driver (test/programs/driver.ts) on a lane other than the checkout's own: a directory
// with that lane's @pulumi/pulumi and the packed package installed by npm, copies of the compiled driver,
// its program spec and the example, and bin/pulumi = the lane's CLI; run with the lane's Node. Made once
// per test run (keyed by the vitest main process, which removes it at the end: globalSetup.ts).
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { Lane } from "./lanes.js";
import { root } from "./tools.js";

export const laneDirPrefix = (owner: number) => path.join(tmpdir(), `headscale-iac-lane-${owner}-`);

/** The lane's driver directory, made on first use; `owner` is the process whose run it belongs to. */
// Asynchronous throughout: a test worker blocked for minutes (npm under load) loses its link to vitest.
export async function laneDriverDir(lane: Lane, owner = process.env.VITEST ? process.ppid : process.pid): Promise<string> {
  const dir = `${laneDirPrefix(owner)}${lane.name}`;
  if (existsSync(path.join(dir, ".ready"))) return dir;
  // Two test files may want it at once: the first to create the lock dir makes it, the others wait.
  const lock = `${dir}.lock`;
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + 600_000;
    while (!existsSync(path.join(dir, ".ready"))) {
      if (!existsSync(lock) && !existsSync(path.join(dir, ".ready"))) throw new Error(`another test file failed to make ${dir}; see its error`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${dir} (made by another test file)`);
      await sleep(1000);
    }
    return dir;
  }
  const tmp = `${dir}.tmp`;
  try {
    await make(lane, tmp);
    renameSync(tmp, dir);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

async function make(lane: Lane, tmp: string): Promise<void> {
  const run = promisify(execFile);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.join(tmp, "bin"), { recursive: true });
  writeFileSync(path.join(tmp, "package.json"), JSON.stringify({ name: `lane-${lane.name}`, private: true, type: "module" }));
  const tarball = (await run("npm", ["pack", "--silent", "--pack-destination", tmp], { cwd: root, encoding: "utf8" })).stdout.trim().split("\n").at(-1)!;
  const env = { ...process.env, PATH: `${path.dirname(lane.node)}:${process.env.PATH ?? ""}` };
  await run("npm", ["install", "--no-audit", "--no-fund", path.join(tmp, tarball), `@pulumi/pulumi@${lane.pulumi}`], { cwd: tmp, env });
  for (const d of ["test/programs", "test/harness", "examples"])
    cpSync(path.join(root, "dist", d), path.join(tmp, d), { recursive: true, filter: (f) => !f.endsWith(".map") });
  // The driver looks for the example's compiled module at <dir>/examples/<name>/index.js.
  symlinkSync(lane.cli, path.join(tmp, "bin", "pulumi"));
  writeFileSync(path.join(tmp, ".ready"), "");
}

/** Removes the lane directories of a finished run. */
export function removeLaneDirs(owner: number): void {
  const prefix = path.basename(laneDirPrefix(owner));
  for (const f of readdirSync(tmpdir())) if (f.startsWith(prefix)) rmSync(path.join(tmpdir(), f), { recursive: true, force: true });
}
