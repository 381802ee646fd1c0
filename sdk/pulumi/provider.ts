// The object Pulumi serializes into every resource's state. It must stay tiny and capture nothing but
// the resource name: each method loads the engine by the package's own name inside the provider host.
import type * as pulumi from "@pulumi/pulumi";

export function dynamicProvider(resourceName: string): pulumi.dynamic.ResourceProvider {
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
