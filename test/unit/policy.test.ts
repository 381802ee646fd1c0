// Unit tests of the ACL policy tooling (pure functions: no server needed).
import { describe, expect, it } from "vitest";
import {
  canonicalPolicy,
  canonicalPolicyText,
  definedTags,
  diffPolicySections,
  isValidTag,
  parsePolicyText,
  policiesEqual,
  PolicyObject,
  PolicyPositions,
  policyToText,
  validatePolicy,
  type Problem,
} from "../../provider/policy/index.js";
import { capabilitiesOf, parseVersion } from "../../provider/client/index.js";
import { policyDialect } from "../../provider/resources/policyDialect.js";

/** The dialect of a server of this version, built as the Policy resource builds it. */
function dialectOf(version: string) {
  const v = parseVersion(version);
  if (!v) throw new Error(`not a version: ${version}`);
  return policyDialect({ version: v.version, caps: capabilitiesOf(v) });
}

/** Parses or fails the test with the parser's message. */
function parse(text: string): Record<string, unknown> {
  const r = parsePolicyText(text);
  if (!r.ok) throw new Error(`unexpected parse error at ${r.line}:${r.column}: ${r.message}`);
  return r.value;
}

const errors = (problems: Problem[]): Problem[] => problems.filter((p) => p.severity === "error");
/** The one problem at `path` (fails if there is none or several). */
function problemAt(problems: Problem[], path: string): Problem {
  const found = problems.filter((p) => p.path === path);
  expect(found, `problems at ${path}: ${JSON.stringify(problems, null, 2)}`).toHaveLength(1);
  return found[0]!;
}

// Accepted by Headscale 0.29.2's own `policy check` (its `tests` block needs live users to run), and by
// every check here. 0.29-only sections: grants, nodeAttrs, tests, randomizeClientPort.
const VALID_029 = `// A policy that every check should accept.
{
  "groups": {
    "group:admin": ["alice@", "bob@example.com"],
    "group:dev": ["carol@"],
  },
  "tagOwners": {
    "tag:server": ["group:admin"],
    "tag:router": ["group:admin", "alice@"],
    "tag:exit": ["tag:router"],
  },
  "hosts": {
    "db": "100.64.0.10",
    "office": "192.168.1.0/24",
    "v6host": "fd7a:115c:a1e0::10",
  },
  "acls": [
    // admins everywhere
    {"action": "accept", "src": ["group:admin"], "dst": ["*:*"]},
    {"action": "accept", "src": ["group:dev", "carol@"], "dst": ["tag:server:22,80,443", "db:5432", "office:8000-8080"], "#note": "ignored"},
    {"action": "accept", "proto": "udp", "src": ["autogroup:member"], "dst": ["autogroup:self:*", "100.64.0.0/10:53", "fd7a:115c:a1e0::10:443"]},
    {"action": "accept", "proto": "icmp", "src": ["tag:server"], "dst": ["v6host:*"]},
    {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:internet:*"]},
  ],
  "ssh": [
    {"action": "accept", "src": ["group:admin"], "dst": ["tag:server"], "users": ["root", "autogroup:nonroot"]},
    {"action": "check", "src": ["autogroup:member"], "dst": ["autogroup:self"], "users": ["autogroup:nonroot"]},
    {"action": "accept", "src": ["alice@"], "dst": ["alice@"], "users": ["alice"]},
  ],
  "autoApprovers": {
    "routes": {"10.0.0.0/8": ["tag:router"], "fd00::/8": ["group:admin"]},
    "exitNode": ["tag:exit"],
  },
  "grants": [
    {"src": ["group:dev"], "dst": ["tag:server"], "ip": ["tcp:443", "udp:1000-2000", "53"]},
  ],
  "nodeAttrs": [
    {"target": ["tag:server"], "attr": ["randomize-client-port"]},
  ],
  "tests": [
    {"src": "alice@", "accept": ["tag:server:22"], "deny": []},
  ],
  "randomizeClientPort": false,
}
`;

describe("validatePolicy", () => {
  it("accepts a valid policy on every version that has its sections", () => {
    const value = parse(VALID_029);
    expect(validatePolicy(value, { dialect: dialectOf("0.29.2") })).toEqual([]);
    expect(validatePolicy(value, {})).toEqual([]);
    // Without the 0.29 sections the rest is valid on 0.28 too.
    const { grants: _g, nodeAttrs: _n, tests: _t, randomizeClientPort: _r, ...v028 } = value;
    expect(validatePolicy(v028, { dialect: dialectOf("0.28.0") })).toEqual([]);
  });

  describe("structure", () => {
    it("checks group names and members", () => {
      const problems = validatePolicy({ groups: { admins: ["alice@"], "group:ops": "bob@", "group:x": ["group:ops", "tag:web"] } });
      expect(problemAt(problems, "groups.admins").message).toBe('groups.admins: group names must start with "group:"; rename it to "group:admins"');
      expect(problemAt(problems, 'groups["group:ops"]').message).toContain('wrap it in a list: ["bob@"]');
      expect(problemAt(problems, 'groups["group:x"][0]').message).toContain("groups cannot contain groups");
      expect(problemAt(problems, 'groups["group:x"][1]').message).toContain('groups contain only users, written with "@"');
    });

    it("checks tag names and owners", () => {
      const problems = validatePolicy({ tagOwners: { "tag:Web": ["alice@"], "tag:db": ["autogroup:admin"], server: ["alice@"] } });
      expect(problemAt(problems, 'tagOwners["tag:Web"]').message).toBe(
        'tagOwners["tag:Web"]: tag "tag:Web" must be lowercase (Headscale\'s API rejects it otherwise); use "tag:web"',
      );
      expect(problemAt(problems, 'tagOwners["tag:db"][0]').message).toContain('"autogroup:admin" cannot be a tag owner in Headscale');
      expect(problemAt(problems, "tagOwners.server").message).toContain('must start with "tag:"; use "tag:server"');
    });

    it("checks host addresses", () => {
      const problems = validatePolicy({ hosts: { db: "10.0.0.300", net: "10.0.0.0/33", ok: "fd7a::1", "a:b": "10.0.0.1" } });
      expect(problemAt(problems, "hosts.db").message).toBe(
        'hosts.db: "10.0.0.300" is not an IP address or CIDR prefix; write e.g. "100.64.0.10" or "10.0.0.0/24"',
      );
      expect(problemAt(problems, "hosts.net").message).toContain("is not an IP address or CIDR prefix");
      expect(problemAt(problems, 'hosts["a:b"]').message).toContain("is not a valid host name");
      expect(problems).toHaveLength(3);
    });

    it("checks the shape of ACL rules", () => {
      const problems = validatePolicy({ acls: [{ action: "accept", src: "alice@", dst: ["*:*"] }, "accept"] });
      expect(problemAt(problems, "acls[0].src").message).toContain('wrap it in a list: ["alice@"]');
      expect(problemAt(problems, "acls[1]").message).toContain("must be an object like");
    });

    it("rejects any action but accept", () => {
      const problems = validatePolicy({ acls: [{ action: "drop", src: ["*"], dst: ["*:*"] }] });
      const p = problemAt(problems, "acls[0].action");
      expect(p.severity).toBe("error");
      expect(p.message).toBe(
        'acls[0].action: "drop" is not supported; Headscale rules only "accept" (everything not accepted is denied), so write "action": "accept" or remove the rule',
      );
    });

    it("reports a missing action as an error before 0.29 and a warning from 0.29", () => {
      const rule = { acls: [{ src: ["*"], dst: ["*:*"] }] };
      expect(problemAt(validatePolicy(rule, { dialect: dialectOf("0.28.0") }), "acls[0].action")).toMatchObject({ severity: "error" });
      expect(problemAt(validatePolicy(rule, { dialect: dialectOf("0.29.2") }), "acls[0].action")).toMatchObject({ severity: "warning" });
    });

    it("checks SSH rules", () => {
      const problems = validatePolicy({
        groups: { "group:admin": ["alice@"] },
        ssh: [
          { action: "accept", src: ["*"], dst: ["tag:web:22"], users: [] },
          { action: "accept", src: ["group:admin"], dst: ["bob@"], users: ["root"] },
        ],
      });
      expect(problemAt(problems, "ssh[0].src[0]").message).toContain('use "autogroup:member" for user-owned devices');
      expect(problemAt(problems, "ssh[0].dst[0]").message).toBe('ssh[0].dst[0]: SSH destinations take no port; write "tag:web"');
      expect(problemAt(problems, "ssh[0].users").message).toContain('add "users": ["root"]');
      expect(problemAt(problems, "ssh[1].dst[0]").message).toContain('use "autogroup:self"');
    });

    it("checks auto-approvers", () => {
      const problems = validatePolicy({ autoApprovers: { routes: { "10.1.1.1": ["alice@"], "10.0.0.0/8": ["autogroup:member"] } } });
      expect(problemAt(problems, 'autoApprovers.routes["10.1.1.1"]').message).toContain('is not a CIDR prefix; write "10.1.1.1/32"');
      expect(problemAt(problems, 'autoApprovers.routes["10.0.0.0/8"][0]').message).toContain("cannot be a auto-approver");
    });

    it("checks grants (0.29)", () => {
      const problems = validatePolicy(
        { tagOwners: { "tag:web": ["alice@"] }, grants: [{ src: ["*"], dst: ["tag:web:443"] }] },
        { dialect: dialectOf("0.29.2") },
      );
      expect(problemAt(problems, "grants[0].dst[0]").message).toContain('write "tag:web" and put the ports in "ip", e.g. "ip": ["tcp:443"]');
      expect(problemAt(problems, "grants[0]").message).toContain('add e.g. "ip": ["*"]');
    });

    it("checks protocols against ports", () => {
      const problems = validatePolicy({
        acls: [
          { action: "accept", proto: "icmp", src: ["*"], dst: ["*:22"] },
          { action: "accept", proto: "*", src: ["*"], dst: ["*:*"] },
        ],
      });
      expect(problemAt(problems, "acls[0].dst[0]").message).toBe('acls[0].dst[0]: protocol "icmp" has no ports; write "*:*"');
      expect(problemAt(problems, "acls[1].proto").message).toContain('leave "proto" out');
    });
  });

  describe("versions and unknown sections", () => {
    it("says which version a section needs", () => {
      const policy = { grants: [{ src: ["*"], dst: ["*"], ip: ["*"] }], tests: [{ src: "alice@", accept: ["*:22"] }] };
      const on028 = validatePolicy(policy, { dialect: dialectOf("0.28.0") });
      expect(problemAt(on028, "grants")).toEqual({
        path: "grants",
        severity: "error",
        message: "grants: needs Headscale 0.29 or newer, but the server runs 0.28.0; remove the section or upgrade Headscale",
      });
      expect(problemAt(on028, "tests").message).toContain("needs Headscale 0.29 or newer");
      expect(validatePolicy(policy, { dialect: dialectOf("0.29.2") })).toEqual([]);
      expect(validatePolicy(policy, { dialect: dialectOf("v0.30.0-beta.1") })).toEqual([]);
    });

    it("lets unknown sections pass without error", () => {
      const policy = { acls: [], postures: { "posture:x": ["node:os == 'linux'"] }, derpMap: { Regions: {} } };
      expect(validatePolicy(policy)).toEqual([]);
      expect(validatePolicy(policy, { dialect: dialectOf("0.30.0") })).toEqual([]);
      // A server we know to reject them gets a warning, never an error.
      const on029 = validatePolicy(policy, { dialect: dialectOf("0.29.2") });
      expect(on029.map((p) => [p.path, p.severity])).toEqual([
        ["postures", "warning"],
        ["derpMap", "warning"],
      ]);
    });

    it("knows which autogroups each version has", () => {
      const policy = { acls: [{ action: "accept", src: ["autogroup:danger-all"], dst: ["autogroup:self:*"] }] };
      expect(validatePolicy(policy, { dialect: dialectOf("0.29.2") })).toEqual([]);
      const on028 = validatePolicy(policy, { dialect: dialectOf("0.28.0") });
      expect(problemAt(on028, "acls[0].src[0]").message).toContain('Headscale 0.28.0 does not know "autogroup:danger-all"');
      const on026 = validatePolicy(policy, { dialect: dialectOf("0.26.1") });
      expect(problemAt(on026, "acls[0].dst[0]").message).toContain("use one of autogroup:internet");
    });

    it("treats section names case-insensitively, as Headscale does", () => {
      const problems = validatePolicy({ ACLs: [{ action: "accept", src: ["alice"], dst: ["*:*"] }] });
      expect(problemAt(problems, "ACLs")).toMatchObject({ severity: "warning" });
      expect(problemAt(problems, "ACLs[0].src[0]").message).toContain('use "alice@"');
      expect(problemAt(validatePolicy({ acls: [], ACLs: [] }), "ACLs").severity).toBe("error");
    });
  });

  describe("references", () => {
    it("reports an undefined group wherever it is used", () => {
      const problems = validatePolicy({
        tagOwners: { "tag:web": ["group:ops"] },
        acls: [{ action: "accept", src: ["group:ops"], dst: ["group:dev:22"] }],
        autoApprovers: { exitNode: ["group:ops"] },
      });
      expect(problemAt(problems, "acls[0].src[0]").message).toBe(
        'acls[0].src[0]: group "group:ops" is not defined; add "group:ops": ["<user>@", …] to "groups" (with its members) or fix the name',
      );
      expect(problemAt(problems, "acls[0].dst[0]").message).toContain('add "group:dev": ["<user>@", …] to "groups"');
      expect(problemAt(problems, 'tagOwners["tag:web"][0]').message).toContain('group "group:ops" is not defined');
      expect(problemAt(problems, "autoApprovers.exitNode[0]").message).toContain('group "group:ops" is not defined');
    });

    it("suggests only owners that exist: no group:admin in a policy without groups", () => {
      const problems = validatePolicy({ acls: [{ action: "accept", src: ["*"], dst: ["tag:web:443"] }] }, { dialect: dialectOf("0.29.2") });
      expect(problemAt(problems, "acls[0].dst[0]").message).toContain('add "tag:web": ["<user>@"] to tagOwners');
      expect(problems.map((p) => p.message).join("\n")).not.toContain("group:admin");
    });

    it("reports a tag not defined in tagOwners, with the line to add", () => {
      const problems = validatePolicy(
        {
          groups: { "group:admin": ["alice@"] },
          acls: [{ action: "accept", src: ["group:admin"], dst: ["tag:web:443"] }],
          ssh: [{ action: "accept", src: ["group:admin"], dst: ["tag:web"], users: ["root"] }],
          autoApprovers: { routes: { "10.0.0.0/8": ["tag:router"] } },
          grants: [{ src: ["tag:ci"], dst: ["*"], ip: ["*"] }],
          tests: [{ src: "alice@", accept: ["tag:web:443"] }],
        },
        { dialect: dialectOf("0.29.2") },
      );
      expect(problemAt(problems, "acls[0].dst[0]").message).toBe(
        'acls[0].dst[0]: tag "tag:web" is not defined in tagOwners; add "tag:web": ["group:admin"] to tagOwners (listing who may assign it)',
      );
      expect(problemAt(problems, "ssh[0].dst[0]").message).toContain('add "tag:web": ["group:admin"] to tagOwners');
      expect(problemAt(problems, 'autoApprovers.routes["10.0.0.0/8"][0]').message).toContain('add "tag:router": ["group:admin"] to tagOwners');
      expect(problemAt(problems, "grants[0].src[0]").message).toContain('add "tag:ci": ["group:admin"] to tagOwners');
      expect(problemAt(problems, "tests[0].accept[0]").message).toContain('add "tag:web": ["group:admin"] to tagOwners');
      expect(errors(problems)).toHaveLength(5);
    });

    it("reports an undefined host in a destination", () => {
      const problems = validatePolicy({
        hosts: { db: "10.0.0.1" },
        acls: [{ action: "accept", src: ["*"], dst: ["db:5432", "db-replica:5432"] }],
      });
      const p = problemAt(problems, "acls[0].dst[1]");
      expect(p.message).toContain('acls[0].dst[1]: "db-replica" in "db-replica:5432" is neither a host defined in "hosts" nor a user');
      expect(p.message).toContain('add "db-replica": "<IP address>" to "hosts"');
      expect(problems).toHaveLength(1);
    });
  });

  describe("legacy syntax from old guides", () => {
    it("bare user names: tells the exact replacement", () => {
      const problems = validatePolicy({ acls: [{ action: "accept", src: ["alice"], dst: ["bob:*"] }], groups: { "group:a": ["carol"] } });
      expect(problemAt(problems, "acls[0].src[0]").message).toContain(
        'acls[0].src[0]: "alice" is neither a host defined in "hosts" nor a user; if it is a user, use "alice@"',
      );
      expect(problemAt(problems, "acls[0].dst[0]").message).toContain('if it is a user, use "bob@:*"');
      expect(problemAt(problems, 'groups["group:a"][0]').message).toBe(
        'groups["group:a"][0]: "carol" is not a user: Headscale 0.26+ writes users with a trailing "@"; use "carol@"',
      );
    });

    it('a "comment" field in a rule: move it into a // comment', () => {
      const rule = { action: "accept", src: ["*"], dst: ["*:*"], comment: "allow all" };
      const p = problemAt(validatePolicy({ acls: [rule] }), "acls[0].comment");
      expect(p.severity).toBe("error");
      expect(p.message).toContain('acls[0].comment: unknown field "comment"');
      expect(p.message).toContain("move it into a // comment");
      // 0.26 silently drops it: still worth saying, not blocking.
      expect(problemAt(validatePolicy({ acls: [rule] }, { dialect: dialectOf("0.26.1") }), "acls[0].comment").severity).toBe("warning");
      // "#…" members are ignored by Headscale.
      expect(validatePolicy({ acls: [{ action: "accept", src: ["*"], dst: ["*:*"], "#comment": "ok" }] })).toEqual([]);
    });

    it('old "users"/"ports" names of src/dst', () => {
      const problems = validatePolicy({ acls: [{ action: "accept", users: ["*"], ports: ["*:*"] }] });
      expect(problemAt(problems, "acls[0].users").message).toContain('rename it to "src"');
      expect(problemAt(problems, "acls[0].ports").message).toContain('rename it to "dst"');
    });
  });

  describe("destinations and ports", () => {
    const dst = (d: string, serverVersion?: string) =>
      validatePolicy(
        { hosts: { db: "10.0.0.1" }, acls: [{ action: "accept", src: ["*"], dst: [d] }] },
        { dialect: serverVersion ? dialectOf(serverVersion) : undefined },
      );

    it("requires a port", () => {
      expect(problemAt(dst("db"), "acls[0].dst[0]").message).toBe(
        'acls[0].dst[0]: destination "db" has no port; Headscale needs "<target>:<ports>", e.g. "db:*" for all ports or "db:22"',
      );
      expect(problemAt(dst("*"), "acls[0].dst[0]").message).toContain('"*:*" for all ports');
      expect(problemAt(dst("autogroup:internet"), "acls[0].dst[0]").message).toContain('"autogroup:internet:*"');
      expect(problemAt(dst("fd7a::1"), "acls[0].dst[0]").message).toContain('"fd7a::1:*"');
    });

    it("checks port numbers and ranges", () => {
      expect(problemAt(dst("db:70000"), "acls[0].dst[0]").message).toBe(
        'acls[0].dst[0]: in "db:70000": port 70000 is outside 0–65535; use a port between 1 and 65535 (or "*")',
      );
      expect(problemAt(dst("db:0"), "acls[0].dst[0]").message).toContain('use "*" for all ports');
      expect(problemAt(dst("db:443-80"), "acls[0].dst[0]").message).toContain('write "80-443"');
      expect(problemAt(dst("db:https"), "acls[0].dst[0]").message).toContain('"https" is not a port number');
      for (const ok of ["db:*", "db:22", "db:80,443", "db:0-65535", "fd7a::1:22", "10.0.0.0/8:53"]) expect(dst(ok)).toEqual([]);
    });

    it("bracketed IPv6 needs 0.29", () => {
      expect(dst("[fd7a::1]:22", "0.29.2")).toEqual([]);
      expect(problemAt(dst("[fd7a::1]:22", "0.28.0"), "acls[0].dst[0]").message).toContain('write "fd7a::1:22"');
    });
  });
});

describe("tag rules", () => {
  it("isValidTag explains what is wrong and how to fix it", () => {
    expect(isValidTag("tag:web-1")).toBeUndefined();
    expect(isValidTag("web")).toBe('tag "web" must start with "tag:"; use "tag:web"');
    expect(isValidTag("tag:")).toContain("empty name");
    expect(isValidTag("tag:my server")).toBe('tag "tag:my server" must not contain spaces; use "tag:my-server"');
    expect(isValidTag("tag:Web")).toContain('must be lowercase (Headscale\'s API rejects it otherwise); use "tag:web"');
    expect(isValidTag("tag:1web")).toContain("must start with a letter");
    expect(isValidTag(42)).toContain("must be a string");
  });

  it("definedTags returns the keys of tagOwners", () => {
    expect(definedTags(parse(VALID_029))).toEqual(new Set(["tag:server", "tag:router", "tag:exit"]));
    expect(definedTags({ acls: [] })).toEqual(new Set());
    expect(definedTags("not a policy")).toEqual(new Set());
  });
});
