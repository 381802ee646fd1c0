// User projects as users make them: the README's quick start (Pulumi's `typescript` template, CommonJS),
// an ES-module TypeScript project and a plain JavaScript one; the package comes from `npm pack` of this
// checkout and is installed with `npm install <tarball>` in a fresh directory.
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { HeadscaleServer } from "../harness/headscale.js";
import { headscaleBinary, root } from "../harness/tools.js";

export interface QuickStart {
  files: Record<string, string>;
  commands: string[];
}

/** The README's Pulumi quick start: each "`file`:" followed by its code block, then the `sh` block after "Then:". */
export function readmeQuickStart(readme = readFileSync(path.join(root, "README.md"), "utf8")): QuickStart {
  const section = readme.slice(readme.indexOf("\n## Pulumi\n"), readme.indexOf("\n## ", readme.indexOf("\n## Pulumi\n") + 1));
  const files: Record<string, string> = {};
  for (const m of section.matchAll(/`([\w.]+)`:\n\n```\w+\n([\s\S]*?)```/g)) files[m[1]!] = m[2]!;
  const sh = /Then:\n\n```sh\n([\s\S]*?)```/.exec(section);
  if (!sh || Object.keys(files).length === 0) throw new Error("README: the Pulumi quick start (files, then a `Then:` sh block) was not found");
  return { files, commands: sh[1]!.trim().split("\n") };
}

/** `npm pack` of the built checkout (dist/ must be current: `npm test` builds first) into `dir`. */
export async function packPackage(dir: string): Promise<string> {
  // Not execFileSync: a worker blocked for long under load loses its link to the test runner.
  const { stdout: out } = await promisify(execFile)("npm", ["pack", "--json", "--pack-destination", dir], { cwd: root, encoding: "utf8" });
  const [info] = JSON.parse(out) as Array<{ filename: string }>;
  return path.join(dir, info!.filename);
}

export function writeProject(files: Record<string, string>, dir = mkdtempSync(path.join(tmpdir(), "user-project-"))): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A `headscale` command for the throwaway server, so `$(headscale apikeys create …)` runs as written. */
export function headscaleCommandDir(server: HeadscaleServer): string {
  const dir = mkdtempSync(path.join(tmpdir(), "headscale-cli-"));
  writeFileSync(path.join(dir, "headscale"), `#!/bin/sh\nexec "${headscaleBinary(server.version)}" -c "${server.configPath}" "$@"\n`);
  chmodSync(path.join(dir, "headscale"), 0o755);
  return dir;
}

const pulumiYaml = (name: string) => `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    packagemanager: npm\n`;

/** ES modules in TypeScript, resolved as a bundler would (our .d.ts must work there too); ts-node is what Pulumi needs for them. */
export const esmProject = {
  "Pulumi.yaml": pulumiYaml("user-esm"),
  "package.json": JSON.stringify(
    {
      name: "user-esm",
      type: "module",
      main: "index.ts",
      devDependencies: { "@types/node": "^22", typescript: "^5.0.0", "ts-node": "^10.9.0" },
    },
    null,
    2,
  ),
  "tsconfig.json": JSON.stringify(
    {
      compilerOptions: { strict: true, target: "es2022", module: "esnext", moduleResolution: "bundler", skipLibCheck: false },
      files: ["index.ts"],
    },
    null,
    2,
  ),
  "index.ts": `import * as headscale from "headscale-iac/pulumi";

const ops = new headscale.User("ops", { name: "ops", email: "ops@example.com" });
const policy = new headscale.Policy("policy", {
  policy: { tagOwners: { "tag:ci": ["ops@"] }, acls: [{ action: "accept", src: ["tag:ci"], dst: ["tag:ci:*"] }] },
  resetOnDestroy: true,
}, { dependsOn: [ops] });
const ci = new headscale.PreAuthKey("ci", { user: ops, tags: ["tag:ci"], reusable: true, expiration: "2h", policy });

export const opsId = ops.userId;
export const ciKeyPrefix = ci.prefix;
`,
};

/** Plain JavaScript: no TypeScript anywhere, the package loaded with require(). */
export const jsProject = {
  "Pulumi.yaml": pulumiYaml("user-js"),
  "package.json": JSON.stringify({ name: "user-js", main: "index.js" }, null, 2),
  "index.js": `"use strict";
const headscale = require("headscale-iac/pulumi");

const carol = new headscale.User("carol", { name: "carol", displayName: "Carol" });
const key = new headscale.PreAuthKey("carol-ci", { user: carol, reusable: true, expiration: "2h" });

exports.carolId = carol.userId;
exports.carolKeyPrefix = key.prefix;
`,
};
