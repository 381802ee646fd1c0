// examples/ci: both files parse, every headscale-iac command in them is one these tests run, and those
// commands, run as written by bash against a real Headscale, give a key a real tailscaled joins with and
// that is gone after the cleanup step.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { joinNode, type TailscaleNode } from "../harness/node.js";
import { waitFor } from "../harness/processes.js";
import { root } from "../harness/tools.js";
import { bin } from "./run.js";

// The YAML parser @pulumi/pulumi itself depends on (no extra dependency for one test).
const yaml = createRequire(path.join(root, "node_modules", "@pulumi", "pulumi", "package.json"))("js-yaml") as {
  load(text: string): unknown;
};
const exampleDir = path.join(root, "examples", "ci");
const load = (file: string) => yaml.load(readFileSync(path.join(exampleDir, file), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const commandsIn = (scripts: string[]) =>
  scripts
    .flatMap((s) => s.split("\n"))
    .map((l) => l.trim())
    .filter((l) => l.includes("headscale-iac "));

describe("examples/ci", { timeout: 180_000 }, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const nodes: TailscaleNode[] = [];
  const base = mkdtempSync(path.join(tmpdir(), "headscale-iac-ci-"));
  const shim = path.join(base, "bin");

  beforeAll(async () => {
    mkdirSync(shim);
    symlinkSync(bin, path.join(shim, "headscale-iac")); // what `npm install -g headscale-iac` puts on PATH
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.setPolicy(`{ "tagOwners": { "tag:ci": ["ci-admin@"] }, "acls": [{ "action": "accept", "src": ["tag:ci"], "dst": ["tag:ci:*"] }] }`);
    await api.createUser({ name: "ci-admin" });
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop({ logout: true });
    api?.close();
    await server?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  /** Runs one line of the file with bash, as the CI system would (its own HOME, the CI's variables). */
  function runLine(line: string, env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) =>
      execFile(
        "bash",
        ["-ec", line],
        {
          cwd,
          env: {
            PATH: `${shim}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
            HOME: path.join(base, "home"),
            HEADSCALE_URL: server.url,
            HEADSCALE_API_KEY: server.apiKey,
            ...env,
          },
          timeout: 60_000,
        },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
      ),
    );
  }

  async function joinsThenRevoked(key: string, hostname: string, revoke: () => Promise<{ code: number; stderr: string }>): Promise<void> {
    nodes.push(await joinNode({ serverUrl: server.url, authKey: key, hostname }));
    const n = await waitFor(`${hostname} online`, async () => (await api.listNodes()).find((x) => x.name === hostname && x.online), 30_000);
    expect(n.tags).toEqual(["tag:ci"]);
    const keysBefore = (await api.listPreAuthKeys()).length;
    const r = await revoke();
    expect(r.code, r.stderr).toBe(0);
    expect((await api.listPreAuthKeys()).length).toBe(keysBefore - 1);
  }

  it("GitHub Actions: mask first, TS_AUTHKEY through $GITHUB_ENV, the runner joins, cleanup always revokes", async () => {
    onTestFailed(() => console.error(server.logTail()));
    const wf = load("github-actions.yml");
    const steps = wf.jobs.deploy.steps as Array<{ name?: string; run?: string; if?: string }>;
    expect(wf.jobs.deploy.env).toEqual({
      HEADSCALE_URL: "${{ vars.HEADSCALE_URL }}",
      HEADSCALE_API_KEY: "${{ secrets.HEADSCALE_API_KEY }}",
    });
    const [create, revoke, ...more] = commandsIn(steps.flatMap((s) => (s.run ? [s.run] : [])));
    expect(more).toEqual([]);
    expect(create).toBe('headscale-iac key create --ci github --tags tag:ci --expiration 30m --append-env "$GITHUB_ENV"');
    expect(revoke).toBe("headscale-iac key revoke --last");
    expect(steps.find((s) => s.run?.includes(revoke!))?.if).toBe("always()");
    const up = steps.find((s) => s.run?.includes("tailscale up"))!.run!;
    expect(up).toContain('--login-server "$HEADSCALE_URL" --authkey "$TS_AUTHKEY"');

    const githubEnv = path.join(base, "github_env");
    const ci = { GITHUB_ACTIONS: "true", GITHUB_ENV: githubEnv };
    const r = await runLine(create!, ci, base);
    expect(r.code, r.stderr).toBe(0);
    const key = /^TS_AUTHKEY=(\S+)\n$/.exec(readFileSync(githubEnv, "utf8"))![1]!;
    expect(r.stdout).toBe(`::add-mask::${key}\n`);
    expect(r.stderr).not.toContain(key);
    expect((await api.listPreAuthKeys()).find((k) => k.aclTags.includes("tag:ci"))).toMatchObject({ ephemeral: true, reusable: false });
    await joinsThenRevoked(key, "gh-runner", () => runLine(revoke!, ci, base));
  });

  it("GitLab CI: the key is never printed, the dotenv file is sourced, after_script revokes", async () => {
    const job = load("gitlab-ci.yml").deploy as { before_script: string[]; after_script: string[]; script: string[] };
    const [create, ...more] = commandsIn(job.before_script);
    expect(more).toEqual([]);
    expect(create).toBe("headscale-iac key create --ci gitlab --tags tag:ci --expiration 30m --append-env tailscale.env");
    expect(commandsIn(job.after_script)).toEqual(["headscale-iac key revoke --last"]);
    expect(job.before_script.find((l) => l.includes("tailscale up"))).toMatch(
      /^\. \.\/tailscale\.env && rm tailscale\.env && tailscale up --login-server "\$HEADSCALE_URL" --authkey "\$TS_AUTHKEY"/,
    );

    const work = path.join(base, "gitlab");
    mkdirSync(work);
    const ci = { GITLAB_CI: "true" };
    const r = await runLine(create!, ci, work);
    expect(r.code, r.stderr).toBe(0);
    const key = /^TS_AUTHKEY=(\S+)\n$/.exec(readFileSync(path.join(work, "tailscale.env"), "utf8"))![1]!;
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain(key);
    // `. ./tailscale.env` gives the next command TS_AUTHKEY.
    expect((await runLine('. ./tailscale.env && printf %s "$TS_AUTHKEY"', {}, work)).stdout).toBe(key);
    await joinsThenRevoked(key, "gl-runner", () =>
      runLine(
        job.after_script.find((l) => l.includes("headscale-iac"))!,
        ci,
        work,
      ),
    );
  });
});
