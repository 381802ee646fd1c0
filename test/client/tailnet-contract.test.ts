// The client contract for the tailnet calls (API keys, node rename and key expiry, route approval),
// against every pinned Headscale version: what each version accepts, and the clear refusal where it cannot.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { apiKeyPrefixOf, HeadscaleClient, HeadscaleError, type ErrorKind } from "../../provider/client/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { headscaleMinor, headscaleVersions, MAIN } from "../harness/tools.js";

const versionParts = (v: string) => v.split(".").map(Number) as [number, number, number];

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

describe.each(headscaleVersions())("Headscale %s tailnet client contract", (version) => {
  let server: HeadscaleServer;
  let client: HeadscaleClient;
  const calls: string[] = [];
  // Headscale main counts as newer than every release (headscaleMinor).
  const minor = headscaleMinor(version);
  const patch = version === MAIN ? 0 : versionParts(version)[2];

  beforeAll(async () => {
    server = await startHeadscale({ version });
    client = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    client.onCall = (m, p) => calls.push(`${m} ${p}`);
    await client.createUser({ name: "alice" });
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });
  const showLogOnFailure = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));

  async function noWrites(fn: () => Promise<unknown>) {
    const before = calls.length;
    await fn();
    expect(calls.slice(before).filter((c) => !c.startsWith("GET"))).toEqual([]);
  }

  it("knows which node expiry and API key operations the version has", async () => {
    const { caps } = await client.server();
    expect(caps.apiKeyIdOperations).toBe(minor >= 28);
    expect(caps.nodeExpiryAt).toBe(minor >= 28 || (minor === 27 && patch >= 1));
    expect(caps.nodeExpiryNever).toBe(minor >= 29);
  });

  it("creates an API key that works, lists it without the secret, expires it (then refused) and deletes it", async () => {
    showLogOnFailure();
    const expiration = new Date(Date.now() + 3600_000);
    const key = await client.createApiKey(expiration);
    if (minor >= 28) expect(key).toMatch(/^hskey-api-[\w-]{12}-[\w-]{20,}$/);
    else expect(key).toMatch(/^[\w-]{7}\./);
    const prefix = apiKeyPrefixOf(key);

    const listed = (await client.listApiKeys()).find((k) => k.prefix === prefix);
    expect(listed, `key ${prefix} is listed`).toBeDefined();
    expect(listed!.id).toMatch(/^\d+$/);
    expect(Math.abs(new Date(listed!.expiration!).getTime() - expiration.getTime())).toBeLessThan(1500);
    expect(JSON.stringify(await client.listApiKeys())).not.toContain(key);

    const withKey = new HeadscaleClient({ url: server.url, apiKey: key });
    try {
      expect(withKey.apiKeyPrefix).toBe(prefix);
      expect((await withKey.listUsers()).map((u) => u.name)).toContain("alice");
      await client.expireApiKey({ prefix, id: listed!.id });
      const expired = (await client.listApiKeys()).find((k) => k.prefix === prefix);
      expect(new Date(expired!.expiration!).getTime()).toBeLessThanOrEqual(Date.now());
      const refused = await expectError(withKey.listUsers(), "unauthorized");
      expect(refused.message).not.toContain(key);
    } finally {
      withKey.close();
    }
    await client.deleteApiKey({ prefix, id: listed!.id });
    expect((await client.listApiKeys()).some((k) => k.prefix === prefix)).toBe(false);
  });

  it("expires and deletes an API key by prefix alone (a key created before its id was known)", async () => {
    const key = await client.createApiKey(new Date(Date.now() + 600_000));
    const prefix = apiKeyPrefixOf(key);
    await client.expireApiKey({ prefix });
    await client.deleteApiKey({ prefix });
    expect((await client.listApiKeys()).some((k) => k.prefix === prefix)).toBe(false);
    await expectError(client.deleteApiKey({ prefix: "nosuchkey" }), "not_found");
  });

  it("renames a node (its given name) and refuses a name that is not a DNS label without writing", async () => {
    showLogOnFailure();
    const node = await client.registerNode("alice", await client.debugCreateNode("alice", "rename-me"));
    const renamed = await client.renameNode(node.id, "web-01");
    expect(renamed.givenName).toBe("web-01");
    expect((await client.getNode(node.id)).givenName).toBe("web-01");
    for (const bad of ["Web_01", "-web", "a".repeat(64), ""]) {
      await noWrites(() => expectError(client.renameNode(node.id, bad), "invalid_argument", /givenName/));
    }
    // 0.28 answers "node no longer exists in NodeStore" (mapped as a server error); others: not found.
    const missing = await client.renameNode("9999", "ghost").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(HeadscaleError);
    expect((missing as HeadscaleError).message).toMatch(/rename node 9999/);
    await client.deleteNode(node.id);
  });

  it("sets a node's key expiry to a time (0.27.1+) and to never (0.29+), or says it cannot", async () => {
    showLogOnFailure();
    const node = await client.registerNode("alice", await client.debugCreateNode("alice", "expiring"));
    const at = new Date(Date.now() + 7 * 86400_000);
    const { caps } = await client.server();
    if (caps.nodeExpiryAt) {
      const n = await client.setNodeExpiry(node.id, at);
      expect(Math.abs(new Date(n.expiry!).getTime() - at.getTime())).toBeLessThan(1500);
      expect(Math.abs(new Date((await client.getNode(node.id)).expiry!).getTime() - at.getTime())).toBeLessThan(1500);
    } else {
      await noWrites(() => expectError(client.setNodeExpiry(node.id, at), "unsupported", /0\.27\.1/));
    }
    if (caps.nodeExpiryNever) {
      await client.setNodeExpiry(node.id, "never");
      const n = await client.getNode(node.id);
      expect(n.expiry === undefined || n.expiry.startsWith("0001-01-01"), `expiry is ${n.expiry}`).toBe(true);
    } else {
      await noWrites(() => expectError(client.setNodeExpiry(node.id, "never"), "unsupported", /0\.29/));
    }
    await client.deleteNode(node.id);
  });

  it("approves routes: the exit pair together, subnet routes served only when advertised", async () => {
    showLogOnFailure();
    const node = await client.registerNode("alice", await client.debugCreateNode("alice", "router", ["10.0.0.0/24", "0.0.0.0/0", "::/0"]));
    // Debug registrations advertise their routes up to 0.28; 0.29 ignores them (real nodes advertise:
    // test/pulumi/routes.test.ts, test/terraform/tailnet.test.ts).
    const advertised = minor >= 29 ? [] : ["0.0.0.0/0", "10.0.0.0/24", "::/0"];
    expect([...node.availableRoutes].sort()).toEqual(advertised);
    // One of the pair approves both.
    const exit = await client.approveRoutes(node.id, ["0.0.0.0/0", "10.0.0.0/24", "10.9.0.0/16"]);
    expect([...exit.approvedRoutes].sort()).toEqual(["0.0.0.0/0", "10.0.0.0/24", "10.9.0.0/16", "::/0"]);
    const listed = (await client.listNodes()).find((n) => n.id === node.id)!;
    expect([...listed.subnetRoutes].sort()).toEqual(advertised); // 10.9.0.0/16 is not advertised: not served
    const none = await client.approveRoutes(node.id, []);
    expect(none.approvedRoutes).toEqual([]);
    await expectError(client.approveRoutes(node.id, ["10.0.0.0/33"]), "invalid_argument");
    await client.deleteNode(node.id);
  });
});
