// The auth key, the API key created by the program and the provider's own API key never appear in plaintext: not in `pulumi stack export`, not in the state
// files, not in any CLI output (which carries the provider host's logs), not in error messages.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject, type PulumiProject, type StepResult } from "../harness/pulumi.js";

const spec: ProgramSpec = {
  users: [{ resource: "ci", name: "ci" }],
  keys: [{ resource: "key", userResource: "ci", reusable: true, expiration: "1h" }],
  apiKeys: [{ resource: "automation", expiration: "2h" }],
};
// Fails inside the provider's create, with the server's own error (the name is taken).
const failing: ProgramSpec = { ...spec, users: [...spec.users!, { resource: "duplicate", name: "ci" }] };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe("secrets stay secret in Pulumi", () => {
  let server: HeadscaleServer;
  let project: PulumiProject;
  let results: StepResult[];
  let authKey = "";
  let createdApiKey = "";

  beforeAll(async () => {
    server = await startHeadscale();
    project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
    results = await project.run([
      { op: "up", spec },
      { op: "refresh", spec },
      { op: "preview", spec },
      { op: "export" },
      { op: "up", spec: failing, expectFailure: true },
    ]);
    authKey = (results[0]!.outputs!.keys!.value as Record<string, string>).key!;
    createdApiKey = (results[0]!.outputs!.apiKeys!.value as Record<string, string>).automation!;
  }, 300_000);
  afterAll(async () => {
    project?.dispose();
    await server?.stop();
  });

  it("created a real key (so the searches below look for something that exists)", () => {
    expectOk(results.slice(0, 4));
    expect(authKey).toMatch(/^hskey-auth-[A-Za-z0-9_-]+-[A-Za-z0-9_-]{20,}$/);
    expect(server.apiKey.length).toBeGreaterThan(20);
    expect(createdApiKey).toMatch(/^hskey-api-[\w-]{12}-[\w-]{20,}$/);
  });

  it("`pulumi stack export` holds the key's prefix but neither secret", () => {
    const exported = results[3]!.exported!;
    expect(exported).toContain(authKey.replace(/^(hskey-auth-[^-]+)-.*$/, "$1")); // the right state was exported
    expect(exported).toContain("4dabf18193072939515e22adb298388d"); // Pulumi's secret signature: the key is encrypted
    expect(exported).toContain(createdApiKey.slice("hskey-api-".length, "hskey-api-".length + 12)); // and the API key's prefix
    expect(exported).not.toContain(authKey);
    expect(exported).not.toContain(createdApiKey);
    expect(exported).not.toContain(server.apiKey);
  });

  it("the state files on disk hold neither secret", () => {
    const files = filesUnder(path.join(project.workDir, "state"));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      expect(text, f).not.toContain(authKey);
      expect(text, f).not.toContain(createdApiKey);
      expect(text, f).not.toContain(server.apiKey);
    }
  });

  it("no CLI output or provider log line holds either secret, failures included", () => {
    const failed = results[4]!;
    expect(failed.ok).toBe(false);
    expect(`${failed.error}${failed.output}`).toMatch(/create user "ci": already exists/);
    for (const r of results) {
      const printed = `${r.output}\n${r.error ?? ""}`;
      expect(printed, r.op).not.toContain(authKey);
      expect(printed, r.op).not.toContain(createdApiKey);
      expect(printed, r.op).not.toContain(server.apiKey);
    }
  });
});
