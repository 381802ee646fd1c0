// The user-project suite for one toolchain lane: the package installed from its packed tarball into fresh
// projects, driven by plain `pulumi` commands (real CLI, real Node.js language host), the server checked
// through the API after each command.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { lane as laneNamed, type LaneName } from "../harness/lanes.js";
import { pulumiCli, type PulumiCli } from "../harness/pulumiCli.js";
import { assertNoWrites, startWriteAudit, type WriteAudit } from "../harness/writeAudit.js";
import { esmProject, headscaleCommandDir, jsProject, packPackage, readmeQuickStart, writeProject } from "./projects.js";

const INSTALL_MS = 300_000; // npm install of @pulumi/pulumi, TypeScript and the package, on a busy machine
const OP_MS = 180_000;

export function userProjectSuite(laneName: LaneName): void {
  const lane = laneNamed(laneName);
  describe(`user projects on the ${lane.label} lane`, () => {
    let server: HeadscaleServer;
    let api: HeadscaleClient;
    let tarball: string;
    let scratch: string;
    let headscaleDir: string;
    /** The projects reach the server through the write audit: a preview or refresh that writes fails. */
    let audit: WriteAudit;
    const cleanup: Array<() => void> = [];

    beforeAll(async () => {
      if (!existsSync(lane.node)) throw new Error(`${lane.label}: ${lane.node} is missing; run scripts/install-tools.sh node`);
      if (!existsSync(lane.cli)) throw new Error(`${lane.label}: ${lane.cli} is missing; run scripts/install-tools.sh pulumi`);
      server = await startHeadscale();
      api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
      scratch = mkdtempSync(path.join(tmpdir(), "user-pack-"));
      tarball = await packPackage(scratch);
      headscaleDir = headscaleCommandDir(server);
      audit = await startWriteAudit(server.url);
    });
    afterAll(async () => {
      for (const c of cleanup) c();
      await audit?.close();
      api?.close();
      await server?.stop();
      if (!process.env.KEEP_TEST_DIRS) for (const d of [scratch, headscaleDir]) if (d) rmSync(d, { recursive: true, force: true });
    });
    const showLog = () => onTestFailed(() => console.error(server.logTail()));

    /** Each `pulumi <verb>` (direct or in a README command line) is one audited step. */
    const audited = (cli: PulumiCli): PulumiCli => {
      const step = async <T>(label: string, what: string, run: () => Promise<T>): Promise<T> => {
        audit.begin(label);
        const result = await run();
        assertNoWrites(audit, what);
        return result;
      };
      return {
        ...cli,
        run: (args, o) => step(args[0] ?? "", `pulumi ${args.join(" ")}`, () => cli.run(args, o)),
        exec: (cmd, args, o) => step(/\bpulumi (\w+)/.exec(args.join(" "))?.[1] ?? "", `${cmd} ${args.join(" ")}`, () => cli.exec(cmd, args, o)),
      };
    };

    /** A fresh project dir and its CLI environment (the README's `headscale` on PATH). */
    const project = (files: Record<string, string>): { dir: string; cli: PulumiCli } => {
      const dir = writeProject(files);
      const cli = audited(pulumiCli({ projectDir: dir, lane, pathFirst: [headscaleDir] }));
      cleanup.push(() => {
        cli.dispose();
        if (!process.env.KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
      });
      return { dir, cli };
    };
    const npmInstall = (cli: PulumiCli) =>
      cli.exec("npm", ["install", "--no-audit", "--no-fund", tarball, `@pulumi/pulumi@${lane.pulumi}`], { timeoutMs: INSTALL_MS });
    const stackInit = async (cli: PulumiCli) => {
      await cli.run(["stack", "init", "dev"]);
      await cli.run(["config", "set", "headscale:url", audit.url]);
      await cli.run(["config", "set", "--secret", "headscale:apiKey", await server.createApiKey()]);
    };
    const outputs = async (cli: PulumiCli) => JSON.parse((await cli.run(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    const stateTypes = async (cli: PulumiCli) => {
      const state = JSON.parse((await cli.run(["stack", "export"])).stdout) as { deployment: { resources?: Array<{ type: string }> } };
      return (state.deployment.resources ?? [])
        .map((r) => r.type)
        .filter((t) => t.startsWith("pulumi-nodejs:dynamic/headscale:"))
        .sort();
    };
    const userNamed = async (name: string) => (await api.listUsers()).find((u) => u.name === name);

    /** up → preview --expect-no-changes → key deleted outside, refresh drops it → destroy, checked on the server after each. */
    const lifecycle = (
      what: string,
      p: () => { cli: PulumiCli },
      expected: { user: string; displayName?: string; outputId: string; tagged?: string },
      up: (cli: PulumiCli) => Promise<unknown>,
    ) => {
      let cli: PulumiCli;
      it(
        `${what}: pulumi up creates the objects`,
        async () => {
          showLog();
          cli = p().cli;
          await up(cli);
          const user = await userNamed(expected.user);
          expect(user, `user ${expected.user} on the server`).toBeDefined();
          if (expected.displayName) expect(user!.displayName).toBe(expected.displayName);
          expect(String((await outputs(cli))[expected.outputId])).toBe(user!.id);
          const keys = expected.tagged
            ? (await api.listPreAuthKeys()).filter((k) => k.aclTags.includes(expected.tagged!))
            : await api.listPreAuthKeys(user!.id);
          expect(keys).toHaveLength(1);
        },
        INSTALL_MS + 3 * OP_MS,
      );
      it(
        `${what}: pulumi preview --expect-no-changes passes and writes nothing`,
        async () => {
          showLog();
          const before = { users: await api.listUsers(), keys: await api.listPreAuthKeys() };
          await cli.run(["preview", "--expect-no-changes"], { timeoutMs: OP_MS });
          expect(await api.listUsers()).toEqual(before.users);
          expect(await api.listPreAuthKeys()).toEqual(before.keys);
        },
        OP_MS,
      );
      it(
        `${what}: pulumi refresh drops a key deleted outside Pulumi from the state`,
        async () => {
          showLog();
          const user = (await userNamed(expected.user))!;
          const keys = expected.tagged ? (await api.listPreAuthKeys()).filter((k) => k.aclTags.includes(expected.tagged!)) : await api.listPreAuthKeys(user.id);
          for (const k of keys) {
            await api.expirePreAuthKey({ id: k.id!, key: k.key, userId: user.id });
            await api.deletePreAuthKey(k.id!);
          }
          expect(await stateTypes(cli)).toContain("pulumi-nodejs:dynamic/headscale:PreAuthKey");
          await cli.run(["refresh"], { timeoutMs: OP_MS });
          expect(await stateTypes(cli)).not.toContain("pulumi-nodejs:dynamic/headscale:PreAuthKey");
          expect((await userNamed(expected.user))?.id).toBe(user.id);
        },
        2 * OP_MS,
      );
      it(
        `${what}: pulumi destroy removes what it created`,
        async () => {
          showLog();
          await cli.run(["destroy"], { timeoutMs: OP_MS });
          expect(await userNamed(expected.user)).toBeUndefined();
          expect(await stateTypes(cli)).toEqual([]);
        },
        OP_MS,
      );
      return () => cli;
    };

    describe("the README quick start (Pulumi's typescript template: CommonJS, nodenext)", () => {
      const quickStart = readmeQuickStart();
      let p: { dir: string; cli: PulumiCli } | undefined;
      const get = () => (p ??= project(quickStart.files));
      // The README's commands, word for word, except: the package is this checkout's tarball, @pulumi/pulumi
      // is the lane's version, the URL is the throwaway server's (`headscale` is its CLI, on PATH).
      const commands = () =>
        quickStart.commands.map((c) =>
          c.startsWith("npm install ")
            ? `${c.replace(/ headscale-iac(?= |$)/, ` ${tarball}`).replace(/ @pulumi\/pulumi(?= |$)/, ` @pulumi/pulumi@${lane.pulumi}`)} --no-audit --no-fund`
            : c.replace("https://headscale.example.com", audit.url),
        );
      lifecycle("quick start", get, { user: "alice", displayName: "Alice", outputId: "aliceId" }, async (cli) => {
        for (const command of commands())
          await cli.exec("bash", ["-euo", "pipefail", "-c", command], { timeoutMs: command.startsWith("npm ") ? INSTALL_MS : OP_MS });
      });
      it(
        "quick start: the installed package's exports all have `types` that exist, and tsc accepts the program",
        async () => {
          const pkgDir = path.join(get().dir, "node_modules", "headscale-iac");
          const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as {
            exports: Record<string, string | { types?: string; default: string }>;
          };
          for (const [sub, target] of Object.entries(pkg.exports)) {
            if (typeof target === "string") {
              expect(target, `exports["${sub}"]`).toMatch(/\.json$/);
              continue;
            }
            expect(target.types, `exports["${sub}"].types`).toBeDefined();
            expect(existsSync(path.join(pkgDir, target.types!)), `exports["${sub}"].types = ${target.types} is in the package`).toBe(true);
            expect(existsSync(path.join(pkgDir, target.default)), `exports["${sub}"].default = ${target.default} is in the package`).toBe(true);
          }
          await get().cli.exec(path.join(get().dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."], { timeoutMs: OP_MS });
        },
        OP_MS,
      );
      typeErrorFailsPreview("quick start", get, "index.ts", quickStart.files["index.ts"]!, 'displayName: "Alice"', 'displayNme: "Alice"', "alice");
    });

    /** A project made from `files`: npm install of the tarball, stack init with the server's config, `pulumi up`. */
    const installed = (files: Record<string, string>) => {
      let p: { dir: string; cli: PulumiCli } | undefined;
      const get = () => (p ??= project(files));
      const up = async (cli: PulumiCli) => {
        await npmInstall(cli);
        await stackInit(cli);
        await cli.run(["up"], { timeoutMs: OP_MS });
      };
      return { get, up };
    };

    describe("an ES-module TypeScript project (bundler resolution, ts-node)", () => {
      const { get, up } = installed(esmProject);
      lifecycle("ES module", get, { user: "ops", outputId: "opsId", tagged: "tag:ci" }, up);
      it("ES module: destroy reset the policy (resetOnDestroy)", async () => {
        expect((await api.getPolicy()).text).not.toContain("tag:ci");
      });
      typeErrorFailsPreview("ES module", get, "index.ts", esmProject["index.ts"], "reusable: true", "reuseable: true", "ops");
    });

    describe("a plain JavaScript project", () => {
      const { get, up } = installed(jsProject);
      lifecycle("JavaScript", get, { user: "carol", displayName: "Carol", outputId: "carolId" }, up);
    });

    /** The program with one argument misspelt: Pulumi's TypeScript check must fail the preview, and nothing is created. */
    function typeErrorFailsPreview(
      what: string,
      get: () => { dir: string; cli: PulumiCli },
      file: string,
      text: string,
      good: string,
      bad: string,
      user: string,
    ): void {
      it(
        `${what}: a misspelt argument (${bad}) fails pulumi preview through Pulumi's type check, nothing written`,
        async () => {
          showLog();
          expect(text).toContain(good);
          writeFileSync(path.join(get().dir, file), text.replace(good, bad));
          try {
            const r = await get().cli.run(["preview"], { expectFailure: true, timeoutMs: OP_MS });
            expect(r.output).toMatch(new RegExp(`error TS\\d+[\\s\\S]*${bad.split(":")[0]}`));
            expect(await userNamed(user)).toBeUndefined();
          } finally {
            writeFileSync(path.join(get().dir, file), text);
          }
        },
        OP_MS,
      );
    }
  });
}
