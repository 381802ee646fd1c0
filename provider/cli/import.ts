// `headscale-iac import`: reads a live server and writes a ready Pulumi, Terraform (HCL) or CDKTF project
// that adopts it. Reading goes through the resource declarations (import/read) and the run's shared lists.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { packageVersion } from "../terraform/install.js";
import { connect, connectionHelp, connectionOptions, EXIT, exitCodesHelp, parse, usageError, type Connection } from "./common.js";
import { readInventory, type Inventory } from "./inventory.js";
import { renderPulumi, type GeneratedFile } from "./render/pulumi.js";
import { renderCdktf, renderHcl } from "./render/terraform.js";

const formats = ["pulumi-ts", "hcl", "cdktf"] as const;
type Format = (typeof formats)[number];

export const importHelp = `Usage: headscale-iac import [--format pulumi-ts|hcl|cdktf] [--out DIR] [options]

Reads users, the ACL policy (verbatim, comments kept) and node tags from a live Headscale server and writes
a ready project that adopts them: the first preview/plan changes nothing and the first up/apply writes
nothing to the server.
  pulumi-ts  Pulumi.yaml, package.json, tsconfig.json, index.ts (users adoptExisting, policy overwrite
             with its current text, node tags by node id); then: npm install && pulumi up
  hcl        main.tf with resources and import blocks; then: terraform init && terraform apply
  cdktf      a project like examples/cdktf-basic (main.ts with importFrom); then: npm install &&
             npx cdktf deploy --skip-provider-lock
Pre-auth keys cannot be adopted (Headscale returns a key's secret only at creation): the live keys are
listed in a comment with prefix, owner, tags and expiry.

Options:
  --format FORMAT   pulumi-ts (default), hcl or cdktf
  --out DIR         where to write the project (default: ./headscale-<format>); must be empty or absent
  --name NAME       project name (default: the directory's name)
  --force           write into a non-empty directory (overwrites the generated files)
${connectionHelp}
  -h, --help        this help

Progress goes to stderr; a summary of what was written to stdout.

${exitCodesHelp}`;

export async function runImport(argv: string[], log: (m: string) => void, out: (m: string) => void, setConnection: (c: Connection) => void): Promise<number> {
  const { values } = parse(
    argv,
    { ...connectionOptions, format: { type: "string" }, out: { type: "string" }, name: { type: "string" }, force: { type: "boolean" } },
    "import",
  );
  if (values.help) {
    out(importHelp);
    return EXIT.ok;
  }
  const format = (values.format ?? "pulumi-ts") as Format;
  if (!formats.includes(format)) throw usageError(`--format ${values.format}: use one of ${formats.join(", ")}`, "import");
  const dir = path.resolve(values.out ?? `headscale-${format}`);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !values.force)
    throw usageError(`${dir} is not empty: choose another --out, or pass --force to overwrite the generated files`, "import");
  const projectName =
    values.name ??
    path
      .basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") ??
    "headscale";
  if (!/^[a-z0-9][a-z0-9-]*$/.test(projectName)) throw usageError(`--name ${projectName}: use letters, digits and '-'`, "import");

  const conn = connect(values, "import", log);
  setConnection(conn);
  try {
    const inv = await readInventory(conn.ctx, log);
    const generatedAt = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const files = render(format, inv, { projectName, packageVersion: packageVersion(), generatedAt });
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(path.join(dir, f.path), f.text);
    out(summary(format, dir, inv, files));
    return EXIT.ok;
  } finally {
    conn.client.close();
  }
}

function render(format: Format, inv: Inventory, opts: { projectName: string; packageVersion: string; generatedAt: string }): GeneratedFile[] {
  if (format === "pulumi-ts") return renderPulumi(inv, opts);
  if (format === "hcl") return renderHcl(inv, opts);
  return renderCdktf(inv, opts);
}

const nextSteps: Record<Format, string> = {
  "pulumi-ts": "npm install && pulumi stack init && pulumi up   # the first up adopts, writes nothing",
  hcl: "terraform init && terraform plan && terraform apply   # imports only, writes nothing (install the provider first: README)",
  cdktf: "npm install && npx cdktf deploy --skip-provider-lock   # imports only, writes nothing",
};

function summary(format: Format, dir: string, inv: Inventory, files: GeneratedFile[]): string {
  const count = (name: string) => inv.objects.filter((o) => o.kind.declaration.name === name).length;
  const lines = [
    `Wrote a ${format} project to ${dir}: ${files.map((f) => f.path).join(", ")}`,
    `  ${count("User")} user(s), ${count("Policy") ? "the policy" : "no policy (none set)"}, tags of ${count("NodeTags")} node(s)`,
    `  resources: ${inv.objects.map((o) => o.name).join(", ") || "none"}`,
  ];
  if (inv.keys.length || inv.expiredKeys)
    lines.push(`  ${inv.keys.length} live pre-auth key(s) listed as comments, not imported (Headscale returns a key's secret only when it is created)`);
  for (const n of inv.notImported) lines.push(`  not imported: ${n}`);
  lines.push(`Next: cd ${dir} && ${nextSteps[format]}`);
  return lines.join("\n");
}
