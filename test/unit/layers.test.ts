// The layers, enforced by reading every import (TypeScript's own pre-processor: strings in code that only
// look like imports, such as rendered programs, do not count):
//   client     imports no resource or frontend code (only the policy package's dependency-free naming rules)
//   policy     imports nothing else of ours
//   resources  imports client and policy, never a frontend
//   frontends  (terraform, sdk/pulumi, sdk/cdktf, cli) import only provider/resources and their own files
// A known violation is listed below with the reason; the test fails when one is fixed (remove it here)
// as much as when a new one appears.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { root } from "../harness/tools.js";

type Layer = "client" | "policy" | "resources" | "terraform" | "pulumi" | "cdktf" | "cli" | "docs" | "entry";

const LAYERS: Array<[prefix: string, layer: Layer]> = [
  ["provider/client/", "client"],
  ["provider/policy/", "policy"],
  ["provider/resources/", "resources"],
  ["provider/terraform/", "terraform"],
  ["provider/cli/", "cli"],
  ["sdk/pulumi/", "pulumi"],
  ["sdk/cdktf/", "cdktf"],
  ["provider/docs.ts", "docs"],
  ["provider/index.ts", "entry"],
];
const FRONTENDS: Layer[] = ["terraform", "pulumi", "cdktf", "cli"];

/** What each layer may import besides its own files. */
const ALLOWED: Record<Layer, Layer[]> = {
  client: ["policy"],
  policy: [],
  resources: ["client", "policy"],
  terraform: ["resources"],
  pulumi: ["resources"],
  cdktf: ["resources"],
  cli: ["resources"],
  // The reference documents both frontends: it takes Terraform's naming rules from the Terraform layer.
  docs: ["resources", "terraform"],
  // The package's root entry re-exports the engine for programs that use it directly.
  entry: ["client", "resources", "policy"],
};

/**
 * Imports that break the rules today, each with why it is still here. `from -> to`, repository paths.
 * (The policy package's import of the client's version module was one, until issue 15 item 4 removed it.)
 */
const KNOWN_VIOLATIONS = new Set([
  // The CLI writes Terraform and CDKTF programs: it spells attributes and the provider source as Terraform does.
  "provider/cli/render/terraform.ts -> provider/terraform/names.ts",
  "provider/cli/render/terraform.ts -> provider/terraform/install.ts",
  // The package version (read from package.json) lives with the Terraform installer.
  "provider/cli/import.ts -> provider/terraform/install.ts",
  // The CDKTF bindings are generated from the installed Terraform provider's schema.
  "sdk/cdktf/generate.ts -> provider/terraform/install.ts",
]);

function layerOf(file: string): Layer | undefined {
  return LAYERS.find(([prefix]) => file === prefix || file.startsWith(prefix))?.[1];
}

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith(path.join("sdk", "cdktf", "generated"))); // generated bindings import only cdktf
}

/** Relative imports of a file, as repository paths of .ts files. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(root, file), "utf8"), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => path.relative(root, path.resolve(path.dirname(path.join(root, file)), spec)).replace(/\.js$/, ".ts"));
}

describe("layers", () => {
  const files = [...sources("provider"), ...sources("sdk")];
  const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

  it("reads the imports it checks", () => {
    expect(files.length).toBeGreaterThan(40);
    // The scan sees real edges (a scan that found none would pass every rule).
    expect(edges).toContainEqual({ from: "provider/terraform/headscale.ts", to: "provider/resources/index.ts" });
  });

  it("every import follows the layer rules, apart from the listed known violations", () => {
    const violations = edges
      .filter(({ from, to }) => {
        const a = layerOf(from);
        const b = layerOf(to);
        return a && b && a !== b && !ALLOWED[a].includes(b);
      })
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(violations.filter((v) => !KNOWN_VIOLATIONS.has(v))).toEqual([]);
    // A known violation that is gone must leave the list, so the rule then holds for it too.
    expect([...KNOWN_VIOLATIONS].filter((v) => !violations.includes(v))).toEqual([]);
  });

  it("frontends never import each other", () => {
    const crossings = edges.filter(({ from, to }) => {
      const a = layerOf(from);
      const b = layerOf(to);
      return a && b && a !== b && FRONTENDS.includes(a) && FRONTENDS.includes(b);
    });
    expect(crossings.map(({ from, to }) => `${from} -> ${to}`).filter((v) => !KNOWN_VIOLATIONS.has(v))).toEqual([]);
  });

  it("declarations and the Pulumi SDK need no type escapes", () => {
    const escapes = [...sources("provider/resources"), ...sources("sdk")].flatMap((f) =>
      readFileSync(path.join(root, f), "utf8")
        .split("\n")
        .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
        .filter(({ line }) => /\bas unknown as\b|\bas never\b/.test(line)),
    );
    expect(escapes.map((e) => e.where)).toEqual([]);
  });
});
