// Data lookups for Pulumi programs. They run in the program itself with the same credentials the
// resources use (stack config headscale:url / headscale:apiKey, or HEADSCALE_URL / HEADSCALE_API_KEY).
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { HeadscaleClient } from "../../provider/client/index.js";
import { ApiKeysLookup, createContext, NodesLookup, PolicyLookup, PreAuthKeysLookup, UserLookup, UsersLookup, type DataSourceDeclaration } from "../../provider/resources/index.js";

function clientFromConfig(): HeadscaleClient {
  const cfg = new pulumi.Config("headscale");
  const url = cfg.get("url") ?? process.env.HEADSCALE_URL ?? "";
  const apiKey = cfg.get("apiKey") ?? process.env.HEADSCALE_API_KEY ?? "";
  const caCertificate = cfg.get("caCertificate") ?? process.env.HEADSCALE_CA_CERTIFICATE;
  const allowInsecureHttp = /^(1|true|yes)$/i.test(cfg.get("allowInsecureHttp") ?? process.env.HEADSCALE_ALLOW_INSECURE_HTTP ?? "");
  return new HeadscaleClient({ url, apiKey, allowInsecureHttp, ...(caCertificate ? { caCertificate } : {}) });
}

async function lookup<D extends DataSourceDeclaration>(decl: D, args: z.input<D["args"]>): Promise<z.infer<D["result"]>> {
  const client = clientFromConfig();
  try {
    return (await decl.read(createContext(client), decl.args.parse(args))) as z.infer<D["result"]>;
  } finally {
    client.close();
  }
}

export const getUsers = (args: z.input<(typeof UsersLookup)["args"]> = {}) => lookup(UsersLookup, args);
export const getUser = (args: z.input<(typeof UserLookup)["args"]>) => lookup(UserLookup, args);
export const getNodes = (args: z.input<(typeof NodesLookup)["args"]> = {}) => lookup(NodesLookup, args);
export const getPolicy = () => lookup(PolicyLookup, {});
export const getPreAuthKeys = (args: z.input<(typeof PreAuthKeysLookup)["args"]> = {}) => lookup(PreAuthKeysLookup, args);
export const getApiKeys = () => lookup(ApiKeysLookup, {});
