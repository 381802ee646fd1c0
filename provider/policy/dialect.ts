// The policy dialect a server speaks: what its policy parser accepts, rejects or ignores. The policy package
// knows no version numbers; provider/resources/policyDialect.ts builds a dialect from the server's
// capabilities (provider/client/version.ts is the one place that maps versions to them).

export interface PolicyDialect {
  /** The server's version for messages ("the server runs 0.28.0"); undefined when the server is not known. */
  version?: string;
  /**
   * Members a section or entry does not define, and a section spelled twice: "ignored" (0.26's lenient
   * decoder drops them and keeps the last duplicate), "rejected" (0.27+'s strict decoder fails), "unsure" (a
   * server newer than these checks, or none: an unknown member may be a new feature).
   */
  unknownMembers: "ignored" | "rejected" | "unsure";
  /** The `grants` and `nodeAttrs` sections (0.29+). */
  grants: boolean;
  /** The `tests` and `sshTests` sections (0.29+). */
  policyTests: boolean;
  /** The top-level `randomizeClientPort` switch (0.29+). */
  randomizeClientPort: boolean;
  /** Tags may own tags in `tagOwners` (0.28+). */
  tagOwnedTags: boolean;
  /** Circular tag ownership fails the policy (0.28 only; 0.29 accepts it). */
  rejectsTagOwnerCycles: boolean;
  /** An ACL rule without `action` means accept (0.29+); before, "invalid action". */
  aclActionOptional: boolean;
  /** Ports in a rule's destinations need the protocol written by name, not number (0.27 and 0.28). */
  portsNeedNamedProto: boolean;
  /** A rule's `proto` may be a JSON number (0.27+); 0.26 fails to decode it ("cannot unmarshal number"). */
  numericProto: boolean;
  /** Protocol names are matched case-insensitively (0.27+); 0.26 wants lowercase. */
  protoAnyCase: boolean;
  /** `[v6]:port` destinations (0.29+). */
  bracketedIpv6: boolean;
  /** autogroup:member, :nonroot, :tagged and :self (0.27+); before, only autogroup:internet. */
  userAutogroups: boolean;
  /** autogroup:danger-all (0.29+). */
  dangerAllAutogroup: boolean;
  /** `acceptEnv` in SSH rules (0.29+). */
  sshAcceptEnv: boolean;
  /** Tailscale's SSH source/destination rules (0.28+): tagged sources never reach user-owned devices, … */
  sshOwnershipRules: boolean;
  /** An SSH rule without login users, or with `checkPeriod` on "accept", fails (0.29+); before, it does nothing. */
  sshRequiresUsers: boolean;
  /** Host names as SSH destinations (0.27 and 0.28 only). */
  sshHostDestinations: boolean;
}

/** Boolean features of a dialect (the flags a section of the policy can need). */
export type DialectFeature = { [K in keyof PolicyDialect]: PolicyDialect[K] extends boolean ? K : never }[keyof PolicyDialect];

/**
 * No server known (a check without a connection): every section and feature is allowed, and what some
 * version rejects is still reported when the newest known servers reject it.
 */
export const ANY_SERVER: PolicyDialect = {
  unknownMembers: "unsure",
  grants: true,
  policyTests: true,
  randomizeClientPort: true,
  tagOwnedTags: true,
  rejectsTagOwnerCycles: false,
  aclActionOptional: false,
  portsNeedNamedProto: false,
  numericProto: true,
  protoAnyCase: true,
  bracketedIpv6: true,
  userAutogroups: true,
  dangerAllAutogroup: true,
  sshAcceptEnv: true,
  sshOwnershipRules: true,
  sshRequiresUsers: true,
  sshHostDestinations: false,
};
