// A Pulumi program built from a plain JSON description, so tests can declare any combination of
// resources (and change it between runs) without writing a program per case.
import * as headscale from "headscale-iac/pulumi";

export interface ProgramSpec {
  users?: Array<{
    resource: string;
    name: string;
    displayName?: string;
    email?: string;
    pictureUrl?: string;
    deleteNodesOnDestroy?: boolean;
    adoptExisting?: boolean;
  }>;
  policy?: {
    resource: string;
    policy?: string | object;
    fragments?: Record<string, string>;
    overwrite?: boolean;
    resetOnDestroy?: boolean;
  };
  keys?: Array<{
    resource: string;
    user?: string;
    userResource?: string;
    tags?: string[];
    reusable?: boolean;
    ephemeral?: boolean;
    expiration?: string;
    rotateBefore?: string;
    recreateIfInvalid?: boolean;
    expired?: boolean;
    checkAgainstPolicy?: boolean;
  }>;
  nodeTags?: Array<{
    resource: string;
    nodeId?: string;
    nodeName?: string;
    waitFor?: string;
    tags: string[];
    checkAgainstPolicy?: boolean;
  }>;
  nodeRoutes?: Array<{
    resource: string;
    nodeId?: string;
    nodeName?: string;
    waitFor?: string;
    routes?: string[];
    exitNode?: boolean;
    waitForAdvertised?: string;
  }>;
  apiKeys?: Array<{ resource: string; expiration?: string; rotateBefore?: string }>;
  nodes?: Array<{
    resource: string;
    nodeId?: string;
    nodeName?: string;
    waitFor?: string;
    givenName?: string;
    keyExpiry?: string;
    deleteOnDestroy?: boolean;
  }>;
}

export function programFromSpec(spec: ProgramSpec) {
  return async () => {
    const users = Object.fromEntries((spec.users ?? []).map(({ resource, ...args }) => [resource, new headscale.User(resource, args)]));
    const policy = spec.policy
      ? new headscale.Policy(spec.policy.resource, {
          policy: spec.policy.policy as string | undefined,
          fragments: spec.policy.fragments,
          overwrite: spec.policy.overwrite,
          resetOnDestroy: spec.policy.resetOnDestroy,
        })
      : undefined;
    const keys = Object.fromEntries(
      (spec.keys ?? []).map(({ resource, userResource, checkAgainstPolicy, ...args }) => [
        resource,
        new headscale.PreAuthKey(
          resource,
          { ...args, user: userResource ? users[userResource] : args.user, ...(checkAgainstPolicy && policy ? { policy } : {}) },
          policy ? { dependsOn: [policy] } : {},
        ),
      ]),
    );
    for (const { resource, checkAgainstPolicy, ...args } of spec.nodeTags ?? []) {
      new headscale.NodeTags(resource, { ...args, ...(checkAgainstPolicy && policy ? { policy } : {}) }, policy ? { dependsOn: [policy] } : {});
    }
    const routes = Object.fromEntries((spec.nodeRoutes ?? []).map(({ resource, ...args }) => [resource, new headscale.NodeRoutes(resource, args)]));
    const apiKeys = Object.fromEntries((spec.apiKeys ?? []).map(({ resource, ...args }) => [resource, new headscale.ApiKey(resource, args)]));
    const nodes = Object.fromEntries((spec.nodes ?? []).map(({ resource, ...args }) => [resource, new headscale.Node(resource, args)]));
    return {
      routes: Object.fromEntries(
        Object.entries(routes).map(([k, r]) => [
          k,
          { approved: r.approvedRoutes, served: r.servedRoutes, advertised: r.advertisedRoutes, nodeId: r.resolvedNodeId },
        ]),
      ),
      apiKeys: Object.fromEntries(Object.entries(apiKeys).map(([k, a]) => [k, a.key])),
      apiKeyPrefixes: Object.fromEntries(Object.entries(apiKeys).map(([k, a]) => [k, a.prefix])),
      nodes: Object.fromEntries(Object.entries(nodes).map(([k, n]) => [k, { id: n.resolvedNodeId, name: n.name, user: n.user, expiry: n.expiry }])),
      userIds: Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.userId])),
      keys: Object.fromEntries(Object.entries(keys).map(([k, key]) => [k, key.key])),
      keyIds: Object.fromEntries(Object.entries(keys).map(([k, key]) => [k, key.keyId])),
    };
  };
}
