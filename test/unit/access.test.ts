// The pure access evaluator: aliases, ports, protocols, autogroups and grants over a fixed inventory.
// (Agreement with Headscale's own verdicts is test/client/policy-tests.test.ts, against real servers.)
import { describe, expect, it } from "vitest";
import { accessChange, effectiveAccess, parsePolicyText, runPolicyTests, withoutTopLevelSection, type InventoryNode } from "../../provider/policy/index.js";
import { IpSet, parseRange } from "../../provider/policy/ipset.js";

const nodes: InventoryNode[] = [
  { name: "alice-laptop", user: { name: "alice", email: "alice@example.com" }, tags: [], addresses: ["100.64.0.1", "fd7a:115c:a1e0::1"] },
  { name: "alice-phone", user: { name: "alice" }, tags: [], addresses: ["100.64.0.4", "fd7a:115c:a1e0::4"] },
  { name: "bob-laptop", user: { name: "bob" }, tags: [], addresses: ["100.64.0.2", "fd7a:115c:a1e0::2"] },
  // Tagged: owned by alice on the server before 0.28, but identified by its tag only.
  { name: "server-1", user: { name: "alice" }, tags: ["tag:server"], addresses: ["100.64.0.3", "fd7a:115c:a1e0::3"] },
];
const modern = { grants: true };
/** The pairs, with the protocols appended where a rule names them ("b:53/udp"). */
const access = (policy: object) =>
  Object.entries(effectiveAccess(policy as Record<string, unknown>, nodes, modern)).map(([pair, proto]) => (proto === "any" ? pair : `${pair}/${proto}`));

describe("effective access", () => {
  it("resolves users, groups and tags; a tagged node has no user identity", () => {
    const policy = {
      groups: { "group:dev": ["bob@"] },
      acls: [{ action: "accept", src: ["alice@", "group:dev"], dst: ["tag:server:22"] }],
    };
    expect(access(policy)).toEqual(["alice-laptop → server-1:22", "alice-phone → server-1:22", "bob-laptop → server-1:22"]);
    expect(access({ acls: [{ action: "accept", src: ["tag:server"], dst: ["alice@:*"] }] })).toEqual(["server-1 → alice-laptop:*", "server-1 → alice-phone:*"]);
  });

  it("merges port ranges per pair and protocol, and shows a protocol only when a rule names it", () => {
    const policy = {
      acls: [
        { action: "accept", src: ["bob@"], dst: ["tag:server:80-90,22"] },
        { action: "accept", src: ["bob@"], dst: ["tag:server:85-100"] },
        { action: "accept", src: ["bob@"], proto: "udp", dst: ["tag:server:53"] },
      ],
    };
    expect(access(policy)).toEqual(["bob-laptop → server-1:22", "bob-laptop → server-1:53/udp", "bob-laptop → server-1:80-100"]);
  });

  it("one key per pair and port range, valued with every protocol that reaches it", () => {
    const policy = {
      acls: [
        { action: "accept", src: ["bob@"], proto: "udp", dst: ["tag:server:53"] },
        { action: "accept", src: ["bob@"], proto: "tcp", dst: ["tag:server:53"] },
      ],
    };
    expect(effectiveAccess(policy, nodes, modern)).toEqual({ "bob-laptop → server-1:53": "tcp,udp" });
    const withAny = { acls: [...policy.acls, { action: "accept", src: ["bob@"], dst: ["tag:server:53"] }] };
    expect(effectiveAccess(withAny, nodes, modern)).toEqual({ "bob-laptop → server-1:53": "any" });
  });

  it("autogroups: member, tagged, self (a user's own nodes only)", () => {
    expect(access({ acls: [{ action: "accept", src: ["autogroup:tagged"], dst: ["autogroup:member:443"] }] })).toEqual([
      "server-1 → alice-laptop:443",
      "server-1 → alice-phone:443",
      "server-1 → bob-laptop:443",
    ]);
    expect(access({ acls: [{ action: "accept", src: ["autogroup:member"], dst: ["autogroup:self:*"] }] })).toEqual([
      "alice-laptop → alice-phone:*",
      "alice-phone → alice-laptop:*",
    ]);
    expect(access({ acls: [{ action: "accept", src: ["*"], dst: ["autogroup:internet:*"] }] })).toEqual([]);
  });

  it("hosts, IPs and CIDRs match nodes by address; `*` is everyone", () => {
    const policy = {
      hosts: { db: "100.64.0.3/32", office: "100.64.0.0/31" },
      acls: [{ action: "accept", src: ["office"], dst: ["db:5432", "fd7a:115c:a1e0::2:8080", "[fd7a:115c:a1e0::4]:9"] }],
    };
    expect(access(policy)).toEqual(["alice-laptop → alice-phone:9", "alice-laptop → bob-laptop:8080", "alice-laptop → server-1:5432"]);
    expect(access({ acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] })).toHaveLength(12);
    expect(access({})).toHaveLength(12); // no acls and no grants: the server allows everything
    expect(access({ acls: [] })).toEqual([]);
  });

  it("grants count where the server supports them, and are ignored before", () => {
    const policy = { grants: [{ src: ["bob@"], dst: ["tag:server"], ip: ["tcp:443", "8000-8080"] }] };
    expect(access(policy)).toEqual(["bob-laptop → server-1:443/tcp", "bob-laptop → server-1:8000-8080"]);
    // Before 0.29 a grants-only policy is one without rules: the server allows everything.
    expect(Object.keys(effectiveAccess(policy, nodes, { grants: false }))).toHaveLength(12);
  });

  it("a change is the pairs added and removed; a reformatting is none", () => {
    const map = (policy: object) => effectiveAccess(policy as Record<string, unknown>, nodes, modern);
    const before = map({ acls: [{ action: "accept", src: ["alice@"], dst: ["tag:server:22"] }] });
    const after = map({
      acls: [
        { action: "accept", src: ["bob@"], dst: ["tag:server:22"] },
        { action: "accept", src: ["alice@"], dst: ["tag:server:22"] },
      ],
    });
    expect(accessChange(before, after)).toEqual({ added: ["bob-laptop → server-1:22"], removed: [] });
    expect(accessChange(after, before)).toEqual({ added: [], removed: ["bob-laptop → server-1:22"] });
  });
});

describe("policy tests, locally", () => {
  const run = (policy: object) =>
    runPolicyTests(policy as Record<string, unknown>, nodes, modern).map((r) => ({
      passed: r.passed,
      acceptFail: r.acceptFail,
      denyFail: r.denyFail,
      errors: r.errors,
    }));
  const base = { acls: [{ action: "accept", src: ["alice@"], dst: ["tag:server:22"] }] };

  it("passes, fails on accept and on deny, and says why a source resolves to nothing", () => {
    const results = run({
      ...base,
      tests: [
        { src: "alice@", accept: ["tag:server:22"], deny: ["tag:server:80"] },
        { src: "bob@", accept: ["tag:server:22"] },
        { src: "alice@example.com", deny: ["tag:server:22"] },
        { src: "carol@", accept: ["tag:server:22"] },
      ],
    });
    expect(results.map((r) => r.passed)).toEqual([true, false, false, false]);
    expect(results[1]!.acceptFail).toEqual(["tag:server:22"]);
    expect(results[2]!.denyFail).toEqual(["tag:server:22"]);
    expect(results[3]!.errors).toEqual(['source "carol@" resolved to no IP addresses']);
  });

  it("protocols: a tcp rule does not satisfy a udp test; a rule without proto satisfies any", () => {
    const policy = {
      acls: [
        { action: "accept", src: ["bob@"], proto: "tcp", dst: ["tag:server:53"] },
        { action: "accept", src: ["bob@"], dst: ["tag:server:22"] },
      ],
      tests: [
        { src: "bob@", proto: "udp", deny: ["tag:server:53"], accept: ["tag:server:22"] },
        { src: "bob@", proto: "tcp", accept: ["tag:server:53"] },
      ],
    };
    expect(run(policy).map((r) => r.passed)).toEqual([true, true]);
  });
});

describe("ip sets", () => {
  it("splits merged ranges into the fewest prefixes, as Headscale does for a test's source", () => {
    const set = IpSet.of(["100.64.0.2", "100.64.0.3", "100.64.0.1"].map((a) => parseRange(a)!));
    expect(set.prefixes().map((p) => [p.first, p.last])).toEqual([
      [parseRange("100.64.0.1")!.first, parseRange("100.64.0.1")!.last],
      [parseRange("100.64.0.2/31")!.first, parseRange("100.64.0.2/31")!.last],
    ]);
    expect(parseRange("fd7a:115c:a1e0::/48")!.last - parseRange("fd7a:115c:a1e0::/48")!.first + 1n).toBe(1n << 80n);
    expect(parseRange("1.2.3")).toBeUndefined();
    expect(parseRange("fd7a::1::2")).toBeUndefined();
  });
});

describe("leaving the tests out of what an older server is sent", () => {
  it("removes the top-level section only, keeping comments and the rest as written", () => {
    const text = `{
  // who reaches what
  "acls": [{ "action": "accept", "src": ["alice@"], "dst": ["tag:server:22"] }], // rules
  "tests": [{ "src": "alice@", "accept": ["tag:server:22"] }, { "src": "x", "deny": ["y:1"] }],
  "groups": { "group:a": ["alice@"], "tests": [] },
}`;
    const valueOf = (t: string) => {
      const r = parsePolicyText(t);
      return r.ok ? r.value : r;
    };
    const out = withoutTopLevelSection(text, "tests");
    expect(out).toContain("// who reaches what");
    expect(out).toContain("// rules");
    expect(out).not.toContain('"src": "alice@"');
    expect(valueOf(out)).toEqual({
      acls: [{ action: "accept", src: ["alice@"], dst: ["tag:server:22"] }],
      groups: { "group:a": ["alice@"], tests: [] },
    });
    const last = withoutTopLevelSection(`{ "acls": [], /* c */ "tests": [ { "src": "a@", "accept": ["b@:1"] } ] }`, "tests");
    expect(valueOf(last)).toEqual({ acls: [] });
    expect(withoutTopLevelSection(`{ "acls": [] }`, "tests")).toBe(`{ "acls": [] }`);
  });
});
