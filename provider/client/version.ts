// One place that knows how Headscale minors differ. Everything else asks `caps`, never the version.
export interface ServerVersion {
  /** e.g. "0.29.2"; "0.26" when the server is too old to say (0.26 has no /version). */
  version: string;
  major: number;
  minor: number;
  patch: number;
  /** The server did not report its version; it was inferred. */
  inferred: boolean;
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
  /** Errors are RFC 7807 problem+json with real HTTP statuses (0.30+). */
  problemJsonErrors: boolean;
  /** Expire/delete of a missing key is an error rather than silent success (0.30+). */
  strictKeyDelete: boolean;
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

const atLeast = (v: ServerVersion, minor: number) => v.major > 0 || v.minor >= minor;

export function parseVersion(raw: string): ServerVersion | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw.trim());
  if (!m) return undefined;
  return { version: `${m[1]}.${m[2]}.${m[3] ?? 0}`, major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), inferred: false };
}

export function capabilitiesOf(v: ServerVersion): Capabilities {
  return {
    keyIdOperations: atLeast(v, 28),
    tagOnlyKeys: atLeast(v, 28),
    tagsAsIdentity: atLeast(v, 28),
    policyCheck: atLeast(v, 29),
    policyGrants: atLeast(v, 29),
    problemJsonErrors: atLeast(v, 30),
    strictKeyDelete: atLeast(v, 30),
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
