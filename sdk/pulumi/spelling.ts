// How Pulumi users know what core text names: fields in camelCase (the declarations' own spelling),
// settings as stack config `headscale:<key>` (or their environment variables), adoption through the
// resource's own field or a lookup, references by passing the resource itself.
import { providerSettings, render, settingNamed, type Message, type SettingValues, type Spelling } from "../../provider/resources/index.js";

export const pulumiSpelling: Spelling = {
  field: (name) => name,
  setting(key) {
    const s = settingNamed(key);
    const env = s?.env ?? [];
    return `\`pulumi config set${s?.secret ? " --secret" : ""} headscale:${key} …\`${env.length ? ` or ${env.join(" / ")}` : ""}`;
  },
  adopt(resource, how) {
    if (how.field) return `set ${how.field}`;
    if (how.lookup) return `copy the current ${resource.toLowerCase()} from the headscale.get${how.lookup}() lookup into your program`;
    return `adopt the existing ${resource}`;
  },
  createdInRun: (resource) => `pass the ${resource} resource itself`,
};

export const renderPulumi = (message: Message): string => render(message, pulumiSpelling);

/** The stack config (`headscale:<key>`, read by `get(key)`) of every core setting; env and defaults are the core's. */
export function configValues(get: (key: string) => string | undefined): SettingValues {
  return Object.fromEntries(providerSettings.map((s) => [s.key, get(s.key)]));
}
