// One place that knows how Headscale minors differ. Everything else asks `caps`, never the version.

/**
 * The API generation a server speaks. ≤0.29: grpc-gateway (HTTP 500 + gRPC code errors, options in query
 * parameters). 0.30 (Headscale's main branch before it): Huma, with an OpenAPI 3.1 document at
 * /api/v1/openapi.yaml, RFC 7807 problem+json errors with real statuses, JSON request bodies.
 */
export type ApiGeneration = "grpc-gateway" | "huma";

export interface ServerVersion {
  /** e.g. "0.29.2"; "0.26" when the server is too old to say (0.26 has no /version); "dev" for a build from source. */
  version: string;
  /** The release line. A development build has none: see developmentBuild for what it is given. */
  major: number;
  minor: number;
  patch: number;
  /** The server did not report its version; it was inferred. */
  inferred: boolean;
  /** A build from source that reports no version number (e.g. "dev"): `api` was found out from what it serves. */
  development: boolean;
  api: ApiGeneration;
}

export interface Capabilities {
  /** Keys are expired/deleted by id and listed without a user (0.28+). ≤0.27: expire by user+key, no delete. */
  keyIdOperations: boolean;
  /** Keys with tags and no user (0.28+). */
  tagOnlyKeys: boolean;
  /** Nodes report one `tags` list and tagged nodes lose their user (0.28+). */
  tagsAsIdentity: boolean;
  /** POST /api/v1/policy/check (0.29+). */
  policyCheck: boolean;
  /** grants / nodeAttrs policy sections (0.29+). */
  policyGrants: boolean;
  // What the policy parser accepts (the policy checks' dialect: provider/resources/policyDialect.ts).
  /** tests / sshTests policy sections (0.29+). */
  policyTests: boolean;
  /** The randomizeClientPort policy switch (0.29+). */
  policyRandomizeClientPort: boolean;
  /** The policy is decoded strictly: unknown and duplicate members fail it (0.27+); 0.26 ignores them. */
  policyStrictMembers: boolean;
  /** The policy checks know this server's policy format (≤ NEWEST_KNOWN_POLICY_MINOR); a newer one may know more. */
  policyFormatKnown: boolean;
  /** Tags can own tags (0.28+). */
  policyTagOwnedTags: boolean;
  /** Circular tag ownership is rejected (0.28 only). */
  policyRejectsTagOwnerCycles: boolean;
  /** An ACL rule may leave out `action` (0.29+). */
  policyAclActionOptional: boolean;
  /** Ports need the protocol written by name (0.27–0.28). */
  policyPortsNeedNamedProto: boolean;
  /** A policy rule's `proto` may be a JSON number (0.27+). */
  policyNumericProto: boolean;
  /** Protocol names in any case (0.27+). */
  policyProtoAnyCase: boolean;
  /** `[v6]:port` destinations (0.29+). */
  policyBracketedIpv6: boolean;
  /** autogroup:member/nonroot/tagged/self (0.27+). */
  policyUserAutogroups: boolean;
  /** autogroup:danger-all (0.29+). */
  policyDangerAllAutogroup: boolean;
  /** acceptEnv in SSH rules (0.29+). */
  policySshAcceptEnv: boolean;
  /** Tailscale's SSH source/destination ownership rules (0.28+). */
  policySshOwnershipRules: boolean;
  /** SSH rules must name login users; checkPeriod only with "check" (0.29+). */
  policySshRequiresUsers: boolean;
  /** Host names as SSH destinations (0.27–0.28). */
  policySshHostDestinations: boolean;
  /** Errors are RFC 7807 problem+json with real HTTP statuses (Huma API: 0.30+, Headscale main). */
  problemJsonErrors: boolean;
  /** Expire/delete of a missing key answers 404 (mapped to not_found) rather than silent success (Huma API). */
  strictKeyDelete: boolean;
  /** ExpireNode reads `expiry`/`disableExpiry` from a JSON body (Huma API); before, from query parameters. */
  expireNodeJsonBody: boolean;
  /** Deleting any user deletes every pre-auth key on the server (a 0.28 bug, fixed in 0.29). */
  userDeleteRemovesAllKeys: boolean;
  /** Prefix of the registration id of a pending node (debug registrations in tests). */
  registrationIdPrefix: string;
  /** Length of the random part of a registration id. */
  registrationIdRandomLength: number;
  /** API keys are expired/deleted by id (0.28+); before, by prefix only. */
  apiKeyIdOperations: boolean;
  /** A node's key expiry can be set to a chosen time (0.27.1+); 0.26 can only expire it now. */
  nodeExpiryAt: boolean;
  /** A node's key expiry can be disabled: the node never expires (0.29+). */
  nodeExpiryNever: boolean;
}

/** First minor that speaks the Huma API ("0.30.0" in the main branch's CHANGELOG); 0.29 is the last grpc-gateway one. */
const FIRST_HUMA_MINOR = 30;

/** The newest minor whose policy format the checks in provider/policy follow; raise it together with them. */
const NEWEST_KNOWN_POLICY_MINOR = 29;

// A development build serving the Huma API is Headscale's main branch: newer than every release, so every
// "since 0.N" capability holds for it (whatever release came last).
const atLeast = (v: ServerVersion, minor: number) => v.major > 0 || v.minor >= minor || (v.development && v.api === "huma");

const release = (major: number, minor: number, patch: number, inferred: boolean): ServerVersion => ({
  version: `${major}.${minor}.${patch}`,
  major,
  minor,
  patch,
  inferred,
  development: false,
  api: major > 0 || minor >= FIRST_HUMA_MINOR ? "huma" : "grpc-gateway",
});

export function parseVersion(raw: string): ServerVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw.trim());
  if (!m) return undefined;
  return release(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), false);
}

/** 0.26 has no /version endpoint: a server that answers the API but not /version is 0.26. */
export const inferredOldest = (): ServerVersion => ({ ...release(0, 26, 0, true), version: "0.26" });

/**
 * A server that reports something other than a version number (a build from source says "dev"). Its number
 * says nothing, so what it serves decides: `servesOpenApi` (GET /api/v1/openapi.yaml answers an OpenAPI
 * document, unauthenticated) means the Huma API of the main branch (numbers: at least 0.30; see atLeast);
 * otherwise a grpc-gateway build, treated as the last grpc-gateway minor (0.29).
 */
export function developmentBuild(reported: string, servesOpenApi: boolean): ServerVersion {
  const minor = servesOpenApi ? FIRST_HUMA_MINOR : FIRST_HUMA_MINOR - 1;
  return {
    version: reported.trim().slice(0, 40) || "dev",
    major: 0,
    minor,
    patch: 0,
    inferred: true,
    development: true,
    api: servesOpenApi ? "huma" : "grpc-gateway",
  };
}

export function capabilitiesOf(v: ServerVersion): Capabilities {
  const huma = v.api === "huma";
  return {
    keyIdOperations: atLeast(v, 28),
    tagOnlyKeys: atLeast(v, 28),
    tagsAsIdentity: atLeast(v, 28),
    policyCheck: atLeast(v, 29),
    policyGrants: atLeast(v, 29),
    policyTests: atLeast(v, 29),
    policyRandomizeClientPort: atLeast(v, 29),
    policyStrictMembers: atLeast(v, 27),
    policyFormatKnown: !atLeast(v, NEWEST_KNOWN_POLICY_MINOR + 1),
    policyTagOwnedTags: atLeast(v, 28),
    policyRejectsTagOwnerCycles: atLeast(v, 28) && !atLeast(v, 29),
    policyAclActionOptional: atLeast(v, 29),
    policyPortsNeedNamedProto: atLeast(v, 27) && !atLeast(v, 29),
    policyNumericProto: atLeast(v, 27),
    policyProtoAnyCase: atLeast(v, 27),
    policyBracketedIpv6: atLeast(v, 29),
    policyUserAutogroups: atLeast(v, 27),
    policyDangerAllAutogroup: atLeast(v, 29),
    policySshAcceptEnv: atLeast(v, 29),
    policySshOwnershipRules: atLeast(v, 28),
    policySshRequiresUsers: atLeast(v, 29),
    policySshHostDestinations: atLeast(v, 27) && !atLeast(v, 29),
    problemJsonErrors: huma,
    strictKeyDelete: huma,
    expireNodeJsonBody: huma,
    userDeleteRemovesAllKeys: v.major === 0 && v.minor === 28,
    registrationIdPrefix: atLeast(v, 29) ? "hskey-authreq-" : "",
    registrationIdRandomLength: 24,
    apiKeyIdOperations: atLeast(v, 28),
    nodeExpiryAt: atLeast(v, 28) || (v.minor === 27 && v.patch >= 1),
    nodeExpiryNever: atLeast(v, 29),
  };
}

/** Oldest minor this provider supports; older servers get a clear error. */
export const OLDEST_SUPPORTED_MINOR = 26;
