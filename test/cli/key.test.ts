// `headscale-iac key create` / `key revoke` against a real Headscale with real tailscaled nodes: the
// GitHub mask line comes before anything else and a node joins with the key; after `key revoke --last`
// a second node cannot join with it. Bad input (tags missing from tagOwners, a bad duration, no URL, a
// refused API key) gives a clear message, its documented exit code, and creates nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { EXIT } from "../../provider/cli/common.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { joinNode, type TailscaleNode } from "../harness/node.js";
import { waitFor } from "../harness/processes.js";
import { headscaleIac } from "./run.js";

const policy = `{
  // CI runners join as tag:ci.
  "groups": { "group:ci-admins": ["ops@"] },
  "tagOwners": { "tag:ci": ["group:ci-admins"] },
  "acls": [{ "action": "accept", "src": ["tag:ci"], "dst": ["tag:ci:*"] }],
}`;

describe("headscale-iac key create / revoke", { timeout: 180_000 }, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const nodes: TailscaleNode[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), "headscale-iac-key-"));
  const stateFile = path.join(dir, "last-key.json");
  const env = (extra: Record<string, string | undefined> = {}) => ({
    HEADSCALE_URL: server.url,
    HEADSCALE_API_KEY: server.apiKey,
    ...extra,
  });
  const keyCount = async () => (await api.listPreAuthKeys()).length;

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "ops" });
    await api.setPolicy(policy);
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop({ logout: true });
    api?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--ci github: the mask line first, then the key; a real node joins with it, tagged tag:ci, ephemeral", async () => {
    onTestFailed(() => console.error(`${server.logTail()}\n${nodes.map((n) => n.logTail()).join("\n")}`));
    const r = await headscaleIac(
      ["key", "create", "--ci", "github", "--tags", "tag:ci", "--reusable", "--expiration", "30m", "--state-file", stateFile],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    const [mask, key, ...rest] = r.stdout.split("\n");
    expect(mask).toMatch(/^::add-mask::hskey-auth-\S+$/);
    expect(key).toBe(mask!.slice("::add-mask::".length));
    expect(rest.join("")).toBe("");
    expect(r.stderr).toMatch(/^headscale-iac: created pre-auth key hskey-auth-\S+ \(tags tag:ci; reusable, ephemeral; expires \S+\)\n$/);
    expect(r.stderr).not.toContain(key);
    const listed = (await api.listPreAuthKeys()).find((k) => key!.startsWith(k.key.replace(/-\*+$/, "")) || k.key === key);
    expect(listed).toMatchObject({ ephemeral: true, reusable: true, aclTags: ["tag:ci"] });
    expect(new Date(listed!.expiration!).getTime() - Date.now()).toBeGreaterThan(25 * 60_000);
    expect(new Date(listed!.expiration!).getTime() - Date.now()).toBeLessThan(31 * 60_000);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).not.toHaveProperty("key");
    expect(readFileSync(stateFile, "utf8")).not.toContain(key);

    nodes.push(await joinNode({ serverUrl: server.url, authKey: key!, hostname: "runner-1" }));
    const joined = await waitFor("runner-1 online", async () => (await api.listNodes()).find((n) => n.name === "runner-1" && n.online), 30_000);
    expect(joined.tags).toEqual(["tag:ci"]);

    const revoked = await headscaleIac(["key", "revoke", "--last", "--state-file", stateFile], env());
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stderr).toMatch(/revoked pre-auth key hskey-auth-\S+ \(expired and deleted\)/);
    expect(await keyCount()).toBe(0);
    // The key was reusable: only the revocation stops a second runner.
    await expect(joinNode({ serverUrl: server.url, authKey: key!, hostname: "runner-2", timeoutMs: 30_000 })).rejects.toThrow(/could not join/);
    expect((await api.listNodes()).map((n) => n.name)).toEqual(["runner-1"]);
    // Revoking the last key again is no error (a CI cleanup step may run twice).
    const again = await headscaleIac(["key", "revoke", "--last", "--state-file", stateFile], env());
    expect(again.code).toBe(EXIT.ok);
    expect(again.stderr).toMatch(/is already gone/);
  });

  it("--ci gitlab: the key is never printed, only written to the dotenv file", async () => {
    const envFile = path.join(dir, "key.env");
    const r = await headscaleIac(["key", "create", "--ci", "gitlab", "--tags", "tag:ci", "--append-env", envFile, "--state-file", stateFile], env());
    expect(r.code, r.stderr).toBe(0);
    const line = readFileSync(envFile, "utf8");
    expect(line).toMatch(/^TS_AUTHKEY=hskey-auth-\S+\n$/);
    const key = line.trim().slice("TS_AUTHKEY=".length);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain(key);
    expect(r.stderr).toContain(`TS_AUTHKEY appended to ${envFile}`);
    const prefix = /(hskey-auth-[^\s]+?) \(/.exec(r.stderr)![1]!;
    expect((await headscaleIac(["key", "revoke", prefix], env())).code).toBe(EXIT.ok);
    expect(await keyCount()).toBe(0);
  });

  it("--output json and env", async () => {
    const j = await headscaleIac(["key", "create", "--user", "ops", "--output", "json", "--state-file", stateFile], env());
    expect(j.code, j.stderr).toBe(0);
    const created = JSON.parse(j.stdout) as Record<string, unknown>;
    // The headscale CLI's defaults: single-use, not ephemeral, 1 hour.
    expect(created).toMatchObject({ reusable: false, ephemeral: false, tags: [], user: expect.any(String) });
    expect(new Date(String(created.expiresAt)).getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
    // Configured by flags alone: --url and --api-key-file instead of HEADSCALE_URL / HEADSCALE_API_KEY.
    const keyFile = path.join(dir, "api-key");
    writeFileSync(keyFile, `${server.apiKey}\n`);
    const e = await headscaleIac(
      ["key", "create", "--tags", "tag:ci", "--output", "env", "--env-name", "AUTH", "--state-file", stateFile, "--url", server.url, "--api-key-file", keyFile],
      { HEADSCALE_URL: undefined, HEADSCALE_API_KEY: undefined },
    );
    expect(e.stdout).toMatch(/^AUTH=hskey-auth-\S+\n$/);
    for (const p of [created.prefix as string]) expect((await headscaleIac(["key", "revoke", p], env())).code).toBe(EXIT.ok);
    expect((await headscaleIac(["key", "revoke", "--last", "--state-file", stateFile], env())).code).toBe(EXIT.ok);
    expect(await keyCount()).toBe(0);
  });

  it("bad input: a clear message, the documented exit code, nothing created", async () => {
    const cases: Array<{ args: string[]; env?: Record<string, string | undefined>; code: number; message: RegExp }> = [
      {
        args: ["--tags", "tag:nope"],
        code: EXIT.rejected,
        message: /tags: tag "tag:nope" is not defined in the server's current policy: add "tag:nope": \[.*\] \(its owners\) to the policy's tagOwners/,
      },
      {
        args: ["--tags", "tag:ci", "--expiration", "5x"],
        code: EXIT.rejected,
        message: /expiration: "5x" is not a duration or a time: use a duration like "1h"/,
      },
      { args: ["--user", "nobody"], code: EXIT.rejected, message: /user: user "nobody" does not exist on the server/ },
      {
        args: ["--tags", "tag:ci"],
        env: { HEADSCALE_URL: undefined },
        code: EXIT.usage,
        message: /no Headscale URL: pass --url https:\/\/headscale\.example\.com or set HEADSCALE_URL/,
      },
      {
        args: ["--tags", "tag:ci"],
        env: { HEADSCALE_API_KEY: ["hskey", "api", "A".repeat(12), "B".repeat(44)].join("-") /* well-formed, never issued */ },
        code: EXIT.unauthorized,
        message: /the API key was refused/,
      },
      { args: ["--tags", "tag:ci", "--output", "yaml"], code: EXIT.usage, message: /--output yaml: use raw, env or json/ },
      {
        args: ["--ci", "gitlab", "--tags", "tag:ci"],
        code: EXIT.usage,
        message: /--ci gitlab never prints the key: give --append-env FILE/,
      },
      { args: ["--tagz", "tag:ci"], code: EXIT.usage, message: /Unknown option '--tagz'/ },
    ];
    for (const c of cases) {
      const r = await headscaleIac(["key", "create", ...c.args, "--state-file", path.join(dir, "unused.json")], env(c.env));
      expect({ args: c.args, code: r.code }).toEqual({ args: c.args, code: c.code });
      expect(r.stderr).toMatch(c.message);
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toContain("hskey-api-AAAA");
      expect(r.stderr).not.toContain(server.apiKey);
    }
    expect(await keyCount()).toBe(0);
  });

  it("--help for every subcommand, exit 0", async () => {
    for (const args of [["--help"], ["import", "--help"], ["key", "--help"], ["key", "create", "--help"], ["key", "revoke", "--help"]]) {
      const r = await headscaleIac(args, { HEADSCALE_URL: undefined, HEADSCALE_API_KEY: undefined });
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
      expect(r.stdout).toMatch(/^Usage: headscale-iac/);
      expect(r.stdout).toContain("Exit codes:");
    }
  });
});
