// Invalid programs fail at preview, with a message naming the resource, the field and the fix, and the
// server is left exactly as it was (users, keys, nodes and policy compared before and after).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { pulumiProject, type Step } from "../harness/pulumi.js";
import { newestHeadscale } from "../harness/tools.js";

import { cases, livePolicy, policy, seedGuidePolicy, tailnetCases } from "./invalidPrograms.js";

async function snapshot(api: HeadscaleClient): Promise<string> {
  const { caps } = await api.server();
  const users = await api.listUsers();
  const keys = caps.keyIdOperations ? await api.listPreAuthKeys() : (await Promise.all(users.map((u) => api.listPreAuthKeys(u.id)))).flat();
  // API keys without lastSeen: the snapshot's own calls move it.
  const apiKeys = (await api.listApiKeys()).map(({ id, prefix, expiration }) => ({ id, prefix, expiration }));
  return JSON.stringify({ users, keys, apiKeys, nodes: await api.listNodes(), policy: (await api.getPolicy()).text });
}

/** Runs every case's preview in one driver process; returns what each printed. */
async function previewAll(server: HeadscaleServer, specs: ProgramSpec[]) {
  const project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
  try {
    return await project.run(specs.map((spec): Step => ({ op: "preview", spec, expectFailure: true })));
  } finally {
    project.dispose();
  }
}

describe(`invalid programs fail at preview with no writes (Headscale ${newestHeadscale()})`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let before = "";
  let results: Awaited<ReturnType<typeof previewAll>> = [];

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "alice" });
    await api.setPolicy(livePolicy);
    await api.registerNode("alice", await api.debugCreateNode("alice", "web-1"));
    before = await snapshot(api);
    results = await previewAll(
      server,
      cases.map((c) => c.spec),
    );
  }, 600_000);
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it(`covers ${cases.length} invalid programs`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    expect(results).toHaveLength(cases.length);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const r = results[i]!;
    const printed = `${r.error ?? ""}\n${r.output}`;
    expect(r.ok, printed).toBe(false);
    for (const pattern of cases[i]!.says) expect(printed).toMatch(pattern);
    // The value is never echoed back (a policy text would be repeated per problem), nor a stack trace.
    const spec = cases[i]!.spec;
    if (spec.policy && typeof spec.policy.policy === "string" && spec.policy.policy.length > 60) expect(printed).not.toContain(spec.policy.policy);
    expect(printed).not.toMatch(/^\s+at .*\.js:\d+/m);
  });

  it("reports the seed guide's 8 policy problems once each, in under 40 lines", () => {
    const i = cases.findIndex((c) => c.spec.policy?.policy === seedGuidePolicy);
    // What the user's terminal shows: the CLI's own stderr and stdout (the Automation API's error quotes
    // stderr twice, as "stderr:" and "err?:"; a user running `pulumi preview` sees it once).
    const stderr = /stderr: ([\s\S]*?)\n err\?: /.exec(results[i]!.error ?? "")?.[1] ?? "";
    const shown = `${stderr}\n${results[i]!.output}`;
    expect(stderr, results[i]!.error).not.toBe("");
    expect(shown.trim().split("\n").length, shown).toBeLessThan(40);
    for (const path of [
      'groups["group:admin"][0]',
      'groups["group:family"][1]',
      'tagOwners["tag:server"][0]',
      "acls[0].comment",
      "acls[1].src[0]",
      "acls[1].dst[1]",
      "acls[2].action",
      "acls[2].src[0]",
    ]) {
      expect(shown.split(`${path}:`).length - 1, `${path} in:\n${shown}`).toBe(1);
    }
  });

  it("left the server exactly as it was", async () => {
    expect(await snapshot(api)).toBe(before);
  });
});

describe(`invalid routes, API keys and node settings fail at preview with no writes (Headscale ${newestHeadscale()})`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let before = "";
  let results: Awaited<ReturnType<typeof previewAll>> = [];

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "alice" });
    await api.registerNode("alice", await api.debugCreateNode("alice", "web-1"));
    await api.registerNode("alice", await api.debugCreateNode("alice", "db-1"));
    before = await snapshot(api);
    results = await previewAll(
      server,
      tailnetCases.map((c) => c.spec),
    );
  }, 600_000);
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it.each(tailnetCases.map((c, i) => [c.name, i] as const))("%s", (_name, i) => {
    const r = results[i]!;
    const printed = `${r.error ?? ""}\n${r.output}`;
    expect(r.ok, printed).toBe(false);
    for (const pattern of tailnetCases[i]!.says) expect(printed).toMatch(pattern);
    expect(printed).not.toMatch(/^\s+at .*\.js:\d+/m);
  });

  it("left the server exactly as it was", async () => {
    expect(await snapshot(api)).toBe(before);
  });
});

describe("invalid programs that depend on the server's version or mode", () => {
  const versionCases: Array<{ name: string; version: string; policyMode?: "file"; spec: ProgramSpec; says: RegExp[] }> = [
    {
      name: "a tag-only key on 0.27",
      version: "0.27.1",
      spec: { keys: [{ resource: "k", tags: ["tag:ci"], expiration: "1h" }] },
      says: [/PreAuthKey\.user/, /0\.28/],
    },
    {
      name: "node key expiry never on 0.28",
      version: "0.28.0",
      spec: { nodes: [{ resource: "n", nodeName: "web-1", waitFor: "1m", keyExpiry: "never" }] },
      says: [/Node\.keyExpiry/, /0\.29/, /give an RFC 3339 time/],
    },
    {
      name: "node key expiry at a time on 0.26",
      version: "0.26.1",
      spec: { nodes: [{ resource: "n", nodeName: "web-1", waitFor: "1m", keyExpiry: "2030-01-01T00:00:00Z" }] },
      says: [/Node\.keyExpiry/, /0\.27\.1/],
    },
    {
      name: "grants on 0.28",
      version: "0.28.0",
      spec: policy(`{"grants":[{"src":["*"],"dst":["*"],"ip":["*"]}]}`),
      says: [/Policy\.policy/, /grants/, /0\.29/],
    },
    {
      name: "a policy on a server in policy.mode: file",
      version: newestHeadscale(),
      policyMode: "file",
      spec: policy(livePolicy.replace(`"alice@"`, `"root@"`)),
      says: [/Policy\.policy/, /policy\.mode: file/, /policy\.mode: database/],
    },
  ];
  it.each(versionCases)("$name", async ({ version, policyMode, spec, says }) => {
    const server = await startHeadscale({ version, ...(policyMode ? { policyMode, policyFile: "" } : {}) });
    const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    try {
      await api.createUser({ name: "root" });
      const before = await snapshot(api);
      const [r] = await previewAll(server, [spec]);
      const printed = `${r!.error ?? ""}\n${r!.output}`;
      expect(r!.ok, printed).toBe(false);
      for (const pattern of says) expect(printed).toMatch(pattern);
      expect(await snapshot(api)).toBe(before);
    } finally {
      api.close();
      await server.stop();
    }
  });
});
