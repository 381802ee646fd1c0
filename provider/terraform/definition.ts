// What the Terraform server serves: the declarations plus how to connect. The server is generic over
// this, so tests can serve fake declarations through the very same code.
import type { z } from "zod";
import type { Context, DataSourceDeclaration, Problem, ResourceDeclaration } from "../resources/declaration.js";

export interface ProviderDefinition {
  /** Type-name prefix: "headscale" gives headscale_user, headscale_pre_auth_key, … */
  name: string;
  description: string;
  /** The provider block's fields, declared like resource args (with `field()` metadata). */
  config: z.ZodObject;
  resources: ResourceDeclaration[];
  dataSources: DataSourceDeclaration[];
  /** The per-run context from the parsed provider block; throw ConfigurationProblems for bad settings. */
  connect(config: Record<string, unknown>): Context | Promise<Context>;
}

/** Problems with the provider block, reported on the attributes they are about (the core's own class). */
export { SettingsProblems as ConfigurationProblems } from "../resources/index.js";
