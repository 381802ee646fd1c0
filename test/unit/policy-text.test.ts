// Unit tests of the policy text tooling: parsing, semantic comparison, the typed builder (no server needed).
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

/** Parses or fails the test with the parser's message. */
function parse(text: string): Record<string, unknown> {
  const r = parsePolicyText(text);
  if (!r.ok) throw new Error(`unexpected parse error at ${r.line}:${r.column}: ${r.message}`);
  return r.value;
}

describe("parsePolicyText", () => {
  it("accepts HuJSON: comments and trailing commas", () => {
    const r = parsePolicyText(`// header\n{\n  /* block */ "acls": [\n    {"action": "accept", "src": ["*"], "dst": ["*:*"],},\n  ],\n}\n`);
    expect(r).toEqual({
      ok: true,
      value: { acls: [{ action: "accept", src: ["*"], dst: ["*:*"] }] },
      positions: expect.any(PolicyPositions),
    });
  });

  it("reports the line and column of a syntax error", () => {
    const r = parsePolicyText(`{\n  "acls": [\n    {"action": "accept" "src": ["*"], "dst": ["*:*"]}\n  ]\n}\n`);
    expect(r).toMatchObject({ ok: false, line: 3, column: 25 });
    if (!r.ok) expect(r.message).toBe('syntax error: unexpected character "\\""; a comma is probably missing before it');
  });

  it("reports a missing closing bracket at the end of the text", () => {
    const r = parsePolicyText(`{\n  "acls": [\n`);
    expect(r).toMatchObject({ ok: false, line: 3, column: 1 });
    if (!r.ok) expect(r.message).toContain("is missing");
  });

  // Everything JSON5 accepts but Headscale's HuJSON parser rejects (each checked against Headscale).
  const json5Only: Array<[string, string, number, number, string]> = [
    ["single-quoted name", `{\n  "acls": [],\n  'groups': {}\n}`, 3, 3, `use double quotes: "groups"`],
    ["single-quoted string", `{"hosts": {"db": '10.0.0.1'}}`, 1, 18, `use double quotes: "10.0.0.1"`],
    ["unquoted name", `{\n  acls: []\n}`, 2, 3, `use double quotes: "acls"`],
    ["hexadecimal number", `{"x": 0x1F}`, 1, 7, "write it in decimal: 31"],
    ["leading +", `{"x": +1}`, 1, 7, "write 1"],
    ["leading decimal point", `{"x": .5}`, 1, 7, "write 0.5"],
    ["trailing decimal point", `{"x": 5.}`, 1, 7, "write 5"],
    ["NaN", `{"x": NaN}`, 1, 7, "write a finite number"],
    ["Infinity", `{"x": -Infinity}`, 1, 7, "write a finite number"],
    ["\\x escape", `{"x": "a\\x41"}`, 1, 9, "write \\u0041"],
    ["\\' escape", `{"x": "it\\'s"}`, 1, 10, "write ' without the backslash"],
    ["line continuation", `{"x": "a\\\nb"}`, 1, 9, "join the lines"],
    ["raw tab in a string", `{"x": "a\tb"}`, 1, 9, "write it as \\t"],
    ["no-break space", `{"x":\u00a01}`, 1, 6, "replace it with a plain space"],
    ["byte-order mark", `\ufeff{"x": 1}`, 1, 1, "remove it from the start of the text"],
    ["// comment without a final line break", `{"x": 1} // end`, 1, 10, "add a newline at the end of the text"],
    ["duplicate member name", `{\n  "acls": [],\n  "acls": []\n}`, 3, 3, "merge the two entries"],
  ];
  for (const [what, text, line, column, fix] of json5Only) {
    it(`rejects JSON5-only syntax: ${what}`, () => {
      const r = parsePolicyText(text);
      expect(r).toMatchObject({ ok: false, line, column });
      if (!r.ok) expect(r.message).toContain(fix);
    });
  }

  it("reports the first problem in the text, JSON5-only or not", () => {
    const r = parsePolicyText(`{\n  'a': 1,\n  "b": @\n}`);
    expect(r).toMatchObject({ ok: false, line: 2, column: 3 });
  });

  it("requires an object at the top level", () => {
    const r = parsePolicyText(`// rules\n[{"action": "accept"}]\n`);
    expect(r).toMatchObject({ ok: false, line: 2, column: 1 });
    if (!r.ok) expect(r.message).toContain("must be a JSON object");
  });

  it("rejects an empty text, which Headscale reads as no policy at all", () => {
    for (const text of ["", "  \n", "// nothing\n"]) {
      const r = parsePolicyText(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toContain("write {}");
    }
  });

  it("does not mistake valid JSON for JSON5-only syntax", () => {
    const value = parse(`{"a": -0.5e+10, "b": "\\u00e9\\n\\"\\/", "c": [true, false, null], "d": 0, "e": {"a": 1}}\n`);
    expect(value).toEqual({ a: -0.5e10, b: 'é\n"/', c: [true, false, null], d: 0, e: { a: 1 } });
  });
});

describe("semantic comparison", () => {
  const compact = `{"groups":{"group:admin":["alice@","bob@"]},"acls":[{"action":"accept","src":["group:admin"],"dst":["*:*"]}]}`;

  it("ignores comments, formatting and key order", () => {
    const pretty = `// who may do what\n{\n  "acls": [\n    /* admins */ {"dst": ["*:*"], "action": "accept", "src": ["group:admin"],},\n  ],\n  "groups": {\n    "group:admin": ["alice@", "bob@"], // two\n  },\n}\n`;
    expect(policiesEqual(compact, pretty)).toBe(true);
    expect(canonicalPolicyText(parse(compact))).toBe(canonicalPolicyText(parse(pretty)));
    expect(diffPolicySections(parse(compact), parse(pretty))).toEqual([]);
  });

  it("ignores the order of lists Headscale treats as sets", () => {
    const a = parse(`{
      "groups": {"group:admin": ["alice@", "bob@"]},
      "tagOwners": {"tag:web": ["group:admin", "alice@"]},
      "autoApprovers": {"routes": {"10.0.0.0/8": ["tag:web", "bob@"]}, "exitNode": ["tag:web", "alice@"]},
      "acls": [{"action": "accept", "src": ["alice@", "group:admin"], "dst": ["tag:web:22", "*:80"]}],
      "ssh": [{"action": "accept", "src": ["alice@", "bob@"], "dst": ["tag:web"], "users": ["root", "ubuntu"]}]
    }`);
    const b = parse(`{
      "groups": {"group:admin": ["bob@", "alice@", "bob@"]},
      "tagOwners": {"tag:web": ["alice@", "group:admin"]},
      "autoApprovers": {"exitNode": ["alice@", "tag:web"], "routes": {"10.0.0.0/8": ["bob@", "tag:web"]}},
      "acls": [{"action": "accept", "src": ["group:admin", "alice@"], "dst": ["*:80", "tag:web:22"]}],
      "ssh": [{"action": "accept", "src": ["bob@", "alice@"], "dst": ["tag:web"], "users": ["ubuntu", "root"]}]
    }`);
    expect(canonicalPolicy(a)).toEqual(canonicalPolicy(b));
    expect(diffPolicySections(a, b)).toEqual([]);
  });

  it("ignores the order of acls and grants (they only allow), but not of ssh rules (the first match decides)", () => {
    const r1 = `{"action": "accept", "src": ["group:admin"], "dst": ["*:*"]}`;
    const r2 = `{"action": "accept", "src": ["alice@"], "dst": ["tag:web:22"]}`;
    expect(policiesEqual(`{"acls": [${r1}, ${r2}]}`, `{"acls": [${r2}, ${r1}, ${r2}]}`)).toBe(true);
    const g1 = `{"src": ["group:admin"], "dst": ["*"], "ip": ["*"]}`;
    const g2 = `{"src": ["alice@"], "dst": ["tag:web"], "ip": ["tcp:22"]}`;
    expect(policiesEqual(`{"grants": [${g1}, ${g2}]}`, `{"grants": [${g2}, ${g1}]}`)).toBe(true);
    const s1 = `{"action": "check", "src": ["alice@"], "dst": ["tag:web"], "users": ["root"]}`;
    const s2 = `{"action": "accept", "src": ["autogroup:member"], "dst": ["tag:web"], "users": ["root"]}`;
    const a = `{"ssh": [${s1}, ${s2}]}`;
    const b = `{"ssh": [${s2}, ${s1}]}`;
    expect(policiesEqual(a, b)).toBe(false);
    expect(diffPolicySections(parse(a), parse(b))).toEqual([{ section: "ssh", change: "changed", summary: "ssh: 1 rule moved" }]);
  });

  it("summarises rule changes as counts", () => {
    const a = parse(`{"acls": [
      {"action": "accept", "src": ["group:admin"], "dst": ["*:*"]},
      {"action": "accept", "src": ["alice@"], "dst": ["db:5432"]}
    ]}`);
    const b = parse(`{"acls": [
      {"action": "accept", "src": ["group:admin"], "dst": ["*:*"]},
      {"action": "accept", "src": ["alice@"], "dst": ["db:5433"]},
      {"action": "accept", "src": ["*"], "dst": ["tag:web:443"]}
    ]}`);
    expect(diffPolicySections(a, b)).toEqual([{ section: "acls", change: "changed", summary: "acls: 1 rule added, 1 changed" }]);
    expect(diffPolicySections(b, a)).toEqual([{ section: "acls", change: "changed", summary: "acls: 1 rule removed, 1 changed" }]);
  });

  it("names what changed in map sections", () => {
    const a = parse(`{"groups": {"group:admin": ["alice@", "bob@"]}, "hosts": {"db": "10.0.0.1"}, "autoApprovers": {"exitNode": ["tag:exit"]}}`);
    const b = parse(
      `{"groups": {"group:admin": ["alice@", "carol@"], "group:ops": ["dave@"]}, "hosts": {"db": "10.0.0.2"}, "autoApprovers": {"exitNode": ["tag:exit", "alice@"]}}`,
    );
    expect(diffPolicySections(a, b)).toEqual([
      { section: "groups", change: "changed", summary: "groups: group:ops added; group:admin members changed (+carol@, -bob@)" },
      { section: "hosts", change: "changed", summary: "hosts: db changed (10.0.0.1 → 10.0.0.2)" },
      { section: "autoApprovers", change: "changed", summary: "autoApprovers: exitNode approvers changed (+alice@)" },
    ]);
  });

  it("reports added and removed sections and scalar changes", () => {
    const a = parse(`{"tagOwners": {"tag:web": ["alice@"]}, "randomizeClientPort": false}`);
    const b = parse(`{"randomizeClientPort": true, "ssh": [{"action": "accept", "src": ["alice@"], "dst": ["tag:web"], "users": ["root"]}]}`);
    expect(diffPolicySections(a, b)).toEqual([
      { section: "randomizeClientPort", change: "changed", summary: "randomizeClientPort: false → true" },
      { section: "ssh", change: "added", summary: "ssh: added (1 rule)" },
      { section: "tagOwners", change: "removed", summary: "tagOwners: removed (1 tag)" },
    ]);
  });

  it("keeps and compares unknown sections generically (arrays in order)", () => {
    const a = `{"acls": [], "postures": {"posture:latest": ["node:os == 'linux'", "node:tsVersion >= '1.60'"]}}`;
    const reordered = `{"postures": {"posture:latest": ["node:tsVersion >= '1.60'", "node:os == 'linux'"]}, "acls": []}`;
    expect(canonicalPolicy(parse(a))).toHaveProperty(["postures", "posture:latest", 0], "node:os == 'linux'");
    expect(policiesEqual(a, a.replace(`"acls": [], `, `"acls": [],\n  `))).toBe(true);
    expect(policiesEqual(a, reordered)).toBe(false);
    expect(diffPolicySections(parse(a), parse(reordered))).toEqual([{ section: "postures", change: "changed", summary: "postures: posture:latest changed" }]);
    expect(diffPolicySections(parse(`{"acls": []}`), parse(a))).toEqual([{ section: "postures", change: "added", summary: "postures: added (1 entry)" }]);
  });

  it("never calls an unparseable text equal to a different one; no policy differs from an empty one", () => {
    expect(policiesEqual("{'a': 1}", "{'a': 1}")).toBe(true);
    expect(policiesEqual("{'a': 1}", '{"a": 1}')).toBe(false);
    expect(policiesEqual("", "{}")).toBe(false);
    expect(policiesEqual("{}", "{ }\n")).toBe(true);
  });
});

describe("typed policy", () => {
  it("accepts unknown sections and fields and keeps them", () => {
    const input = { acls: [{ action: "accept", src: ["*"], dst: ["*:*"], "#note": "x" }], postures: { "posture:x": ["a"] } };
    const parsed = PolicyObject.parse(input);
    expect(parsed).toEqual(input);
  });

  it("rejects a wrong shape", () => {
    expect(PolicyObject.safeParse({ acls: [{ action: "deny", src: ["*"], dst: ["*:*"] }] }).success).toBe(false);
    expect(PolicyObject.safeParse({ groups: { "group:a": "alice@" } }).success).toBe(false);
  });

  it("policyToText writes pretty JSON in the order written, equal to the same policy as HuJSON", () => {
    const obj = { tagOwners: { "tag:web": ["alice@"] }, acls: [{ action: "accept" as const, src: ["alice@"], dst: ["tag:web:443"] }] };
    const text = policyToText(obj);
    expect(text.startsWith('{\n  "tagOwners": {\n    "tag:web": [\n      "alice@"\n    ]\n  },\n  "acls": [')).toBe(true);
    expect(text.endsWith("}\n")).toBe(true);
    expect(parse(text)).toEqual(obj);
    expect(
      policiesEqual(text, `{"acls": [{"dst": ["tag:web:443"], "src": ["alice@"], "action": "accept"}], // rules\n "tagOwners": {"tag:web": ["alice@"]}}\n`),
    ).toBe(true);
  });
});
