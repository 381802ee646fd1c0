#!/usr/bin/env node
// Installs the provider into a local filesystem mirror, so Terraform and OpenTofu find it without a
// registry. Usage: node dist/provider/terraform/install.js [--mirror DIR] [--cli-config FILE] [--version X.Y.Z]
// (--cli-config writes a CLI configuration that points Terraform/OpenTofu at the mirror; use it with
// TF_CLI_CONFIG_FILE, or copy it into ~/.terraformrc / ~/.tofurc).
//
// Source address: registry.terraform.io/headscale-iac/headscale. A full address with a hostname reads the
// same in both tools (OpenTofu resolves a bare "headscale-iac/headscale" to its own registry, Terraform
// to registry.terraform.io), so state and lock files move between them; a Terraform user may even write
// the bare form. The mirror holds only a tiny launcher pointing at this package's built server: its hash
// (recorded in .terraform.lock.hcl) does not change when the package is rebuilt.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const PROVIDER_HOST = "registry.terraform.io";
export const PROVIDER_NAMESPACE = "headscale-iac";
export const PROVIDER_TYPE = "headscale";
export const PROVIDER_SOURCE = `${PROVIDER_HOST}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;

const here = path.dirname(fileURLToPath(import.meta.url));
/** The provider executable of this package (bin/terraform-provider-headscale, CommonJS). */
export const DEFAULT_ENTRY = path.resolve(here, "..", "..", "..", "bin", "terraform-provider-headscale");

export interface InstallOptions {
  /** Mirror root; default ~/.terraform.d/plugins, which Terraform and OpenTofu search without configuration. */
  mirror?: string;
  /** Provider version; default this package's version. */
  version?: string;
  /** The module that serves the provider (an ES module, or a CommonJS file without .js/.mjs); default this package's executable. */
  entry?: string;
}

export interface Installed {
  source: string;
  version: string;
  mirror: string;
  executable: string;
}

/** Terraform's platform name for this machine, e.g. linux_amd64, darwin_arm64. */
export function platform(): string {
  const os = process.platform === "win32" ? "windows" : process.platform;
  const arch = ({ x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" } as Record<string, string>)[process.arch] ?? process.arch;
  return `${os}_${arch}`;
}

export function packageVersion(): string {
  for (let dir = here; ; dir = path.dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      if (path.dirname(dir) === dir) return "0.0.0";
    }
  }
}

export function installProvider(opts: InstallOptions = {}): Installed {
  const mirror = path.resolve(opts.mirror ?? path.join(homedir(), ".terraform.d", "plugins"));
  const version = opts.version ?? packageVersion();
  const entry = path.resolve(opts.entry ?? DEFAULT_ENTRY);
  const dir = path.join(mirror, PROVIDER_HOST, PROVIDER_NAMESPACE, PROVIDER_TYPE, version, platform());
  const executable = path.join(dir, `terraform-provider-${PROVIDER_TYPE}_v${version}`);
  mkdirSync(dir, { recursive: true });
  // Terraform execs this file directly. It runs as CommonJS unless the mirror sits in an ES module package:
  // require() keeps Node's ES module loader out of the way of the handshake (launchBundled.ts); import()
  // works in either scope, and for ES module entries.
  const load = /\.m?js$/.test(entry)
    ? `import(${JSON.stringify(pathToFileURL(entry).href)});`
    : `if (typeof require === "function") require(${JSON.stringify(entry)});\nelse import(${JSON.stringify(pathToFileURL(entry).href)});`;
  writeFileSync(executable, `#!/usr/bin/env node\n// headscale-iac Terraform provider launcher\n${load}\n`);
  chmodSync(executable, 0o755);
  return { source: PROVIDER_SOURCE, version, mirror, executable };
}

/** A CLI configuration that takes this provider from `mirror` and everything else from registries. */
export function cliConfig(mirror: string): string {
  const pattern = `${PROVIDER_HOST}/${PROVIDER_NAMESPACE}/*`;
  return `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = [${JSON.stringify(pattern)}]
  }
  direct {
    exclude = [${JSON.stringify(pattern)}]
  }
}
`;
}

function main(argv: string[]): void {
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const installed = installProvider({ mirror: opt("--mirror"), version: opt("--version") });
  const configFile = opt("--cli-config");
  if (configFile) writeFileSync(configFile, cliConfig(installed.mirror));
  process.stdout.write(
    `Installed ${installed.source} ${installed.version} at\n  ${installed.executable}\n\n` +
      `Use it with:\n  terraform {\n    required_providers {\n      headscale = { source = "${installed.source}", version = "${installed.version}" }\n    }\n  }\n\n` +
      (configFile
        ? `with TF_CLI_CONFIG_FILE=${path.resolve(configFile)} (written now).\n`
        : opt("--mirror")
          ? `and a CLI configuration (TF_CLI_CONFIG_FILE, ~/.terraformrc or ~/.tofurc) containing:\n\n${cliConfig(installed.mirror)}`
          : `~/.terraform.d/plugins is searched by default, unless a CLI configuration has its own provider_installation block.\n`),
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
