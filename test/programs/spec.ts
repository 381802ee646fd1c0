// A Pulumi program built from a plain JSON description, so tests can declare any combination of
// resources (and change it between runs) without writing a program per case.
import * as headscale from "headscale-iac/pulumi";

export interface ProgramSpec {
  users?: Array<{ resource: string; name: string; displayName?: string; email?: string; pictureUrl?: string; deleteNodesOnDestroy?: boolean; adoptExisting?: boolean }>;
  policy?: { resource: string; policy: string | object; overwrite?: boolean; resetOnDestroy?: boolean };
  keys?: Array<{ resource: string; user?: string; userResource?: string; tags?: string[]; reusable?: boolean; ephemeral?: boolean; expiration?: string; rotateBefore?: string; recreateIfInvalid?: boolean; expired?: boolean; checkAgainstPolicy?: boolean }>;
  nodeTags?: Array<{ resource: string; nodeId?: string; nodeName?: string; waitFor?: string; tags: string[]; checkAgainstPolicy?: boolean }>;
}

export function programFromSpec(spec: ProgramSpec) {
  return async () => {
    const users = Object.fromEntries((spec.users ?? []).map(({ resource, ...args }) => [resource, new headscale.User(resource, args)]));
    const policy = spec.policy ? new headscale.Policy(spec.policy.resource, { policy: spec.policy.policy as string, overwrite: spec.policy.overwrite, resetOnDestroy: spec.policy.resetOnDestroy }) : undefined;
    const keys = Object.fromEntries(
      (spec.keys ?? []).map(({ resource, userResource, checkAgainstPolicy, ...args }) => [
        resource,
        new headscale.PreAuthKey(resource, { ...args, user: userResource ? users[userResource] : args.user, ...(checkAgainstPolicy && policy ? { policy } : {}) }, policy ? { dependsOn: [policy] } : {}),
      ]),
    );
    for (const { resource, checkAgainstPolicy, ...args } of spec.nodeTags ?? []) {
      new headscale.NodeTags(resource, { ...args, ...(checkAgainstPolicy && policy ? { policy } : {}) }, policy ? { dependsOn: [policy] } : {});
    }
    return {
      userIds: Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u.userId])),
      keys: Object.fromEntries(Object.entries(keys).map(([k, key]) => [k, key.key])),
      keyIds: Object.fromEntries(Object.entries(keys).map(([k, key]) => [k, key.keyId])),
    };
  };
}
