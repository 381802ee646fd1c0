// Data lookups for Pulumi programs. They run in the program itself with the same settings the resources
// use (stack config headscale:<setting>, else the environment; the core's settings and `connect`).
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
  ApiKeysLookup,
  connect,
  NodesLookup,
  PolicyLookup,
  PreAuthKeysLookup,
  SettingsProblems,
  UserLookup,
  UsersLookup,
  type DataSourceDeclaration,
} from "../../provider/resources/index.js";
import { configValues, renderPulumi } from "./spelling.js";

async function lookup<A extends z.ZodObject, R extends z.ZodObject>(decl: DataSourceDeclaration<A, R>, args: z.input<A>): Promise<z.infer<R>> {
  let ctx;
  try {
    const config = new pulumi.Config("headscale");
    ctx = connect(configValues((key) => config.get(key)));
  } catch (e) {
    if (e instanceof SettingsProblems) throw new Error(e.problems.map((p) => `headscale:${p.field}: ${renderPulumi(p.message)}`).join("\n"));
    throw e;
  }
  try {
    return await decl.read(ctx, decl.args.parse(args));
  } finally {
    ctx.client.close();
  }
}

export const getUsers = (args: z.input<(typeof UsersLookup)["args"]> = {}) => lookup(UsersLookup, args);
export const getUser = (args: z.input<(typeof UserLookup)["args"]>) => lookup(UserLookup, args);
export const getNodes = (args: z.input<(typeof NodesLookup)["args"]> = {}) => lookup(NodesLookup, args);
export const getPolicy = () => lookup(PolicyLookup, {});
export const getPreAuthKeys = (args: z.input<(typeof PreAuthKeysLookup)["args"]> = {}) => lookup(PreAuthKeysLookup, args);
export const getApiKeys = () => lookup(ApiKeysLookup, {});
