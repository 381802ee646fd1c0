// The headscale provider as Terraform/OpenTofu see it: the registry of declarations plus the provider
// block, whose attributes are the core's settings (provider/resources/settings.ts), so Terraform honours
// every setting and environment variable Pulumi does.
import { connect, dataSources, resources, settingsSchema, type SettingValues } from "../resources/index.js";
import type { ProviderDefinition } from "./definition.js";
import { log } from "./serve.js";
import { renderTerraform } from "./spelling.js";

export const headscaleProvider: ProviderDefinition = {
  name: "headscale",
  description: "Manage Headscale users, pre-auth keys, node tags and the ACL policy.",
  config: settingsSchema,
  resources,
  dataSources,
  connect(settings) {
    return connect(settings as SettingValues, (m) => log(renderTerraform(m)));
  },
};
