// The one table of the policy's sections: what each is called, which servers accept it (as a dialect
// flag), its shape and members, and which of its arrays are sets. Validation (validate.ts), the semantic
// diff (semantic.ts) and the typed builder (typed.ts) all read it, so a section or member is added here once.
import { z } from "zod";
import type { DialectFeature } from "./dialect.js";

interface SectionBase {
  /** First Headscale release that accepts the section, for messages ("needs Headscale 0.29"). */
  since: string;
  /** The dialect flag a server must have to accept it; none: every supported version does. */
  needs?: DialectFeature;
  /** Arrays Headscale treats as sets (order and repeats mean nothing), as paths below the section: "*" is any member name, "[]" any element. */
  setLike: readonly (readonly string[])[];
  /** What one entry is called in change summaries ("1 rule added"). */
  noun?: string;
  /** What the list inside one map entry holds ("group:admin members changed"). */
  memberWord?: string;
}

/** A list of entries with named members (acls, ssh, grants, …). */
interface EntriesSection<S extends z.ZodRawShape> extends SectionBase {
  shape: "entries";
  /** Member names as Headscale spells them (it matches them case-insensitively). */
  members: readonly (keyof S & string)[];
  /** Members only some servers accept. */
  memberNeeds?: Partial<Record<keyof S & string, DialectFeature>>;
  /** Members that old guides named differently (lowercase old name → current name). */
  renames?: Record<string, keyof S & string>;
  /** Members starting with "#" are ignored by Headscale (ACL rules). */
  hashIgnored?: boolean;
  /** An entry to show in "write [...]" fixes. */
  example: string;
  schema: z.ZodArray<z.ZodObject<S, z.core.$loose>>;
}

/** One object with named members (autoApprovers). */
interface ObjectSection<S extends z.ZodRawShape> extends SectionBase {
  shape: "object";
  members: readonly (keyof S & string)[];
  example: string;
  schema: z.ZodObject<S, z.core.$loose>;
}

/** Names mapped to values (groups, tagOwners, hosts), or a single value (randomizeClientPort). */
interface ValueSection<T extends z.ZodType> extends SectionBase {
  shape: "map" | "value";
  schema: T;
}

function entries<S extends z.ZodRawShape>(shape: S, spec: Omit<EntriesSection<S>, "shape" | "members" | "schema">): EntriesSection<S> {
  return { ...spec, shape: "entries", members: Object.keys(shape) as (keyof S & string)[], schema: z.array(z.looseObject(shape)) };
}

function object<S extends z.ZodRawShape>(shape: S, spec: Omit<ObjectSection<S>, "shape" | "members" | "schema">, description: string): ObjectSection<S> {
  return {
    ...spec,
    shape: "object",
    members: Object.keys(shape) as (keyof S & string)[],
    schema: z.looseObject(shape).describe(description),
  };
}

const value = <T extends z.ZodType>(shape: "map" | "value", schema: T, spec: SectionBase): ValueSection<T> => ({ ...spec, shape, schema });

// The typed builder's schemas stay permissive on purpose: every object is loose, so members this table
// does not list (a newer Headscale's) pass through untouched; the fix-telling checks are validatePolicy's.
const aliases = z.array(z.string());
const strings = z.array(z.string());
const SINCE_V2 = "0.26"; // policy format v2, the oldest this provider supports
const SRC_DST = [
  ["[]", "src"],
  ["[]", "dst"],
] as const;
// `[]` (the section itself): acls and grants only ever allow, so their order never changes what is allowed
// (moving a rule, or into another fragment, is no change). ssh keeps its order: its first match decides.

export const POLICY_SECTIONS = {
  groups: value("map", z.record(z.string(), strings).describe('"group:<name>" → users, e.g. {"group:admin": ["alice@"]}.'), {
    since: SINCE_V2,
    setLike: [["*"]],
    noun: "group",
    memberWord: "members",
  }),
  hosts: value("map", z.record(z.string(), z.string()).describe("Host name → IP address or CIDR prefix."), {
    since: SINCE_V2,
    setLike: [],
    noun: "host",
  }),
  tagOwners: value("map", z.record(z.string(), strings).describe('"tag:<name>" → who may assign it (users, groups, tags).'), {
    since: SINCE_V2,
    setLike: [["*"]],
    noun: "tag",
    memberWord: "owners",
  }),
  acls: entries(
    {
      action: z.literal("accept").describe("The only action Headscale has; what no rule accepts is denied."),
      proto: z.union([z.string(), z.number()]).optional().describe('Protocol name ("tcp") or IANA number; omit for TCP, UDP and ICMP.'),
      src: aliases.describe('Sources: "alice@", "group:…", "tag:…", "autogroup:member", host names, IPs/CIDRs or "*".'),
      dst: aliases.describe('Destinations as "<target>:<ports>", e.g. "tag:server:22", "group:dev:80,443", "*:*".'),
    },
    {
      since: SINCE_V2,
      setLike: [[], ...SRC_DST],
      noun: "rule",
      hashIgnored: true,
      renames: { users: "src", ports: "dst" },
      example: `{"action": "accept", "src": ["group:admin"], "dst": ["tag:server:22"]}`,
    },
  ),
  ssh: entries(
    {
      action: z.enum(["accept", "check"]),
      src: aliases,
      dst: aliases,
      users: strings.describe('Login users on the destination, e.g. ["root"] or ["autogroup:nonroot"].'),
      checkPeriod: z.string().optional(),
      acceptEnv: strings.optional(),
    },
    {
      since: SINCE_V2,
      setLike: [...SRC_DST, ["[]", "users"], ["[]", "acceptEnv"]],
      noun: "rule",
      memberNeeds: { acceptEnv: "sshAcceptEnv" },
      example: `{"action": "accept", "src": ["group:admin"], "dst": ["tag:server"], "users": ["root"]}`,
    },
  ),
  autoApprovers: object(
    {
      routes: z.record(z.string(), strings).optional().describe("CIDR prefix → who may advertise it without approval."),
      exitNode: strings.optional(),
    },
    {
      since: SINCE_V2,
      setLike: [["routes", "*"], ["exitNode"]],
      example: `{"routes": {"10.0.0.0/8": ["tag:router"]}, "exitNode": ["tag:exit"]}`,
    },
    "Who may advertise routes and exit nodes without approval.",
  ),
  grants: entries(
    {
      src: aliases,
      dst: aliases.describe("Targets without ports; ports go in `ip`."),
      ip: strings.optional().describe('e.g. ["tcp:443"], ["*"]'),
      app: z.record(z.string(), z.array(z.unknown())).optional(),
      via: strings.optional(),
    },
    {
      since: "0.29",
      needs: "grants",
      setLike: [[], ...SRC_DST, ["[]", "ip"], ["[]", "via"]],
      noun: "grant",
      example: `{"src": ["group:admin"], "dst": ["tag:server"], "ip": ["tcp:22"]}`,
    },
  ),
  nodeAttrs: entries(
    { target: aliases, attr: strings.optional(), ipPool: strings.optional() },
    {
      since: "0.29",
      needs: "grants",
      setLike: [
        ["[]", "target"],
        ["[]", "attr"],
        ["[]", "ipPool"],
      ],
      noun: "entry",
      example: `{"target": ["tag:server"], "attr": ["randomize-client-port"]}`,
    },
  ),
  tests: entries(
    { src: z.string(), proto: z.string().optional(), accept: strings.optional(), deny: strings.optional() },
    {
      since: "0.29",
      needs: "policyTests",
      setLike: [
        ["[]", "accept"],
        ["[]", "deny"],
      ],
      noun: "test",
      example: `{"src": "alice@", "accept": ["tag:server:22"], "deny": ["tag:db:5432"]}`,
    },
  ),
  sshTests: entries(
    { src: z.string(), dst: strings, accept: strings.optional(), deny: strings.optional(), check: strings.optional() },
    {
      since: "0.29",
      needs: "policyTests",
      setLike: [
        ["[]", "dst"],
        ["[]", "accept"],
        ["[]", "deny"],
        ["[]", "check"],
      ],
      noun: "test",
      example: `{"src": "alice@", "dst": ["tag:server"], "accept": ["root"]}`,
    },
  ),
  randomizeClientPort: value("value", z.boolean(), { since: "0.29", needs: "randomizeClientPort", setLike: [] }),
};
export type PolicySection = keyof typeof POLICY_SECTIONS;
export type SectionSpec = (typeof POLICY_SECTIONS)[PolicySection];

/** The section a top-level member names: Headscale matches section names case-insensitively. */
export function sectionName(key: string): PolicySection | undefined {
  if (Object.hasOwn(POLICY_SECTIONS, key)) return key as PolicySection;
  const lower = key.toLowerCase();
  return (Object.keys(POLICY_SECTIONS) as PolicySection[]).find((s) => s.toLowerCase() === lower);
}
