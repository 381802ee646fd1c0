// The headscale provider as Terraform/OpenTofu see it: the registry of declarations plus the provider
// block (declared with zod like any resource, so its schema is derived the same way).
import { z } from "zod";
import { HeadscaleClient } from "../client/index.js";
import { createContext, dataSources, field, resources } from "../resources/index.js";
import { ConfigurationProblems, type ProviderDefinition } from "./definition.js";
import { log } from "./serve.js";

const config = z.object({
  url: field(z.string().optional(), {
    description: "Base URL of the Headscale server, e.g. https://headscale.example.com. Defaults to $HEADSCALE_URL.",
  }),
  apiKey: field(z.string().optional(), {
    description: "Headscale API key (`headscale apikeys create`). Defaults to $HEADSCALE_API_KEY.",
    secret: true,
  }),
  caCertificate: field(z.string().optional(), {
    description: "PEM certificate(s) of a CA to trust in addition to the system store (self-signed or private CA).",
  }),
  allowInsecureHttp: field(z.boolean().optional(), {
    description: "Allow plain http:// to a host other than loopback; the API key then travels in clear. Default false.",
  }),
});

export const headscaleProvider: ProviderDefinition = {
  name: "headscale",
  description: "Manage Headscale users, pre-auth keys, node tags and the ACL policy.",
  config,
  resources,
  dataSources,
  connect(settings) {
    const c = settings as z.infer<typeof config>;
    const url = c.url ?? process.env.HEADSCALE_URL;
    const apiKey = c.apiKey ?? process.env.HEADSCALE_API_KEY;
    const problems = [
      ...(url ? [] : [{ field: "url", message: "the Headscale URL is not set: set url in the provider block or HEADSCALE_URL" }]),
      ...(apiKey ? [] : [{ field: "apiKey", message: "the API key is not set: set api_key in the provider block or HEADSCALE_API_KEY" }]),
    ];
    if (problems.length) throw new ConfigurationProblems(problems);
    try {
      const client = new HeadscaleClient({ url: url!, apiKey: apiKey!, caCertificate: c.caCertificate, allowInsecureHttp: c.allowInsecureHttp });
      return createContext(client, log);
    } catch (e) {
      // The client checks the URL and the TLS settings up front: report that on the url attribute.
      throw new ConfigurationProblems([{ field: "url", message: e instanceof Error ? e.message : String(e) }]);
    }
  },
};
