// The client contract: every call and every error mapping, against every pinned Headscale version.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HeadscaleClient, HeadscaleError, type ErrorKind } from "../../provider/client/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { startFaultProxy, type FaultProxy } from "../harness/faultProxy.js";
import { headscaleMinor, headscaleVersions, MAIN } from "../harness/tools.js";

async function expectError(p: Promise<unknown>, kind: ErrorKind, ...mentions: RegExp[]): Promise<HeadscaleError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, "expected the call to fail").toBeInstanceOf(HeadscaleError);
  const he = e as HeadscaleError;
  expect(he.kind, he.message).toBe(kind);
  for (const m of mentions) expect(he.message).toMatch(m);
  return he;
}

const policy = (extra = "") => `{
  // test policy (comments must survive)
  "groups": { "group:admin": ["alice@"] },
  "tagOwners": { "tag:server": ["group:admin"], "tag:ci": ["group:admin"] },
  "acls": [ { "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }, ],${extra}
}`;

describe.each(headscaleVersions())("Headscale %s client contract", (version) => {
  let server: HeadscaleServer;
  let client: HeadscaleClient;
  const calls: string[] = [];
  const minor = headscaleMinor(version); // main: newer than every release

  beforeAll(async () => {
    server = await startHeadscale({ version });
    client = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    client.onCall = (m, p) => calls.push(`${m} ${p}`);
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  const showLogOnFailure = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));

  /** Asserts that `fn` sends no write to the server. */
  async function noWrites(fn: () => Promise<unknown>) {
    const before = calls.length;
    await fn();
    expect(calls.slice(before).filter((c) => !c.startsWith("GET"))).toEqual([]);
  }

  it("detects the version and its capabilities", async () => {
    showLogOnFailure();
    const before = calls.length;
    const info = await client.server();
    if (version === MAIN) {
      // A build from source says "dev"; the OpenAPI document it serves (unauthenticated) marks the Huma API.
      expect(info).toMatchObject({ version: "dev", development: true, inferred: true, api: "huma" });
      expect(calls.slice(before)).toEqual(["GET /version", "GET /api/v1/openapi.yaml"]);
    } else {
      expect(info.minor).toBe(minor);
      expect(info.development).toBe(false);
      if (minor >= 27) expect(info.version).toBe(version);
      else expect(info.inferred).toBe(true);
      // A release costs one call (0.26: /version, then an authenticated call), never the OpenAPI probe.
      expect(calls.slice(before)).toEqual(minor >= 27 ? ["GET /version"] : ["GET /version", "GET /api/v1/user"]);
    }
    expect(info.api).toBe(minor >= 30 ? "huma" : "grpc-gateway");
    expect(info.caps.keyIdOperations).toBe(minor >= 28);
    expect(info.caps.policyCheck).toBe(minor >= 29);
    for (const cap of ["problemJsonErrors", "strictKeyDelete", "expireNodeJsonBody"] as const) expect(info.caps[cap], cap).toBe(minor >= 30);
    expect(await client.health()).toBe(true);
  });

  it("creates, lists, filters, renames and deletes users", async () => {
    showLogOnFailure();
    const alice = await client.createUser({ name: "alice", displayName: "Alice A", email: "alice@example.com" });
    expect(alice).toMatchObject({ name: "alice", displayName: "Alice A", email: "alice@example.com" });
    expect(alice.id).toMatch(/^\d+$/);
    const bob = await client.createUser({ name: "bob" });
    expect((await client.listUsers()).map((u) => u.name).sort()).toEqual(["alice", "bob"]);
    expect((await client.listUsers({ name: "bob" })).map((u) => u.id)).toEqual([bob.id]);
    expect((await client.listUsers({ id: alice.id }))[0]?.name).toBe("alice");
    const renamed = await client.renameUser(bob.id, "robert");
    expect(renamed).toMatchObject({ id: bob.id, name: "robert" });
    await client.deleteUser(bob.id);
    expect((await client.listUsers()).map((u) => u.name)).toEqual(["alice"]);
  });

  it("maps user errors: duplicate → conflict, unknown → not_found", async () => {
    showLogOnFailure();
    await expectError(client.createUser({ name: "alice" }), "conflict", /create user "alice"/);
    await expectError(client.deleteUser("9999"), "not_found", /delete user 9999/);
    await expectError(client.renameUser("9999", "zed"), "not_found");
  });

  it("refuses bad user names before sending anything", async () => {
    for (const bad of ["", "x", "Bad Name!", "1abc", "a@b@c"]) {
      await noWrites(() => expectError(client.createUser({ name: bad }), "invalid_argument", /name/));
    }
    expect((await client.listUsers()).map((u) => u.name)).toEqual(["alice"]);
  });

  it("sets, reads and checks the policy, keeping comments", async () => {
    showLogOnFailure();
    expect((await client.getPolicy()).text).toBe("");
    await client.setPolicy(policy());
    const stored = await client.getPolicy();
    expect(stored.text).toContain("// test policy (comments must survive)");
    if (minor >= 29) {
      await client.checkPolicy(policy());
      await expectError(client.checkPolicy(`{"acls":[{"action":"accept","src":["group:nope"],"dst":["*:*"]}]}`), "invalid_argument", /group:nope/);
    } else {
      await expectError(client.checkPolicy(policy()), "unsupported", /0\.29/);
    }
  });

  it("tells the policy mode from a read, sending no write", async () => {
    const proxy = await startFaultProxy(server.url);
    const c = new HeadscaleClient({ url: proxy.url, apiKey: server.apiKey });
    try {
      expect(await c.policyWritable()).toBe(true);
      expect(proxy.seen.filter((s) => !s.startsWith("GET "))).toEqual([]);
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it("rejects an invalid policy and keeps the old one", async () => {
    await expectError(client.setPolicy(`{"acls":[{"action":"accept","src":["group:undefined"],"dst":["*:*"]}]}`), "invalid_argument", /group:undefined/);
    expect((await client.getPolicy()).text).toContain("test policy");
  });

  it("creates, lists, expires and deletes pre-auth keys", async () => {
    showLogOnFailure();
    const [alice] = await client.listUsers({ name: "alice" });
    const expiration = new Date(Date.now() + 3600_000);
    const key = await client.createPreAuthKey({ userId: alice!.id, reusable: true, ephemeral: false, expiration, aclTags: ["tag:server"] });
    expect(key.key.length).toBeGreaterThan(20);
    expect(key).toMatchObject({ reusable: true, ephemeral: false, used: false, aclTags: ["tag:server"] });
    expect(Math.abs(new Date(key.expiration!).getTime() - expiration.getTime())).toBeLessThan(1000);

    const listed = minor >= 28 ? await client.listPreAuthKeys() : await client.listPreAuthKeys(alice!.id);
    const mine = listed.find((k) => (k.id ?? k.key) === (key.id ?? key.key));
    expect(mine, "created key is listed").toBeDefined();
    // A create whose answer was lost finds its key by this: the expiry is kept to the millisecond as sent.
    expect(new Date(mine!.expiration!).getTime()).toBe(expiration.getTime());
    if (minor >= 28) {
      expect(mine!.key).not.toBe(key.key); // 0.28+ stores a hash: only create returns the secret
      expect(mine!.key).toMatch(/\*\*\*$/);
    }
    await client.expirePreAuthKey({ id: key.id, userId: alice!.id, key: key.key });
    const after = (minor >= 28 ? await client.listPreAuthKeys() : await client.listPreAuthKeys(alice!.id)).find((k) => (k.id ?? k.key) === (key.id ?? key.key));
    expect(new Date(after!.expiration!).getTime()).toBeLessThanOrEqual(Date.now());

    if (minor >= 28) {
      await client.deletePreAuthKey(key.id!);
      expect((await client.listPreAuthKeys()).some((k) => k.id === key.id)).toBe(false);
      // A key already gone: 0.30+ (main) answers 404, mapped to not_found (destroy ignores it); before, silence.
      if (minor >= 30) {
        await expectError(client.expirePreAuthKey({ id: key.id! }), "not_found", new RegExp(`expire pre-auth key ${key.id}`));
        await expectError(client.deletePreAuthKey(key.id!), "not_found", new RegExp(`delete pre-auth key ${key.id}`));
      } else {
        await client.expirePreAuthKey({ id: key.id! });
        await client.deletePreAuthKey(key.id!);
      }
    } else {
      await expectError(client.deletePreAuthKey(key.id ?? "1"), "unsupported", /expire it instead/);
      await expectError(client.listPreAuthKeys(), "invalid_argument", /per user/);
    }
  });

  it("creates tag-only keys where supported and refuses bad tags without writing", async () => {
    const expiration = new Date(Date.now() + 600_000);
    if (minor >= 28) {
      const k = await client.createPreAuthKey({ reusable: false, ephemeral: true, expiration, aclTags: ["tag:ci"] });
      expect(k.user).toBeUndefined();
      expect(k.aclTags).toEqual(["tag:ci"]);
    } else {
      await noWrites(() =>
        expectError(client.createPreAuthKey({ reusable: false, ephemeral: true, expiration, aclTags: ["tag:ci"] }), "invalid_argument", /0\.28/),
      );
    }
    const [alice] = await client.listUsers({ name: "alice" });
    for (const bad of ["ci", "tag:CI", "tag:a b", "tag:"]) {
      await noWrites(() =>
        expectError(
          client.createPreAuthKey({ userId: alice!.id, reusable: false, ephemeral: false, expiration, aclTags: [bad] }),
          "invalid_argument",
          /aclTags/,
        ),
      );
    }
    await expectError(client.createPreAuthKey({ userId: "9999", reusable: false, ephemeral: false, expiration, aclTags: [] }), "not_found");
  });

  it("registers, lists, tags, routes and deletes nodes", async () => {
    showLogOnFailure();
    const regKey = await client.debugCreateNode("alice", "node-one", ["10.0.0.0/24"]);
    const node = await client.registerNode("alice", regKey);
    expect(node.name).toBe("node-one");
    expect(node.user?.name).toBe("alice");
    expect((await client.listNodes()).map((n) => n.id)).toContain(node.id);
    expect((await client.listNodes("alice")).map((n) => n.id)).toContain(node.id);
    expect((await client.getNode(node.id)).name).toBe("node-one");

    const tagged = await client.setNodeTags(node.id, ["tag:server"]);
    expect(tagged.tags).toEqual(["tag:server"]);
    expect((await client.getNode(node.id)).tags).toEqual(["tag:server"]);
    if (minor >= 28) {
      await expectError(client.setNodeTags(node.id, ["tag:undefined-in-policy"]), "invalid_argument", /tag:undefined-in-policy/);
      await noWrites(() => expectError(client.setNodeTags(node.id, []), "invalid_argument", /cannot remove all tags/));
    }
    await noWrites(() => expectError(client.setNodeTags(node.id, ["server"]), "invalid_argument", /tag:/));
    const routed = await client.approveRoutes(node.id, ["10.0.0.0/24"]);
    expect(routed.approvedRoutes).toEqual(["10.0.0.0/24"]);
    if (minor >= 28) {
      // ExpireNode's options: a JSON body where caps.expireNodeJsonBody (main), query parameters before. The
      // server ignores the other form and expires the node now, so the capability must be right.
      const { caps } = await client.server();
      const expireAt = async (form: "body" | "query", until: string) => {
        const query = form === "query" ? `?expiry=${encodeURIComponent(until)}` : "";
        const res = await fetch(`${server.url}/api/v1/node/${node.id}/expire${query}`, {
          method: "POST",
          headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json" },
          body: form === "body" ? JSON.stringify({ expiry: until }) : "{}",
        });
        expect(res.status, await res.text()).toBe(200);
        return new Date((await client.getNode(node.id)).expiry!).getTime();
      };
      const until = new Date(Date.now() + 3600_000);
      until.setMilliseconds(0);
      const [right, wrong]: Array<"body" | "query"> = caps.expireNodeJsonBody ? ["body", "query"] : ["query", "body"];
      expect(await expireAt(right, until.toISOString())).toBe(until.getTime());
      expect(await expireAt(wrong, until.toISOString())).toBeLessThanOrEqual(Date.now());
    }
    await client.deleteNode(node.id);
    await expectError(client.getNode(node.id), "not_found", new RegExp(`get node ${node.id}`));
  });

  it("maps a refused API key to unauthorized without echoing it", async () => {
    const wrongKey = "not-a-real-api-key-only-for-this-test";
    const bad = new HeadscaleClient({ url: server.url, apiKey: wrongKey });
    const e = await expectError(bad.listUsers(), "unauthorized", /API key was refused/, /HEADSCALE_API_KEY/);
    expect(e.message).not.toContain(wrongKey);
    expect(JSON.stringify(e)).not.toContain(wrongKey);
    bad.close();
  });

  it("maps policy.mode file to a clear error, with or without a readable policy file", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "policy-")), "policy.json");
    writeFileSync(file, policy());
    for (const policyFile of [file, ""]) {
      const fileServer = await startHeadscale({ version, policyMode: "file", policyFile });
      const c = new HeadscaleClient({ url: fileServer.url, apiKey: fileServer.apiKey });
      try {
        await expectError(c.setPolicy(policy()), "policy_file_mode", /policy\.mode: database/);
        expect(await c.policyWritable(), `policy file "${policyFile}"`).toBe(false);
      } finally {
        c.close();
        await fileServer.stop();
      }
    }
  });

  it("retries safe calls through transient failures, and only those", async () => {
    const proxy: FaultProxy = await startFaultProxy(server.url);
    const c = new HeadscaleClient({ url: proxy.url, apiKey: server.apiKey, backoffMs: 10 });
    try {
      proxy.failNext(2, 503);
      expect((await c.listUsers()).length).toBeGreaterThan(0);
      expect(proxy.seen.filter((s) => s === "GET /api/v1/user").length).toBe(3);

      proxy.failNext(1, 503);
      const before = proxy.seen.length;
      await expect(c.createUser({ name: "carol" })).rejects.toMatchObject({ mayHaveBeenPerformed: false });
      expect(proxy.seen.slice(before).filter((s) => s === "POST /api/v1/user")).toHaveLength(1);
      expect(await client.listUsers({ name: "carol" })).toEqual([]);

      // A gateway's 502/504 to a write: it may have been performed behind the gateway.
      proxy.failNext(1, 502);
      await expect(c.createUser({ name: "erin" })).rejects.toMatchObject({ status: 502, mayHaveBeenPerformed: true });

      // The connection is cut after the server acted: the error says the write may have been performed.
      proxy.setRule((_i, r) => (r.method === "POST" ? { reset: "after" } : undefined));
      await expect(c.createUser({ name: "dora" })).rejects.toMatchObject({ kind: "unreachable", mayHaveBeenPerformed: true });
      proxy.setRule(undefined);
      const [dora] = await client.listUsers({ name: "dora" });
      expect(dora).toBeDefined();
      await client.deleteUser(dora!.id);
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it("times out a call that gets no answer", async () => {
    const proxy = await startFaultProxy(server.url);
    // 1.5 s: an authenticated call (a bcrypt check) on a busy machine must still fit in the timeout.
    const c = new HeadscaleClient({ url: proxy.url, apiKey: server.apiKey, timeoutMs: 1500, retries: 0 });
    try {
      await c.server();
      proxy.delayNext(4000);
      await expectError(c.listUsers(), "timeout", /list users/, /1500 ms/);
      // The server hangs: the next call of the run fails at once with the same clear error, sending nothing.
      const before = proxy.seen.length;
      const started = Date.now();
      await expectError(c.listNodes(), "timeout", /list nodes/, /no answer/);
      expect(Date.now() - started).toBeLessThan(200);
      expect(proxy.seen.length).toBe(before);
    } finally {
      c.close();
      await proxy.close();
    }
  });
});

describe("client input checks that need no server", () => {
  it("reports an unreachable server clearly", async () => {
    const c = new HeadscaleClient({ url: "http://127.0.0.1:9", apiKey: "k", retries: 1, backoffMs: 10 });
    const e = await expectError(c.listUsers(), "unreachable", /list users/, /HEADSCALE_URL/, /connection refused/);
    expect(e.message).not.toMatch(/server said/); // no server answered
  });

  it("refuses plain http to a non-loopback host unless allowed", () => {
    expect(() => new HeadscaleClient({ url: "http://headscale.example.com", apiKey: "k" })).toThrow(/travel in clear/);
    expect(() => new HeadscaleClient({ url: "http://headscale.example.com", apiKey: "k", allowInsecureHttp: true })).not.toThrow();
    expect(() => new HeadscaleClient({ url: "ftp://x", apiKey: "k" })).toThrow(/https:\/\//);
    expect(() => new HeadscaleClient({ url: "not a url", apiKey: "k" })).toThrow(/not a valid URL/);
    expect(() => new HeadscaleClient({ url: "https://h.example.com", apiKey: "" })).toThrow(/no API key/);
  });

  it("trusts a private CA only when given", async () => {
    // A TLS server with a self-signed certificate: without the CA the error says what to do.
    const { createTlsEchoServer } = await import("../harness/tls.js");
    const srv = await createTlsEchoServer();
    try {
      await expectError(new HeadscaleClient({ url: srv.url, apiKey: "k", retries: 0 }).listUsers(), "unreachable", /caCertificate/);
      const ok = new HeadscaleClient({ url: srv.url, apiKey: "k", retries: 0, caCertificate: srv.caPem });
      expect(await ok.listUsers()).toEqual([]);
      ok.close();
    } finally {
      await srv.close();
    }
  });
});
