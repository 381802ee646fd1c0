// The object Pulumi serializes into every resource's state. It must stay tiny and capture nothing but
// the resource name: each method loads the engine by the package's own name inside the provider host.
import type * as pulumi from "@pulumi/pulumi";

// One provider object per resource type, not per resource: Pulumi caches the serialized provider by
// object identity, and serializing a closure (V8 inspector round trips) was most of a preview's time,
// once per resource. The provider host likewise deserializes each distinct text once.
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

export function dynamicProvider(resourceName: string): pulumi.dynamic.ResourceProvider {
  let provider = providers.get(resourceName);
  if (!provider) providers.set(resourceName, (provider = providerFor(resourceName)));
  return provider;
}

function providerFor(resourceName: string): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      (await import("headscale-iac/pulumi-engine")).configure(req.config);
    },
    async check(olds, news) {
      return (await import("headscale-iac/pulumi-engine")).check(resourceName, olds, news);
    },
    async diff(id, olds, news) {
      return (await import("headscale-iac/pulumi-engine")).diff(resourceName, id, olds, news);
    },
    async create(inputs) {
      return (await import("headscale-iac/pulumi-engine")).create(resourceName, inputs);
    },
    async read(id, props) {
      return (await import("headscale-iac/pulumi-engine")).read(resourceName, id, props);
    },
    async update(id, olds, news) {
      return (await import("headscale-iac/pulumi-engine")).update(resourceName, id, olds, news);
    },
    async delete(id, props) {
      await (await import("headscale-iac/pulumi-engine")).remove(resourceName, id, props);
    },
  };
}
