// The ApiKey declaration against a real Headscale, one behaviour per test: a created key works and its
// secret lives only in the secret field, rotation creates the new key before expiring and deleting the
// old, delete makes the key stop working, and the key the provider runs with is never expired.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { apiKeyPrefixOf, HeadscaleClient } from "../../provider/client/index.js";
import { ApiKey, render } from "../../provider/resources/index.js";
import { apiKeyWorks } from "../harness/apiKeys.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { resourceVersions } from "../harness/tools.js";
import { apply, checked, create, failure, newRun, noChange, plan, refresh, secretPlacement, writesOf } from "./tier.js";

const HOUR = 3_600_000;

describe.each(resourceVersions())("ApiKey on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));
  const run = () => newRun(server);
  const listedPrefixes = async () => (await api.listApiKeys()).map((k) => k.prefix);

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
  });
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it("create makes a key that works, in one write; only the secret field holds it", async () => {
    showLog();
    const r = run();
    const m = await create(ApiKey, r, { expiration: "2h" });
    expect(writesOf(r.calls)).toEqual(["POST /api/v1/apikey"]);
    expect(r.calls.at(-1)).toBe("POST /api/v1/apikey");
    const key = String(m.state.key);
    expect(await apiKeyWorks(server.url, key)).toBe(true);
    expect(m.state.prefix).toBe(apiKeyPrefixOf(key));
    expect(await listedPrefixes()).toContain(m.state.prefix);
    expect(Math.abs(new Date(String(m.state.expiresAt)).getTime() - Date.now() - 2 * HOUR)).toBeLessThan(60_000);
    expect(secretPlacement(ApiKey, m.state, key)).toEqual({ holding: ["key"], marked: ["key"] });
  });

  it("a refresh keeps the secret (a listing never shows it) and plans no change", async () => {
    showLog();
    const m = await create(ApiKey, run(), { expiration: "2h" });
    const refreshed = await refresh(ApiKey, server, m);
    expect(refreshed?.state).toMatchObject({ key: m.state.key, prefix: m.state.prefix, expired: false });
    expect(refreshed?.state.keyId).toEqual(expect.any(String));
    expect(noChange(await plan(ApiKey, run(), refreshed!, { expiration: "2h" }))).toBe(true);
  });

  it("rotation within rotateBefore creates the new key first, then expires and deletes the old one", async () => {
    showLog();
    const m = await create(ApiKey, run(), { expiration: "2h" });
    const old = String(m.state.key);
    const r = run();
    // A 2h key with rotateBefore 3h is always due.
    const { diff, managed } = await apply(ApiKey, r, m, { expiration: "2h", rotateBefore: "3h" });
    expect(diff).toMatchObject({ replaces: ["expiresAt"], createBeforeDelete: true });
    expect(render(diff.reasons!.expiresAt!)).toMatch(/within rotateBefore \(3h\)/);
    expect(writesOf(r.calls)).toEqual(["POST /api/v1/apikey", "POST /api/v1/apikey/expire", `DELETE /api/v1/apikey/${String(m.state.prefix)}`]);
    expect(await apiKeyWorks(server.url, String(managed.state.key))).toBe(true);
    expect(await apiKeyWorks(server.url, old)).toBe(false);
    expect(await listedPrefixes()).not.toContain(m.state.prefix);
  });

  it("rotateBefore not yet due is an update that sends no call; an expiration change replaces the key", async () => {
    showLog();
    const m = await create(ApiKey, run(), { expiration: "2h" });
    const r = run();
    const { diff } = await apply(ApiKey, r, m, { expiration: "2h", rotateBefore: "1h" });
    expect(diff).toMatchObject({ updates: ["rotateBefore"], replaces: [] });
    expect(r.calls).toEqual([]);
    const longer = await plan(ApiKey, run(), m, { expiration: "3h" });
    expect(longer).toMatchObject({ replaces: ["expiration"], createBeforeDelete: true });
    expect(render(longer.reasons!.expiration!)).toMatch(/cannot change a key's expiry/);
  });

  it("delete expires the key, then deletes it: a call with it is refused", async () => {
    showLog();
    const m = await create(ApiKey, run(), { expiration: "2h" });
    const r = run();
    expect(await ApiKey.checkDelete!(r.ctx, m.id, m.state)).toEqual([]);
    await ApiKey.delete(r.ctx, m.id, m.state);
    expect(writesOf(r.calls)).toEqual(["POST /api/v1/apikey/expire", `DELETE /api/v1/apikey/${String(m.state.prefix)}`]);
    expect(await apiKeyWorks(server.url, String(m.state.key))).toBe(false);
    expect(await listedPrefixes()).not.toContain(m.state.prefix);
  });

  it("the key the provider runs with is never expired: checkDelete, a rotation and delete all refuse, naming the apiKey setting", async () => {
    showLog();
    const m = await create(ApiKey, run(), { expiration: "2h" });
    const key = String(m.state.key);
    const own = newRun({ url: server.url, apiKey: key });
    const problems = await ApiKey.checkDelete!(own.ctx, m.id, m.state);
    expect(problems).toEqual([
      {
        field: "key",
        message: expect.stringMatching(/the API key the provider is running with .*configure another key first \(apiKey or HEADSCALE_API_KEY\)/),
      },
    ]);
    expect(problems[0]!.message).not.toContain(key);
    expect(await failure(plan(ApiKey, own, m, { expiration: "2h", rotateBefore: "3h" }))).toMatch(/the API key the provider is running with/);
    expect(await failure(ApiKey.delete(own.ctx, m.id, m.state))).toMatch(/the API key the provider is running with/);
    expect(writesOf(own.calls)).toEqual([]);
    expect(await apiKeyWorks(server.url, key)).toBe(true);
  });

  it("check reports a bad expiration or rotateBefore on its field", async () => {
    showLog();
    const r = run();
    expect(await checked(ApiKey, r, { expiration: "2001-01-01T00:00:00Z" })).toEqual([
      { field: "expiration", message: expect.stringContaining("is in the past") },
    ]);
    expect(await checked(ApiKey, r, { expiration: "forever" })).toEqual([
      { field: "expiration", message: expect.stringContaining("is not a duration or a time") },
    ]);
    expect(await checked(ApiKey, r, { rotateBefore: "monthly" })).toEqual([{ field: "rotateBefore", message: expect.stringContaining("is not a duration") }]);
    expect(r.calls).toEqual([]);
  });

  it("a refresh after an out-of-band delete reports the key gone, and delete then succeeds", async () => {
    showLog();
    const m = await create(ApiKey, run(), { expiration: "2h" });
    await api.expireApiKey({ prefix: String(m.state.prefix) });
    await api.deleteApiKey({ prefix: String(m.state.prefix) });
    expect(await refresh(ApiKey, server, m)).toBeNull();
    await ApiKey.delete(run().ctx, m.id, m.state);
  });
});
