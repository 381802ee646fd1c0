// The policy checks against real servers: the dialect built from a server's capabilities rejects exactly
// what that server's own parser rejects, and the Policy resource's check names line and column.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient, HeadscaleError } from "../../provider/client/index.js";
import { parsePolicyText, validatePolicy } from "../../provider/policy/index.js";
import { createContext, Policy } from "../../provider/resources/index.js";
import { policyDialect } from "../../provider/resources/policyDialect.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { headscaleVersions } from "../harness/tools.js";

// Policies that some Headscale versions reject and others accept (no `tests`: they need live nodes).
const PROBES: Record<string, unknown> = {
  "autogroup:member": { acls: [{ action: "accept", src: ["autogroup:member"], dst: ["*:*"] }] },
  "autogroup:danger-all": { acls: [{ action: "accept", src: ["autogroup:danger-all"], dst: ["*:*"] }] },
  "protocol in capitals": { acls: [{ action: "accept", proto: "TCP", src: ["*"], dst: ["*:22"] }] },
  "numeric protocol with ports": { acls: [{ action: "accept", proto: 6, src: ["*"], dst: ["*:22"] }] },
  "numeric protocol": { acls: [{ action: "accept", proto: 1, src: ["*"], dst: ["*:*"] }] },
  "numeric protocol as a string": { acls: [{ action: "accept", proto: "1", src: ["*"], dst: ["*:*"] }] },
  "a rule without action": { acls: [{ src: ["*"], dst: ["*:*"] }] },
  "bracketed IPv6": { acls: [{ action: "accept", src: ["*"], dst: ["[fd7a::1]:22"] }] },
  "a tag owning a tag": { tagOwners: { "tag:a": ["tag:b"], "tag:b": ["alice@"] } },
  "circular tag ownership": { tagOwners: { "tag:a": ["tag:b"], "tag:b": ["tag:a"] } },
  grants: { grants: [{ src: ["*"], dst: ["*"], ip: ["*"] }] },
  randomizeClientPort: { randomizeClientPort: true },
  "acceptEnv in an SSH rule": { ssh: [{ action: "accept", src: ["alice@"], dst: ["alice@"], users: ["root"], acceptEnv: ["LANG"] }] },
  "a tagged source SSHing to a user": {
    tagOwners: { "tag:ci": ["alice@"] },
    ssh: [{ action: "accept", src: ["tag:ci"], dst: ["alice@"], users: ["root"] }],
  },
  "an unknown member": { acls: [{ action: "accept", src: ["*"], dst: ["*:*"], priority: 1 }] },
  "a comment member": { acls: [{ action: "accept", src: ["*"], dst: ["*:*"], comment: "web" }] },
};

describe.each(headscaleVersions())("Headscale %s policy dialect", (version) => {
  let server: HeadscaleServer;
  let client: HeadscaleClient;

  beforeAll(async () => {
    server = await startHeadscale({ version });
    client = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await client.createUser({ name: "alice" });
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  const showLogOnFailure = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));

  it("rejects a policy exactly when the server's own parser does", async () => {
    showLogOnFailure();
    const dialect = policyDialect(await client.server());
    const verdicts: Array<[string, { ours: string[]; warnings: string[]; server: string }]> = [];
    for (const [name, policy] of Object.entries(PROBES)) {
      const problems = validatePolicy(policy, { dialect });
      const ours = problems.filter((p) => p.severity === "error").map((p) => p.message);
      const warnings = problems.filter((p) => p.severity === "warning").map((p) => p.message);
      const server = await client.setPolicy(JSON.stringify(policy)).then(
        () => "accepted",
        (e: unknown) => {
          if (e instanceof HeadscaleError && e.kind === "invalid_argument") return `rejected: ${e.serverMessage ?? e.message}`;
          throw e;
        },
      );
      verdicts.push([name, { ours, warnings, server }]);
    }
    // Stricter on purpose: a section the server would silently ignore (0.26 ignores unknown members) is an
    // error, since it would do nothing.
    const ignoredSection = (v: { ours: string[]; server: string }) =>
      dialect.unknownMembers === "ignored" && v.server === "accepted" && v.ours.every((m) => /^\w+: needs Headscale/.test(m));
    // Lenient on purpose: to a server newer than the checks (main), an unknown member may be a feature it
    // knows, so it is a warning; the server's own check at plan time still catches it.
    const newerMember = (v: { ours: string[]; server: string; warnings: string[] }) =>
      dialect.unknownMembers === "unsure" && /unknown field/.test(v.server) && v.ours.length === 0 && v.warnings.some((m) => /unknown field/.test(m));
    const disagree = verdicts.filter(([, v]) => v.ours.length > 0 !== v.server.startsWith("rejected") && !ignoredSection(v) && !newerMember(v));
    expect(disagree, JSON.stringify(disagree, null, 2)).toEqual([]);
  });

  it("the Policy resource's check reports the line and column of each problem, writing nothing", async () => {
    showLogOnFailure();
    await client.setPolicy("{}");
    const text = `{\n  "groups": { "group:admin": ["alice@"] },\n  "acls": [\n    { "action": "accept", "src": ["group:admin", "group:nope"], "dst": ["*:*"] },\n  ],\n}\n`;
    expect(parsePolicyText(text).ok).toBe(true);
    const problems = await Policy.check(createContext(client), { policy: text });
    expect(problems).toEqual([
      {
        field: "policy",
        severity: "error",
        message:
          'line 4, column 50: acls[0].src[1]: group "group:nope" is not defined; add "group:nope": ["<user>@", …] to "groups" (with its members) or fix the name',
      },
    ]);
    expect((await client.getPolicy()).text).toBe("{}");
  });
});
