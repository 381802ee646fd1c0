// examples/pulumi-basic run as its README says: `npm install` in the example directory, then plain `pulumi`
// commands (real CLI, real Node.js language host), on each lane in turn (one directory: never at once).
// On Node 20 this is what fails with `Unknown file extension ".ts"` when ts-node is missing; Node 24 strips
// the types itself.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { policiesEqual } from "../../provider/policy/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { lane } from "../harness/lanes.js";
import { pulumiCli, type PulumiCli } from "../harness/pulumiCli.js";
import { root } from "../harness/tools.js";
import { headscaleCommandDir } from "./projects.js";

const exampleDir = path.join(root, "examples", "pulumi-basic");
const readme = readFileSync(path.join(exampleDir, "README.md"), "utf8");
const block = (after: string) => {
  const m = new RegExp(`${after}[\\s\\S]*?\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!m) throw new Error(`examples/pulumi-basic/README.md: no sh block after "${after}"`);
  return m[1]!.trim().split("\n");
};
// The README's commands, as written. The first line (`npm install && npm run build` at the root) is what
// `npm test` did before the suite; the stack gets a name of its own so a developer's own `dev` stack
// config in the example directory is left alone; the URL is the throwaway server's.
const script = (lines: string[], server: HeadscaleServer, stack: string) =>
  ["set -euo pipefail", ...lines].map((l) => l.replaceAll(" dev", ` ${stack}`).replace("https://headscale.example.com", server.url)).join("\n");

for (const current of [lane("floor"), lane("current")])
  describe(`examples/pulumi-basic, as its README says, on the ${current.label} lane`, () => {
    const stack = `test-${process.pid}-${current.name}`;
    let server: HeadscaleServer;
    let api: HeadscaleClient;
    let cli: PulumiCli;
    let headscaleDir: string;
    const run = [...block("## Run it")];

    beforeAll(async () => {
      expect(run[0]).toBe("npm install && npm run build");
      // As on a fresh clone: npm keeps an installed copy of `file:../..` even when the build changed.
      for (const f of ["node_modules", "package-lock.json"]) rmSync(path.join(exampleDir, f), { recursive: true, force: true });
      server = await startHeadscale();
      api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
      headscaleDir = headscaleCommandDir(server);
      // The commands start at the root (`cd examples/pulumi-basic`); the project's PATH entry is the example's.
      cli = pulumiCli({ projectDir: exampleDir, lane: current, pathFirst: [headscaleDir] });
    });
    afterAll(async () => {
      cli?.dispose();
      api?.close();
      await server?.stop();
      rmSync(path.join(exampleDir, `Pulumi.${stack}.yaml`), { force: true });
      if (headscaleDir) rmSync(headscaleDir, { recursive: true, force: true });
    });
    const showLog = () => onTestFailed(() => console.error(server.logTail()));

    it("npm install, stack init, config set, pulumi up: the server has the example's objects", async () => {
      showLog();
      const r = await cli.exec("bash", ["-c", script(run.slice(1), server, stack)], { cwd: root, timeoutMs: 600_000 });
      expect(existsSync(path.join(exampleDir, "node_modules", "headscale-iac", "package.json")), "headscale-iac installed as a copy").toBe(true);
      expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^hskey-auth-/); // pulumi stack output serverKey --show-secrets
      const users = await api.listUsers();
      expect(users.map((u) => u.name).sort()).toEqual(["alice", "bob", "servers"]);
      expect(users.find((u) => u.name === "alice")).toMatchObject({ displayName: "Alice Admin", email: "alice@example.com" });
      const keys = (await api.listPreAuthKeys()).filter((k) => k.aclTags.includes("tag:server"));
      expect(keys).toHaveLength(1);
      expect(keys[0]!.reusable).toBe(true);
      const policyText = /const policyText = `([^`]*)`/.exec(readFileSync(path.join(exampleDir, "index.ts"), "utf8"))![1]!;
      expect(policiesEqual((await api.getPolicy()).text, policyText)).toBe(true);
    }, 600_000);

    it("pulumi preview --expect-no-changes passes", async () => {
      showLog();
      await cli.run(["preview", "--expect-no-changes", "--stack", stack], { timeoutMs: 180_000 });
    }, 180_000);

    it("clean up as the README says: the users and the key are gone", async () => {
      showLog();
      await cli.exec("bash", ["-c", script(block("Clean up:"), server, stack)], { timeoutMs: 180_000 });
      expect(await api.listUsers()).toEqual([]);
      expect(await api.listPreAuthKeys()).toEqual([]);
    }, 180_000);
  });
