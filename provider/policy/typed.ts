// The policy as a typed object, for users who write it in code (Pulumi) rather than as HuJSON text.
//
// The schema gives editors types and completion; it stays permissive on purpose: every object is loose,
// so sections and fields it does not list (a newer Headscale's) pass through untouched. The detailed,
// fix-telling checks live in validatePolicy; this schema only rejects what has the wrong shape.
import { z } from "zod";

const aliases = z.array(z.string());

const AclRule = z.looseObject({
  action: z.literal("accept").describe('The only action Headscale has; what no rule accepts is denied.'),
  proto: z.union([z.string(), z.number()]).optional().describe('Protocol name ("tcp") or IANA number; omit for TCP, UDP and ICMP.'),
  src: aliases.describe('Sources: "alice@", "group:…", "tag:…", "autogroup:member", host names, IPs/CIDRs or "*".'),
  dst: aliases.describe('Destinations as "<target>:<ports>", e.g. "tag:server:22", "group:dev:80,443", "*:*".'),
});

const SshRule = z.looseObject({
  action: z.enum(["accept", "check"]),
  src: aliases,
  dst: aliases,
  users: z.array(z.string()).describe('Login users on the destination, e.g. ["root"] or ["autogroup:nonroot"].'),
  checkPeriod: z.string().optional(),
  acceptEnv: z.array(z.string()).optional(),
});

const Grant = z.looseObject({
  src: aliases,
  dst: aliases.describe("Targets without ports; ports go in `ip`."),
  ip: z.array(z.string()).optional().describe('e.g. ["tcp:443"], ["*"]'),
  app: z.record(z.string(), z.array(z.unknown())).optional(),
  via: z.array(z.string()).optional(),
});

const NodeAttr = z.looseObject({
  target: aliases,
  attr: z.array(z.string()).optional(),
  ipPool: z.array(z.string()).optional(),
});

const PolicyTest = z.looseObject({
  src: z.string(),
  proto: z.string().optional(),
  accept: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
});

const SshPolicyTest = z.looseObject({
  src: z.string(),
  dst: z.array(z.string()),
  accept: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
  check: z.array(z.string()).optional(),
});

/** A Headscale ACL policy (format v2, Headscale 0.26+; `grants`, `nodeAttrs`, `tests`… need 0.29+). */
export const PolicyObject = z.looseObject({
  groups: z.record(z.string(), z.array(z.string())).optional().describe('"group:<name>" → users, e.g. {"group:admin": ["alice@"]}.'),
  tagOwners: z.record(z.string(), z.array(z.string())).optional().describe('"tag:<name>" → who may assign it (users, groups, tags).'),
  hosts: z.record(z.string(), z.string()).optional().describe("Host name → IP address or CIDR prefix."),
  acls: z.array(AclRule).optional(),
  ssh: z.array(SshRule).optional(),
  autoApprovers: z
    .looseObject({
      routes: z.record(z.string(), z.array(z.string())).optional().describe("CIDR prefix → who may advertise it without approval."),
      exitNode: z.array(z.string()).optional(),
    })
    .optional(),
  grants: z.array(Grant).optional(),
  nodeAttrs: z.array(NodeAttr).optional(),
  tests: z.array(PolicyTest).optional(),
  sshTests: z.array(SshPolicyTest).optional(),
  randomizeClientPort: z.boolean().optional(),
});
export type PolicyObject = z.input<typeof PolicyObject>;

/**
 * The policy as pretty JSON (2-space indent) in the key order it was written, which is what Headscale
 * stores and shows. Deliberately not run through the schema: parsing would reorder loose keys.
 */
export function policyToText(obj: PolicyObject | Record<string, unknown>): string {
  return `${JSON.stringify(obj, null, 2)}\n`;
}
