// What Pulumi stores as `__provider` in every dynamic resource's inputs and outputs, and what its
// dynamic-provider host runs: CommonJS text whose `handler()` returns the provider object. The host loads
// it with require-from-string, caches it by its text, and calls its methods for each resource.
//
// We write that text ourselves instead of letting `pulumi.dynamic.Resource` serialize a closure: the
// serialized closure was 2.7 KB (each method wrapped in the serializer's scaffolding, found through V8
// inspector round trips), stored twice per resource and sent with every Check, Diff and engine event.
// Measured at 201 resources, a 20 KB provider doubled `pulumi up` and made preview 60 % slower: the size is
// paid per resource, per call. (Pulumi 3.248's runtime still loads its closure serializer at start-up.)
// The text captures nothing: it loads the engine by the package's own name inside the host (credentials
// are read there, never stored) and names the resource type, nothing else.

const ENGINE = "headscale-iac/pulumi-engine";

/** The input and output Pulumi keeps a dynamic resource's provider text in. */
export const PROVIDER_KEY = "__provider";

/** The `__provider` text for one resource type (a declaration's name, e.g. "User"). */
export function providerText(resourceName: string): string {
  const type = JSON.stringify(resourceName);
  return [
    `const engine = () => import(${JSON.stringify(ENGINE)});`,
    `exports.handler = () => ({`,
    `  configure: async (req) => (await engine()).configure(req.config),`,
    `  check: async (olds, news) => (await engine()).check(${type}, olds, news),`,
    `  diff: async (id, olds, news) => (await engine()).diff(${type}, id, olds, news),`,
    `  create: async (inputs) => (await engine()).create(${type}, inputs),`,
    `  read: async (id, props) => (await engine()).read(${type}, id, props),`,
    `  update: async (id, olds, news) => (await engine()).update(${type}, id, olds, news),`,
    `  delete: async (id, props) => { await (await engine()).remove(${type}, id, props); },`,
    `});`,
  ].join("\n");
}

/** The type token Pulumi gives a dynamic resource (`pulumi-nodejs` is the dynamic-provider host's package). */
export const dynamicType = (resourceName: string): string => `pulumi-nodejs:dynamic/headscale:${resourceName}`;
