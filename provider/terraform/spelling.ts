// How Terraform users know what core text names: attributes in snake_case, settings in the provider block
// (or their environment variables), adoption by import, references by attribute address.
import { render, settingNamed, type Message, type Spelling } from "../resources/index.js";
import { attributeName, snakeCase } from "./names.js";

export const terraformSpelling: Spelling = {
  field: (name) => attributeName(name),
  setting(key) {
    const env = settingNamed(key)?.env ?? [];
    return `${attributeName(key)} in the provider block${env.length ? ` or ${env.join(" / ")}` : ""}`;
  },
  adopt(_resource, how) {
    const id = how.importId === undefined ? "" : ` with id "${how.importId}"`;
    const field = how.field ? ` (or set ${attributeName(how.field)})` : "";
    return `import it${id} (an import block or \`terraform import\`)${field}`;
  },
  createdInRun: (resource, output) => `reference that resource's ${attributeName(output)} (headscale_${snakeCase(resource)}.<name>.${attributeName(output)})`,
};

export const renderTerraform = (message: Message): string => render(message, terraformSpelling);
