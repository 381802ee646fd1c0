// Unit tests of policy composition (pure: no server). The end-to-end behaviour (plans, applies, the
// server's text) is in test/terraform/policy-compose.test.ts and test/pulumi/policy-compose.test.ts.
import { describe, expect, it } from "vitest";
import { composePolicy, parsePolicyText, policiesEqual, validatePolicy } from "../../provider/policy/index.js";

const base = `{
  // Admins reach everything.
  "groups": { "group:admin": ["alice@"] },
  "acls": [
    { "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }, // the break-glass rule
  ],
}`;
const teamGroups = `{
  "groups": {
    // The web team.
    "group:web": ["bob@", "carol@"],
  },
}`;
const owners = `{ "tagOwners": { "tag:web": ["group:web"] } }`;
const svcWeb = `{
  "acls": [
    /* web traffic */
    { "action": "accept", "src": ["group:web"], "dst": ["tag:web:80,443"] },
  ],
}`;

function composed(b: string | undefined, f: Record<string, string>) {
  const c = composePolicy(b, f);
  if (!c.ok) throw new Error(c.problems.map((p) => p.message).join("\n"));
  return c;
}

describe("composePolicy", () => {
  it("merges sections in table order, fragments by name, each under a header, comments kept", () => {
    const c = composed(base, { "svc-web": svcWeb, "team-groups": teamGroups, "tag-owners": owners });
    expect(parsePolicyText(c.text).ok).toBe(true);
    expect(c.value).toEqual({
      groups: { "group:admin": ["alice@"], "group:web": ["bob@", "carol@"] },
      tagOwners: { "tag:web": ["group:web"] },
      acls: [
        { action: "accept", src: ["group:admin"], dst: ["*:*"] },
        { action: "accept", src: ["group:web"], dst: ["tag:web:80,443"] },
      ],
    });
    expect(policiesEqual(c.text, JSON.stringify(c.value))).toBe(true);
    for (const kept of [
      "// Admins reach everything.",
      "// The web team.",
      "/* web traffic */",
      "// the break-glass rule",
      '// fragment "team-groups"',
      '// fragment "svc-web"',
      "// policy",
    ]) {
      expect(c.text).toContain(kept);
    }
    // groups before tagOwners before acls; within acls the policy's own rule first.
    expect(c.text.indexOf('"groups"')).toBeLessThan(c.text.indexOf('"tagOwners"'));
    expect(c.text.indexOf('"tagOwners"')).toBeLessThan(c.text.indexOf('"acls"'));
    expect(validatePolicy(c.value).filter((p) => p.severity === "error")).toEqual([]);
  });

  it("is the same text whatever order the fragments are given in", () => {
    const a = composed(base, { "team-groups": teamGroups, "svc-web": svcWeb, "tag-owners": owners }).text;
    const b = composed(base, { "tag-owners": owners, "svc-web": svcWeb, "team-groups": teamGroups }).text;
    expect(a).toBe(b);
  });

  it("without fragments is the policy's own text, verbatim", () => {
    expect(composed(base, {}).text).toBe(base);
  });

  it("moving a definition or a rule between neighbouring sources changes nothing semantically", () => {
    const before = composed(base, { "team-groups": teamGroups, "svc-web": svcWeb }).text;
    const moved = composed(`{ "groups": { "group:admin": ["alice@"] } }`, {
      "a-rules": `{ "acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }] }`,
      "svc-web": svcWeb,
      "team-groups": teamGroups,
    }).text;
    expect(policiesEqual(before, moved)).toBe(true);
  });

  it("the same name defined the same way twice is written once; differently, it fails naming both", () => {
    const again = composed(base, { x: `{ "groups": { "group:admin": ["alice@", "alice@"] } }` });
    expect(again.text.match(/"group:admin":/g)).toHaveLength(1);
    const c = composePolicy(undefined, { "team-groups": teamGroups, "svc-web": `{ "groups": { "group:web": ["dave@"] } }` });
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.problems.map((p) => p.message)).toEqual([
      `group:web is defined by fragment "svc-web" and by fragment "team-groups" differently; define it in one place (groups)`,
    ]);
    expect(c.problems[0]!.fragment).toBe("team-groups");
  });

  it("a scalar set differently by two sources fails; a fragment that does not parse is named", () => {
    const c = composePolicy(`{ "randomizeClientPort": true }`, { r: `{ "randomizeClientPort": false }` });
    expect(!c.ok && c.problems[0]!.message).toBe('randomizeClientPort is set by the policy and by fragment "r" differently; set it in one place');
    const bad = composePolicy(undefined, { broken: `{ "acls": [ }` });
    expect(!bad.ok && bad.problems[0]!.message).toMatch(/^fragment "broken": line 1, column \d+: syntax error/);
  });

  it("autoApprovers merge member by member; a problem's path leads back to its source", () => {
    const c = composed(`{ "autoApprovers": { "routes": { "10.0.0.0/24": ["alice@"] } } }`, {
      net: `{ "autoApprovers": { "routes": { "10.1.0.0/24": ["bob@"] }, "exitNode": ["bob@"] } }`,
      svc: `{ "acls": [{ "action": "accept", "src": ["group:nobody"], "dst": ["*:*"] }] }`,
    });
    expect(c.value.autoApprovers).toEqual({ routes: { "10.0.0.0/24": ["alice@"], "10.1.0.0/24": ["bob@"] }, exitNode: ["bob@"] });
    const undefinedGroup = validatePolicy(c.value).find((p) => p.severity === "error")!;
    expect(undefinedGroup.path).toBe("acls[0].src[0]");
    expect(c.originOf(undefinedGroup.path)).toMatchObject({ fragment: "svc", label: 'fragment "svc"', path: "acls[0].src[0]", line: 1 });
    // A merged index differs from the index in the source; the path reported is the source's.
    const later = composed(`{ "acls": [{ "action": "accept", "src": ["*"], "dst": ["*:*"] }] }`, {
      svc: `{\n  "acls": [\n    { "action": "accept", "src": ["group:nobody"], "dst": ["*:*"] },\n  ],\n}`,
    });
    const problem = validatePolicy(later.value).find((p) => p.severity === "error")!;
    expect(problem.path).toBe("acls[1].src[0]");
    expect(later.originOf(problem.path)).toEqual({ fragment: "svc", label: 'fragment "svc"', path: "acls[0].src[0]", line: 3, column: 35 });
    expect(c.originOf('autoApprovers.routes["10.0.0.0/24"]')?.label).toBe("the policy");
  });

  it("keeps comments in awkward places and strings that look like syntax", () => {
    const tricky = `/* head */ {
  "hosts": {
    "web": "10.0.0.1/32" // after a value, before the comma
    ,
    "odd": "10.0.0.2/32", /* trailing block */
  }, // after the section
  "acls": [
    {
      "action": "accept",
      // inside a rule
      "src": ["group:x//y", "*"],
      "dst": ["web:80,443", "odd:*"], // "}, ] {"
    },
  ],
  // before the end
}`;
    const c = composed(undefined, { tricky, other: `{ "groups": { "group:x//y": ["a@"] } }` });
    const parsed = parsePolicyText(c.text);
    expect(parsed.ok, c.text).toBe(true);
    expect(c.value).toEqual({
      groups: { "group:x//y": ["a@"] },
      hosts: { web: "10.0.0.1/32", odd: "10.0.0.2/32" },
      acls: [{ action: "accept", src: ["group:x//y", "*"], dst: ["web:80,443", "odd:*"] }],
    });
    expect(parsed.ok && parsed.value).toEqual(c.value);
    for (const kept of ["/* head */", "// after a value, before the comma", "/* trailing block */", "// inside a rule", '// "}, ] {"', "// before the end"])
      expect(c.text).toContain(kept);
  });

  it("needs a policy or a fragment", () => {
    expect(composePolicy(undefined, {}).ok).toBe(false);
  });
});
