// Pulumi resources: thin classes whose argument and output types are derived from the declarations.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import {
  ApiKey as ApiKeyDecl,
  metaOf,
  Node as NodeDecl,
  policyToText,
  type PolicyObject,
  NodeRoutes as NodeRoutesDecl,
  NodeTags as NodeTagsDecl,
  Policy as PolicyDecl,
  PreAuthKey as PreAuthKeyDecl,
  storedText,
  User as UserDecl,
} from "../../provider/resources/index.js";
import { dynamicType, PROVIDER_KEY, providerText } from "./provider.js";

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };
type Outputs<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K]> };
type StateOf<D extends { state: z.ZodType }> = z.infer<D["state"]>;
type ArgsOf<D extends { args: z.ZodType }> = z.input<D["args"]>;

/** Every state field is declared as an (initially undefined) input so Pulumi exposes it as an output. */
function withOutputs(decl: { state: z.ZodObject }, args: object): Record<string, unknown> {
  return { ...Object.fromEntries(Object.keys(decl.state.shape).map((k) => [k, undefined])), ...args };
}

/** Outputs whose metadata says `secret` (a key's value): encrypted in the state, masked in output. */
function secretOutputs(decl: { state: z.ZodObject }): string[] {
  return Object.entries(decl.state.shape as Record<string, z.ZodType>)
    .filter(([, s]) => metaOf(s)?.secret)
    .map(([k]) => k);
}

/**
 * A dynamic resource, as `pulumi.dynamic.Resource` makes one (its type token and its `__provider` input),
 * with the provider text written once per type instead of a serialized closure (provider.ts says why).
 */
abstract class HeadscaleResource extends pulumi.CustomResource {
  constructor(type: string, decl: { state: z.ZodObject }, name: string, args: object, opts?: pulumi.CustomResourceOptions) {
    const secrets = secretOutputs(decl);
    const options = secrets.length ? { ...opts, additionalSecretOutputs: [...secrets, ...(opts?.additionalSecretOutputs ?? [])] } : opts;
    super(dynamicType(type), name, { ...withOutputs(decl, args), [PROVIDER_KEY]: providerText(type) }, options);
  }
}

export type UserArgs = Inputs<ArgsOf<typeof UserDecl>>;
export interface User extends Outputs<StateOf<typeof UserDecl>> {}
export class User extends HeadscaleResource {
  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    super("User", UserDecl, name, args, opts);
  }
}

export type PolicyArgs = Omit<Inputs<ArgsOf<typeof PolicyDecl>>, "policy" | "fragments"> & {
  /** HuJSON text, or the policy as an object. Optional when fragments are given. */
  policy?: pulumi.Input<string | PolicyObject>;
  /** Parts of the policy by name, each HuJSON text with only the sections it contributes; merged with `policy`. */
  fragments?: pulumi.Input<Record<string, pulumi.Input<string>>>;
};
export interface Policy extends Outputs<StateOf<typeof PolicyDecl>> {}
export class Policy extends HeadscaleResource {
  constructor(name: string, args: PolicyArgs, opts?: pulumi.CustomResourceOptions) {
    const policy =
      args.policy === undefined ? undefined : pulumi.output(args.policy).apply((p) => (typeof p === "string" ? p : policyToText(p as PolicyObject)));
    super("Policy", PolicyDecl, name, { ...args, policy }, opts);
    // From the inputs, not the outputs: an output the program did not set is unknown at preview.
    mergedTexts.set(
      this,
      pulumi
        .all([policy, pulumi.output(args.fragments ?? {})])
        .apply(([text, fragments]) => storedText({ policy: text, fragments: fragments as Record<string, string> }) ?? text ?? ""),
    );
  }
}

/** Each Policy's own text merged with its fragments: what the server will hold, known at preview. */
const mergedTexts = new WeakMap<Policy, pulumi.Output<string>>();

/** A policy to check tags against: a Policy resource (planned in the same program) or its text. */
type PolicyRef = Policy | pulumi.Input<string>;
const policyText = (p: PolicyRef | undefined) => (p instanceof Policy ? (mergedTexts.get(p) ?? p.policy) : p);

export type PreAuthKeyArgs = Omit<Inputs<ArgsOf<typeof PreAuthKeyDecl>>, "user" | "policy"> & {
  /** Owning user: a User resource, or a user name or id. */
  user?: User | pulumi.Input<string>;
  policy?: PolicyRef;
};
export interface PreAuthKey extends Outputs<StateOf<typeof PreAuthKeyDecl>> {}
export class PreAuthKey extends HeadscaleResource {
  constructor(name: string, args: PreAuthKeyArgs, opts?: pulumi.CustomResourceOptions) {
    // A User resource is referenced by id: unknown until it exists, so preview does not look it up early.
    const user = args.user instanceof User ? args.user.userId : args.user;
    // Headscale deletes a user's keys with the user: when both go, only the user is deleted, so a user that
    // cannot be deleted (it owns nodes) stops the run before anything is written.
    const deletedWith = args.user instanceof User ? { deletedWith: args.user } : {};
    super("PreAuthKey", PreAuthKeyDecl, name, { ...args, user, policy: policyText(args.policy) }, { ...deletedWith, ...opts });
  }
}

export type NodeTagsArgs = Omit<Inputs<ArgsOf<typeof NodeTagsDecl>>, "policy"> & { policy?: PolicyRef };
export interface NodeTags extends Outputs<StateOf<typeof NodeTagsDecl>> {}
export class NodeTags extends HeadscaleResource {
  constructor(name: string, args: NodeTagsArgs, opts?: pulumi.CustomResourceOptions) {
    super("NodeTags", NodeTagsDecl, name, { ...args, policy: policyText(args.policy) }, opts);
  }
}

export type NodeRoutesArgs = Inputs<ArgsOf<typeof NodeRoutesDecl>>;
export interface NodeRoutes extends Outputs<StateOf<typeof NodeRoutesDecl>> {}
export class NodeRoutes extends HeadscaleResource {
  constructor(name: string, args: NodeRoutesArgs, opts?: pulumi.CustomResourceOptions) {
    super("NodeRoutes", NodeRoutesDecl, name, args, opts);
  }
}

export type ApiKeyArgs = Inputs<ArgsOf<typeof ApiKeyDecl>>;
export interface ApiKey extends Outputs<StateOf<typeof ApiKeyDecl>> {}
export class ApiKey extends HeadscaleResource {
  constructor(name: string, args: ApiKeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super("ApiKey", ApiKeyDecl, name, args, opts); // `key` is secret by its metadata
  }
}

export type NodeArgs = Inputs<ArgsOf<typeof NodeDecl>>;
export interface Node extends Outputs<StateOf<typeof NodeDecl>> {}
export class Node extends HeadscaleResource {
  constructor(name: string, args: NodeArgs, opts?: pulumi.CustomResourceOptions) {
    super("Node", NodeDecl, name, args, opts);
  }
}
