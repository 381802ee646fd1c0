// Reference documentation, derived from the declarations (never written by hand): docs/resources.md.
//   node dist/provider/docs.js > docs/resources.md
import { pathToFileURL } from "node:url";
import type { z } from "zod";
import { dataSources, metaOf, resources, type DataSourceDeclaration, type ResourceDeclaration } from "./resources/index.js";
import { attributeName, snakeCase } from "./terraform/names.js";

function typeOf(schema: z.ZodType): string {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } } })._zod.def;
  if (def.innerType) return typeOf(def.innerType);
  // A `set` field: order and duplicates never matter (an array in Pulumi, a set in Terraform).
  if (def.type === "array" && def.element) return `${metaOf(schema)?.set ? "set" : "list"} of ${typeOf(def.element)}`;
  return def.type;
}

const optional = (schema: z.ZodType) => schema.safeParse(undefined).success;

function table(shape: Record<string, z.ZodType>, inputsOnly: boolean): string {
  const rows = Object.entries(shape).map(([name, s]) => {
    const m = metaOf(s);
    const kind = m?.computed ? "output" : optional(s) ? "optional" : "required";
    if (inputsOnly && m?.computed) return "";
    const flags = [m?.secret ? "secret" : "", m?.forcesReplacement ? "replaces" : ""].filter(Boolean).join(", ");
    return `| \`${name}\` | \`${attributeName(name)}\` | ${typeOf(s)} | ${kind}${flags ? ` (${flags})` : ""} | ${(m?.description ?? "").replace(/\|/g, "\\|")} |`;
  });
  return ["| Pulumi | Terraform | type | kind | description |", "|---|---|---|---|---|", ...rows.filter(Boolean)].join("\n");
}

function resourceDoc(d: ResourceDeclaration): string {
  return `## ${d.name} (\`headscale_${snakeCase(d.name)}\`)\n\n${d.description}\n\n${table(d.state.shape as Record<string, z.ZodType>, false)}\n${d.import ? "\nImport: supported (Terraform `import` blocks / `terraform import`).\n" : "\nImport: not supported.\n"}`;
}

function dataSourceDoc(d: DataSourceDeclaration): string {
  const shape = { ...(d.args.shape as Record<string, z.ZodType>), ...(d.result.shape as Record<string, z.ZodType>) };
  return `## ${d.name} lookup (\`data.headscale_${snakeCase(d.name)}\`, Pulumi \`get${d.name}\`)\n\n${d.description}\n\n${table(shape, false)}\n`;
}

export function referenceDocs(): string {
  return [
    "# Resource reference",
    "",
    "Generated from the resource declarations in `provider/resources/` by `npm run docs`; do not edit by hand.",
    "Kinds: *required*/*optional* inputs, *output* values set by the server; *replaces*: a change replaces the object; *secret*: encrypted in Pulumi state, sensitive in Terraform.",
    "",
    ...resources.map(resourceDoc),
    "# Data lookups",
    "",
    ...dataSources.map(dataSourceDoc),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.stdout.write(referenceDocs());
