// The PreAuthKey declaration against a real Headscale, one behaviour per test: every property is fixed at
// creation (a change replaces the key, new first), the secret lives only in the secret field and survives
// refreshes that list it masked, tags are a set, `expired: true` expires in place and cannot be undone,
// rotation and re-creation are planned as replacements, and bad inputs are reported on their field.
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { PreAuthKey, render, User } from "../../provider/resources/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { resourceVersions } from "../harness/tools.js";
import { apply, checked, create, failure, newRun, noChange, plan, refresh, secretPlacement, writesOf, type Managed } from "./tier.js";

const HOUR = 3_600_000;
const tagPolicy = `{ "tagOwners": { "tag:a": ["ops@"], "tag:b": ["ops@"] } }`;

describe.each(resourceVersions())("PreAuthKey on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));
  const run = () => newRun(server);
  const listed = async (m: Managed) => (await api.listPreAuthKeys()).find((k) => k.id === m.state.keyId);
  const expiresIn = (m: Managed) => new Date(String(m.state.expiresAt)).getTime() - Date.now();

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "ops" });
    await api.setPolicy(tagPolicy);
  });
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });

  it("create makes a reusable, ephemeral, tagged key with the asked expiration, in one write and no read after it", async () => {
    showLog();
    const r = run();
    const m = await create(PreAuthKey, r, { user: "ops", reusable: true, ephemeral: true, tags: ["tag:a", "tag:b"], expiration: "2h" });
    expect(writesOf(r.calls)).toEqual(["POST /api/v1/preauthkey"]);
    expect(r.calls.at(-1)).toBe("POST /api/v1/preauthkey");
    expect(await listed(m)).toMatchObject({ user: { name: "ops" }, reusable: true, ephemeral: true, used: false, aclTags: ["tag:a", "tag:b"] });
    expect(Math.abs(expiresIn(m) - 2 * HOUR)).toBeLessThan(60_000);
    expect(m.state).toMatchObject({ expired: false, used: false, userId: (await api.listUsers({ name: "ops" }))[0]!.id });
  });

  it("keys checked right after their users were created in the same run read no user list, in any order", async () => {
    showLog();
    const r = run();
    // As Terraform's apply re-plans each key after its own user (separate resources, interleaved) and as
    // Pulumi checks a key once its user's id is known: create, check, create, check.
    for (const name of ["wu1", "wu2", "wu3"]) {
      const u = await create(User, r, { name });
      await create(PreAuthKey, r, { user: String(u.state.userId), expiration: "1h" });
    }
    expect(r.calls).toEqual(Array.from({ length: 3 }, () => ["POST /api/v1/user", "POST /api/v1/preauthkey"]).flat());
    // A list read earlier in the run shows the users created since, without reading it again.
    const r2 = run();
    expect(await checked(PreAuthKey, r2, { user: "wu1", expiration: "1h" })).toEqual([]);
    const u4 = await create(User, r2, { name: "wu4" });
    expect(await checked(PreAuthKey, r2, { user: "wu4", expiration: "1h" })).toEqual([]);
    expect(await checked(PreAuthKey, r2, { user: String(u4.state.userId), expiration: "1h" })).toEqual([]);
    expect(r2.calls).toEqual(["GET /api/v1/user", "POST /api/v1/user"]);
  });

  it("a key without options is single-use, not ephemeral, and expires in an hour", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops" });
    expect(await listed(m)).toMatchObject({ reusable: false, ephemeral: false, aclTags: [] });
    expect(Math.abs(expiresIn(m) - HOUR)).toBeLessThan(60_000);
  });

  it("a tag-only key has no owning user", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { tags: ["tag:a"] });
    expect((await listed(m))?.user).toBeUndefined();
    expect(m.state.userId).toBeUndefined();
  });

  it("the secret is held only by the fields marked secret, and a refresh keeps it though the server lists it masked", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops" });
    const secret = String(m.state.key);
    expect(secret).toMatch(/^hskey-auth-/);
    expect(secretPlacement(PreAuthKey, m.state, secret)).toEqual({ holding: ["key"], marked: ["key"] });
    expect((await listed(m))?.key).not.toBe(secret);
    const refreshed = await refresh(PreAuthKey, server, m);
    expect(refreshed?.state.key).toBe(secret);
    expect(secretPlacement(PreAuthKey, refreshed!.state, secret).holding).toEqual(["key"]);
  });

  it("reordered or repeated tags are no change, and a refresh keeps the order they were written in", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops", tags: ["tag:b", "tag:a"] });
    expect(noChange(await plan(PreAuthKey, run(), m, { user: "ops", tags: ["tag:a", "tag:b", "tag:a"] }))).toBe(true);
    expect((await refresh(PreAuthKey, server, m))?.state.tags).toEqual(["tag:b", "tag:a"]);
  });

  it("a property change replaces the key, creating the new one before deleting the old", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops", reusable: true });
    const r = run();
    const { diff, managed } = await apply(PreAuthKey, r, m, { user: "ops", reusable: false });
    expect(diff).toMatchObject({ updates: [], replaces: ["reusable"], createBeforeDelete: true });
    expect(render(diff.reasons!.reusable!)).toMatch(/fixed when it is created/);
    expect(writesOf(r.calls)).toEqual(["POST /api/v1/preauthkey", "DELETE /api/v1/preauthkey"]);
    expect(await listed(m)).toBeUndefined();
    expect(await listed(managed)).toMatchObject({ reusable: false });
  });

  it("expired: true expires the key in place with one write; it stays listed, and the same inputs plan no change", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops", reusable: true });
    const r = run();
    const { diff, managed } = await apply(PreAuthKey, r, m, { user: "ops", reusable: true, expired: true });
    expect(diff).toMatchObject({ updates: ["expired", "expiresAt"], replaces: [] });
    expect(writesOf(r.calls)).toEqual(["POST /api/v1/preauthkey/expire"]);
    expect(managed.id).toBe(m.id);
    expect(new Date((await listed(m))!.expiration!).getTime()).toBeLessThanOrEqual(Date.now());
    const refreshed = await refresh(PreAuthKey, server, managed);
    expect(refreshed?.state.expired).toBe(true);
    expect(noChange(await plan(PreAuthKey, run(), refreshed!, { user: "ops", reusable: true, expired: true }))).toBe(true);
  });

  it("un-expiring a key is refused at plan, pointing at recreateIfInvalid", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops" });
    const { managed } = await apply(PreAuthKey, run(), m, { user: "ops", expired: true });
    const message = await failure(plan(PreAuthKey, run(), managed, { user: "ops", expired: false }));
    expect(message).toMatch(/cannot be made valid again: remove `expired`, or set recreateIfInvalid/);
  });

  it("a key expired outside stays as it is, unless recreateIfInvalid is set: then a new key replaces it", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops" });
    await api.expirePreAuthKey({ id: String(m.state.keyId), key: String(m.state.key) });
    const expired = await refresh(PreAuthKey, server, m);
    expect(expired?.state.expired).toBe(true);
    expect(noChange(await plan(PreAuthKey, run(), expired!, { user: "ops" }))).toBe(true);
    const recreate = await plan(PreAuthKey, run(), expired!, { user: "ops", recreateIfInvalid: true });
    expect(recreate).toMatchObject({ replaces: ["expired"], createBeforeDelete: true });
    expect(render(recreate.reasons!.expired!)).toMatch(/the key is expired and recreateIfInvalid is set/);
  });

  it("a key within rotateBefore of its expiry is planned as a replacement, new key first", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops", expiration: "1h", rotateBefore: "2h" });
    const diff = await plan(PreAuthKey, run(), m, { user: "ops", expiration: "1h", rotateBefore: "2h" });
    expect(diff).toMatchObject({ replaces: ["expiresAt"], createBeforeDelete: true });
    expect(render(diff.reasons!.expiresAt!)).toMatch(/within rotateBefore \(2h\)/);
    // Not due yet: no replacement, and the setting is an update that writes nothing.
    const r = run();
    const later = await apply(PreAuthKey, r, m, { user: "ops", expiration: "1h", rotateBefore: "10m" });
    expect(later.diff).toMatchObject({ updates: ["rotateBefore"], replaces: [] });
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("check reports each bad input on its own field, writing nothing", async () => {
    showLog();
    const r = run();
    const problems = async (values: Record<string, unknown>) => (await checked(PreAuthKey, r, values)).map((p) => [p.field, p.message]);
    expect(await problems({ user: "ops", expired: true })).toEqual([["expired", expect.stringContaining("cannot be created expired")]]);
    expect(await problems({ user: "ops", tags: ["tag:nope"] })).toEqual([["tags", expect.stringContaining('tag "tag:nope" is not defined')]]);
    expect(await problems({ user: "ops", tags: ["server"] })).toEqual([["tags", expect.stringContaining("tag:")]]);
    expect(await problems({ user: "ops", tags: ["tag:a b"] })).toEqual([["tags", expect.stringContaining("must not contain spaces")]]);
    expect(await problems({ user: "nobody" })).toEqual([["user", expect.stringContaining('user "nobody" does not exist on the server')]]);
    expect(await problems({ user: "ops", expiration: "2001-01-01T00:00:00Z" })).toEqual([["expiration", expect.stringContaining("is in the past")]]);
    expect(await problems({ user: "ops", expiration: "soon" })).toEqual([["expiration", expect.stringContaining("is not a duration or a time")]]);
    expect(await problems({ user: "ops", rotateBefore: "monthly" })).toEqual([["rotateBefore", expect.stringContaining("is not a duration")]]);
    expect(await problems({ tags: [] })).toEqual([["user", expect.stringContaining("needs an owning user, tags, or both")]]);
    // Tags checked against a policy given in the inputs (one planned in the same run), not the live one.
    const planned = `{ "tagOwners": { "tag:new": ["ops@"] } }`;
    expect(await problems({ user: "ops", tags: ["tag:new"], policy: planned })).toEqual([]);
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("a create with a tag the live policy does not define is refused, writing nothing", async () => {
    showLog();
    const r = run();
    expect(await failure(PreAuthKey.create(r.ctx, { user: "ops", tags: ["tag:nope"] }))).toMatch(/tag "tag:nope" is not defined/);
    expect(writesOf(r.calls)).toEqual([]);
  });

  it("delete is one write, and a refresh after an out-of-band delete reports the key gone", async () => {
    showLog();
    const m = await create(PreAuthKey, run(), { user: "ops" });
    const r = run();
    await PreAuthKey.delete(r.ctx, m.id, m.state);
    expect(writesOf(r.calls)).toEqual(["DELETE /api/v1/preauthkey"]);
    expect(await listed(m)).toBeUndefined();

    const other = await create(PreAuthKey, run(), { user: "ops" });
    await api.deletePreAuthKey(String(other.state.keyId));
    expect(await refresh(PreAuthKey, server, other)).toBeNull();
    await PreAuthKey.delete(run().ctx, other.id, other.state); // already gone: nothing to do, no error
  });
});
