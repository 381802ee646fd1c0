// The policy package's dialects (what each Headscale version's parser accepts, built from caps), the line
// and column of every validation problem, the one sections table, and the package's layering.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { capabilitiesOf, developmentBuild, parseVersion } from "../../provider/client/version.js";
import {
  ANY_SERVER,
  canonicalPolicy,
  parsePolicyText,
  POLICY_SECTIONS,
  PolicyObject,
  validatePolicy,
  type PolicyDialect,
  type Problem,
} from "../../provider/policy/index.js";
import { policyDialect } from "../../provider/resources/policyDialect.js";

function dialectOf(version: string): PolicyDialect {
  const v = parseVersion(version);
  if (!v) throw new Error(`not a version: ${version}`);
  return policyDialect({ version: v.version, caps: capabilitiesOf(v) });
}

const errorsOn = (policy: unknown, version: string): string[] =>
  validatePolicy(policy, { dialect: dialectOf(version) })
    .filter((p) => p.severity === "error")
    .map((p) => p.path);
const severityAt = (problems: Problem[], at: string) => problems.filter((p) => p.path === at).map((p) => p.severity);

describe("policy dialects", () => {
  // Each row: a policy, and the versions whose parser rejects it (Headscale's types.go, v0.26.1 … v0.29.3).
  const cases: Array<[string, unknown, string[]]> = [
    ["autogroup:member", { acls: [{ action: "accept", src: ["autogroup:member"], dst: ["*:*"] }] }, ["0.26.1"]],
    ["autogroup:danger-all", { acls: [{ action: "accept", src: ["autogroup:danger-all"], dst: ["*:*"] }] }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["protocol in capitals", { acls: [{ action: "accept", proto: "TCP", src: ["*"], dst: ["*:22"] }] }, ["0.26.1"]],
    ["numeric protocol with ports", { acls: [{ action: "accept", proto: 6, src: ["*"], dst: ["*:22"] }] }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["numeric protocol", { acls: [{ action: "accept", proto: 1, src: ["*"], dst: ["*:*"] }] }, ["0.26.1"]],
    ["a rule without action", { acls: [{ src: ["*"], dst: ["*:*"] }] }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["bracketed IPv6", { acls: [{ action: "accept", src: ["*"], dst: ["[fd7a::1]:22"] }] }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["a tag owning a tag", { tagOwners: { "tag:a": ["tag:b"], "tag:b": ["alice@"] } }, ["0.26.1", "0.27.1"]],
    ["circular tag ownership", { tagOwners: { "tag:a": ["tag:b"], "tag:b": ["tag:a"] } }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["grants", { grants: [{ src: ["*"], dst: ["*"], ip: ["*"] }] }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["tests", { tests: [{ src: "alice@", accept: ["*:22"] }] }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["randomizeClientPort", { randomizeClientPort: true }, ["0.26.1", "0.27.1", "0.28.0"]],
    ["acceptEnv in an SSH rule", { ssh: [{ action: "accept", src: ["alice@"], dst: ["alice@"], users: ["root"], acceptEnv: ["LANG"] }] }, ["0.27.1", "0.28.0"]],
    ["an SSH rule without users", { ssh: [{ action: "accept", src: ["alice@"], dst: ["alice@"] }] }, ["0.29.3"]],
    [
      "a host as SSH destination",
      { hosts: { db: "10.0.0.1" }, ssh: [{ action: "accept", src: ["alice@"], dst: ["db"], users: ["root"] }] },
      ["0.26.1", "0.29.3"],
    ],
    [
      "a tagged source SSHing to a user",
      { tagOwners: { "tag:ci": ["alice@"] }, ssh: [{ action: "accept", src: ["tag:ci"], dst: ["alice@"], users: ["root"] }] },
      ["0.28.0", "0.29.3"],
    ],
    ["an unknown member", { acls: [{ action: "accept", src: ["*"], dst: ["*:*"], priority: 1 }] }, ["0.27.1", "0.28.0", "0.29.3"]],
  ];
  const versions = ["0.26.1", "0.27.1", "0.28.0", "0.29.3"];

  it.each(cases)("%s: rejected exactly where that version rejects it", (_name, policy, rejectedOn) => {
    for (const v of versions)
      expect(errorsOn(policy, v).length > 0, `${v}: ${JSON.stringify(validatePolicy(policy, { dialect: dialectOf(v) }))}`).toBe(rejectedOn.includes(v));
  });

  it("0.26 ignores what 0.27+ rejects, so it warns instead", () => {
    const policy = { acls: [{ action: "accept", src: ["*"], dst: ["*:*"], comment: "web" }], postures: {} };
    const on026 = validatePolicy(policy, { dialect: dialectOf("0.26.1") });
    expect(severityAt(on026, "acls[0].comment")).toEqual(["warning"]);
    expect(on026.find((p) => p.path === "postures")?.message).toContain("Headscale 0.26.1 ignores it");
    expect(severityAt(validatePolicy(policy, { dialect: dialectOf("0.27.1") }), "acls[0].comment")).toEqual(["error"]);
  });

  it("a server newer than the checks (0.30, Headscale main) is not held to 0.29's rules for what it may know", () => {
    const policy = { acls: [{ action: "accept", src: ["*"], dst: ["*:*"], priority: 1 }], postures: {} };
    const main = policyDialect({ version: "dev", caps: capabilitiesOf(developmentBuild("dev", true)) });
    for (const dialect of [dialectOf("0.30.0"), main]) {
      expect(dialect.unknownMembers).toBe("unsure");
      expect(validatePolicy(policy, { dialect }).map((p) => [p.path, p.severity])).toEqual([["acls[0].priority", "warning"]]);
    }
    // Everything 0.29 added, main has too.
    expect({ ...main, version: undefined, unknownMembers: undefined }).toEqual({
      ...dialectOf("0.29.3"),
      version: undefined,
      unknownMembers: undefined,
    });
  });

  it("without a server (ANY_SERVER) every section is allowed and version-specific checks stay quiet", () => {
    const policy = {
      grants: [{ src: ["*"], dst: ["*"], ip: ["*"] }],
      postures: {},
      acls: [{ action: "accept", proto: 6, src: ["*"], dst: ["[fd7a::1]:22"] }],
    };
    expect(validatePolicy(policy)).toEqual([]);
    expect(validatePolicy(policy, { dialect: ANY_SERVER })).toEqual([]);
  });
});

describe("line and column of validation problems", () => {
  const text = `{
  // who may reach what
  "groups": { "group:admin": ["alice@"] },
  "acls": [
    {
      "action": "accept",
      "src": ["group:admin", "group:nope"],
      "dst": ["tag:web:443"],
      "comment": "old style"
    },
    { "src": ["*"], "dst": ["*:*"] },
    { "action": "accept", "SRC": ["bob"], "dst": ["*:*"] }
  ],
  "grants": [{ "src": ["*"], "dst": ["*"], "ip": ["*"] }]
}
`;
  const parsed = parsePolicyText(text);
  if (!parsed.ok) throw new Error(parsed.message);
  const problems = validatePolicy(parsed.value, { dialect: dialectOf("0.28.0"), positions: parsed.positions });
  const at = (path: string) => {
    const found = problems.filter((p) => p.path === path);
    expect(found, JSON.stringify(problems, null, 2)).toHaveLength(1);
    return found[0]!;
  };

  it("a list element: where the element starts", () => {
    expect(at("acls[0].src[1]")).toMatchObject({ line: 7, column: 30, severity: "error" });
    expect(at("acls[0].dst[0]")).toMatchObject({ line: 8, column: 15 });
  });

  it("a member: where its name starts", () => {
    expect(at("acls[0].comment")).toMatchObject({ line: 9, column: 7 });
    expect(at("grants")).toMatchObject({ line: 14, column: 3 });
  });

  it("a missing member: where its entry starts", () => {
    expect(at("acls[1].action")).toMatchObject({ line: 11, column: 5 });
  });

  it("a member written in another case, as Headscale reads it", () => {
    expect(at("acls[2].src[0]")).toMatchObject({ line: 12, column: 35 });
  });

  it("every problem has a position when the positions are given, none without", () => {
    expect(problems.length).toBeGreaterThan(5);
    for (const p of problems) expect(p.line, p.path).toBeGreaterThan(0);
    for (const p of validatePolicy(parsed.value, { dialect: dialectOf("0.28.0") })) expect(p.line).toBeUndefined();
  });

  it("counts lines and columns like editors: after comments, in multi-byte text, with CRLF", () => {
    const crlf = `{\r\n  /* ü */ "acls": [\r\n    { "action": "drop", "src": ["*"], "dst": ["*:*"] }\r\n  ]\r\n}\r\n`;
    const r = parsePolicyText(crlf);
    if (!r.ok) throw new Error(r.message);
    expect(validatePolicy(r.value, { positions: r.positions })).toEqual([expect.objectContaining({ path: "acls[0].action", line: 3, column: 7 })]);
  });
});

describe("the sections table", () => {
  it("is what the typed builder accepts: every section, every entry member", () => {
    for (const [name, spec] of Object.entries(POLICY_SECTIONS)) {
      expect(Object.keys(PolicyObject.shape), name).toContain(name);
      if (spec.shape === "entries") {
        const element = (PolicyObject.shape as Record<string, { unwrap(): { element: { shape: object } } }>)[name]!.unwrap().element;
        expect(Object.keys(element.shape), name).toEqual([...spec.members]);
      }
    }
  });

  it("is what the semantic diff treats as sets: exactly the listed arrays compare order-insensitively", () => {
    const sorted = canonicalPolicy({
      grants: [{ src: ["b", "a"], dst: ["d", "c"], ip: ["2", "1"], via: ["y", "x"] }],
      ssh: [{ users: ["b", "a"] }],
    });
    expect(sorted).toEqual({
      grants: [{ dst: ["c", "d"], ip: ["1", "2"], src: ["a", "b"], via: ["x", "y"] }],
      ssh: [{ users: ["a", "b"] }],
    });
    // acls and grants are sets of rules; ssh rule order and lists that are not sets keep their order.
    expect(
      canonicalPolicy({
        acls: [{ dst: ["b"] }, { dst: ["a"] }],
        ssh: [{ dst: ["b"] }, { dst: ["a"] }],
        sshTests: [{ src: "x" }],
        tests: [{ proto: "tcp" }],
      }),
    ).toEqual({
      acls: [{ dst: ["a"] }, { dst: ["b"] }],
      ssh: [{ dst: ["b"] }, { dst: ["a"] }],
      sshTests: [{ src: "x" }],
      tests: [{ proto: "tcp" }],
    });
  });
});

describe("layering", () => {
  it("provider/policy imports nothing else of ours (only its own files and packages)", () => {
    const dir = path.join(import.meta.dirname, "../../provider/policy");
    let imports = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const source = readFileSync(path.join(dir, file), "utf8");
      for (const [, spec] of source.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)";/gm)) {
        imports++;
        if (spec!.startsWith(".")) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w.-]+\.js$/);
        else expect(spec, `${file} imports ${spec}`).toMatch(/^(node:|json5$|zod$)/);
      }
    }
    expect(imports).toBeGreaterThan(20);
  });

  it("no policy file compares versions: what a server accepts comes in as its dialect", () => {
    const dir = path.join(import.meta.dirname, "../../provider/policy");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts")))
      expect(readFileSync(path.join(dir, file), "utf8"), file).not.toMatch(/\bminor\b|parseVersion/);
  });
});
