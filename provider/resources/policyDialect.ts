// The policy dialect of the connected server, from its capabilities: the policy checks know no versions.
import type { Capabilities } from "../client/index.js";
import type { PolicyDialect } from "../policy/index.js";

export function policyDialect(server: { version: string; caps: Capabilities }): PolicyDialect {
  const { caps } = server;
  return {
    version: server.version,
    unknownMembers: !caps.policyStrictMembers ? "ignored" : caps.policyFormatKnown ? "rejected" : "unsure",
    grants: caps.policyGrants,
    policyTests: caps.policyTests,
    randomizeClientPort: caps.policyRandomizeClientPort,
    tagOwnedTags: caps.policyTagOwnedTags,
    rejectsTagOwnerCycles: caps.policyRejectsTagOwnerCycles,
    aclActionOptional: caps.policyAclActionOptional,
    portsNeedNamedProto: caps.policyPortsNeedNamedProto,
    numericProto: caps.policyNumericProto,
    protoAnyCase: caps.policyProtoAnyCase,
    bracketedIpv6: caps.policyBracketedIpv6,
    userAutogroups: caps.policyUserAutogroups,
    dangerAllAutogroup: caps.policyDangerAllAutogroup,
    sshAcceptEnv: caps.policySshAcceptEnv,
    sshOwnershipRules: caps.policySshOwnershipRules,
    sshRequiresUsers: caps.policySshRequiresUsers,
    sshHostDestinations: caps.policySshHostDestinations,
  };
}
