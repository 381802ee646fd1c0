// Reference documentation, derived from the declarations (never written by hand): docs/resources.md.
//   node dist/provider/docs.js > docs/resources.md
// Fields, types and kinds come from the core's field description (provider/resources/fields.ts), the
// same one the Terraform schema is built from, so "set of"/"list of" here is what Terraform sees.
import { pathToFileURL } from "node:url";
import {
  dataSourceFields,
  dataSources,
  fieldType,
  isOptionalInput,
  providerSettings,
  render,
  resourceFields,
  resources,
  settingDescription,
  settingNamed,
  typeWords,
  type DataSourceDeclaration,
  type FieldSource,
  type ResourceDeclaration,
  type Spelling,
} from "./resources/index.js";
import { attributeName, snakeCase } from "./terraform/names.js";

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** The reference serves both frontends: fields as in its Pulumi column, the rest in both spellings. */
const docsSpelling: Spelling = {
  field: (name) => name,
  setting: (key) => `headscale:${key} / ${attributeName(key)} / ${settingNamed(key)?.env.join(" / ") ?? ""}`,
  adopt: (resource, how) => [how.field ? `set ${how.field}` : "", "Terraform: import it"].filter(Boolean).join("; "),
  createdInRun: (resource, output) =>
    `its ${output} output (Terraform \`headscale_${snakeCase(resource)}.<name>.${attributeName(output)}\`, Pulumi: the ${resource} resource itself)`,
};

function table(fields: FieldSource[], where: string): string {
  const rows = fields.map(({ key, schema, meta, input }) => {
    const kind = meta?.computed || !input ? "output" : isOptionalInput(schema) ? "optional" : "required";
    const flags = [meta?.secret ? "secret" : "", meta?.forcesReplacement ? "replaces" : ""].filter(Boolean).join(", ");
    return `| \`${key}\` | \`${attributeName(key)}\` | ${typeWords(fieldType(schema, `${where}.${key}`))} | ${kind}${flags ? ` (${flags})` : ""} | ${cell(meta ? render(meta.description, docsSpelling) : "")} |`;
  });
  return ["| Pulumi | Terraform | type | kind | description |", "|---|---|---|---|---|", ...rows].join("\n");
}

function resourceDoc(d: ResourceDeclaration): string {
  return `## ${d.name} (\`headscale_${snakeCase(d.name)}\`)\n\n${d.description}\n\n${table(resourceFields(d), d.name)}\n${d.import ? "\nImport: supported (Terraform `import` blocks / `terraform import`).\n" : "\nImport: not supported.\n"}`;
}

function dataSourceDoc(d: DataSourceDeclaration): string {
  return `## ${d.name} lookup (\`data.headscale_${snakeCase(d.name)}\`, Pulumi \`get${d.name}\`)\n\n${d.description}\n\n${table(dataSourceFields(d), d.name)}\n`;
}

function settingsDoc(): string {
  const rows = providerSettings.map(
    (s) =>
      `| \`headscale:${s.key}\` | \`${attributeName(s.key)}\` | ${s.env.map((e) => `\`${e}\``).join(", ")} | ${s.type}${s.secret ? " (secret)" : ""} | ${cell(settingDescription(s))} |`,
  );
  return [
    "# Provider settings",
    "",
    "Read when the provider runs, never stored in the state: Pulumi stack config, the Terraform provider block, else the environment variable.",
    "",
    "| Pulumi config | Terraform | environment | type | description |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

export function referenceDocs(): string {
  return [
    "# Resource reference",
    "",
    "Generated from the resource declarations in `provider/resources/` by `npm run docs`; do not edit by hand.",
    "Kinds: *required*/*optional* inputs, *output* values set by the server; *replaces*: a change replaces the object; *secret*: encrypted in Pulumi state, sensitive in Terraform.",
    "",
    settingsDoc(),
    ...resources.map(resourceDoc),
    "# Data lookups",
    "",
    ...dataSources.map(dataSourceDoc),
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.stdout.write(referenceDocs());
