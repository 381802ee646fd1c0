// Locates (and on first use builds) the tools the tests drive, through scripts/install-tools.sh.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      readFileSync(path.join(dir, "scripts", "tool-versions"));
      return dir;
    } catch {
      const up = path.dirname(dir);
      if (up === dir) throw new Error("cannot find the repository root (scripts/tool-versions)");
      dir = up;
    }
  }
}

// HEADSCALE_IAC_ROOT: set when this module runs from a copy outside the checkout (a lane's driver, lanes.ts).
export const root = process.env.HEADSCALE_IAC_ROOT ?? findRepoRoot();
export const cacheDir = process.env.HEADSCALE_IAC_CACHE ?? path.join(homedir(), ".cache", "headscale-iac");
export const binDir = path.join(cacheDir, "bin");

export function pinnedVersions(tool: string): string[] {
  return readFileSync(path.join(root, "scripts", "tool-versions"), "utf8")
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([t]) => t === tool)
    .map(([, v]) => v!);
}

const selectedVersions = (): string[] | undefined => {
  const only = process.env.HEADSCALE_VERSIONS?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return only?.length ? only : undefined;
};

/**
 * The main lane: Headscale's main branch (`headscale-main <commit>` in tool-versions, built from vendored
 * sources), tested as version "main" beside the releases. [] when not pinned, or left out by HEADSCALE_VERSIONS
 * (the installer then does not build it either).
 */
export const MAIN = "main";
export const mainLane = (): string[] => {
  const only = selectedVersions();
  return pinnedVersions("headscale-main").length > 0 && (!only || only.includes(MAIN)) ? [MAIN] : [];
};

/** Every pinned release, then the main lane; HEADSCALE_VERSIONS=0.29.3,main narrows the list. */
export const headscaleVersions = (): string[] => {
  const only = selectedVersions();
  const releases = pinnedVersions("headscale");
  return [...(only ? releases.filter((v) => only.includes(v)) : releases), ...mainLane()];
};
/** The newest release (never main: most suites run on it). */
export const newestHeadscale = (): string => pinnedVersions("headscale").at(-1)!;
/** Versions the tailnet resources are tested on end to end: the newest 0.29 and 0.28 (within HEADSCALE_VERSIONS). */
export const resourceVersions = (): string[] => {
  const newestOf = (minor: number) =>
    headscaleVersions()
      .filter((v) => v.startsWith(`0.${minor}.`))
      .at(-1);
  return [newestOf(29), newestOf(28)].filter((v): v is string => v !== undefined);
};
export const headscaleBinary = (version: string): string => path.join(binDir, `headscale-${version}`);
/** The minor of a release; the main lane is newer than every release. */
export const headscaleMinor = (version: string): number => (version === MAIN ? Number.POSITIVE_INFINITY : Number(version.split(".")[1]));

/** Builds whatever is missing (progress on stderr); cheap when everything is cached. */
export function ensureTools(...tools: string[]): void {
  const r = spawnSync("bash", [path.join(root, "scripts", "install-tools.sh"), ...tools], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`scripts/install-tools.sh ${tools.join(" ")} failed (exit ${r.status}); see the lines above`);
}

/** Environment with the cached tools first on PATH. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}`, ...extra };
}

export function toolVersion(cmd: string, args: string[] = ["version"]): string {
  return execFileSync(cmd, args, { env: toolEnv(), encoding: "utf8" }).split("\n")[0]!.trim();
}
