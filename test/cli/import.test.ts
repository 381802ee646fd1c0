// `headscale-iac import` against a server built with the headscale CLI (as Headscale's guide builds one),
// then the real CLIs on the generated projects, through a counting proxy: Terraform and OpenTofu plan
// imports only and change nothing (`plan -detailed-exitcode` 0 after the apply), the apply writes nothing;
// `pulumi up` of the generated Pulumi project (plain CLI, real language host) writes nothing and the next
// preview shows no changes. The server's users, keys, nodes and policy text are the same afterwards.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { startFaultProxy, type FaultProxy } from "../harness/faultProxy.js";
import { takeSnapshot, type HeadscaleSnapshot } from "../harness/snapshot.js";
import { binDir, ensureTools, root } from "../harness/tools.js";
import { availableClis } from "../terraform/workspace.js";
import { HeadscaleWorkspace } from "../terraform/headscaleWorkspace.js";
import { CdktfProject, STACK } from "../cdktf/project.js";
import { buildGuideServer, guidePolicy, HOME_ROUTE, type GuideServer } from "./guideServer.js";
import { headscaleIac, writeCalls } from "./run.js";

describe("headscale-iac import of a server built with the headscale CLI", { timeout: 300_000 }, () => {
  let guide: GuideServer;
  let api: HeadscaleClient;
  let proxy: FaultProxy;
  let before: HeadscaleSnapshot;
  let policyBefore: { text: string; updatedAt?: string };
  const base = mkdtempSync(path.join(tmpdir(), "headscale-iac-import-"));
  const env = () => ({ HEADSCALE_URL: guide.server.url, HEADSCALE_API_KEY: guide.server.apiKey });

  beforeAll(async () => {
    guide = await buildGuideServer();
    api = new HeadscaleClient({ url: guide.server.url, apiKey: guide.server.apiKey });
    proxy = await startFaultProxy(guide.server.url);
    before = await takeSnapshot(api);
    policyBefore = await api.getPolicy();
  });
  afterAll(async () => {
    api?.close();
    await proxy?.close();
    await guide?.stop();
    if (!process.env.KEEP_TEST_DIRS) rmSync(base, { recursive: true, force: true });
  });

  /** The server is exactly as the guide left it: same objects, and the policy text not even rewritten. */
  async function expectUnchanged(): Promise<void> {
    expect(await takeSnapshot(api)).toEqual(before);
    expect(await api.getPolicy()).toEqual(policyBefore);
    const gw = (await api.listNodes()).find((n) => n.name === "home-gw");
    expect(gw?.approvedRoutes).toEqual([HOME_ROUTE]);
  }

  it("writes an HCL project: resources with readable names, import blocks, the policy verbatim, keys as comments", async () => {
    onTestFailed(() => console.error(guide.server.logTail()));
    const out = path.join(base, "hcl");
    const r = await headscaleIac(["import", "--format", "hcl", "--out", out], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("read 5 User object(s)");
    expect(r.stdout).toContain(`Wrote a hcl project to ${out}: main.tf`);
    expect(r.stdout).toContain("5 user(s), the policy, tags of 1 node(s)");
    expect(r.stdout).toMatch(/live pre-auth key\(s\) listed as comments, not imported/);
    expect(r.stdout).toContain(`not imported: approved routes of node home-gw (id ${guide.nodeIds["home-gw"]}): ${HOME_ROUTE}`);
    const tf = readFileSync(path.join(out, "main.tf"), "utf8");
    for (const name of ["alice", "bob", "family", "servers", "guests"]) {
      expect(tf).toContain(`resource "headscale_user" "${name}" {`);
      expect(tf).toContain(`to = headscale_user.${name}\n  id = "${guide.userIds[name]}"`);
    }
    expect(tf).toContain('display_name = "Alice Admin"');
    expect(tf).toContain(`<<EOT\n${guidePolicy}EOT`);
    expect(tf).toContain("depends_on = [headscale_user.alice, headscale_user.bob, headscale_user.family, headscale_user.servers, headscale_user.guests]");
    expect(tf).toContain(`resource "headscale_node_tags" "web_tags" {\n  node_id = "${guide.nodeIds.web}"\n  tags    = ["tag:server"]`);
    expect(tf).toMatch(/# {3}hskey-auth-\S+ {2}user bob {2}tags: none/);
    expect(tf).toMatch(/# {5}e\.g\. resource "headscale_pre_auth_key" "servers_key" \{\n# {12}user {7}= headscale_user\.servers\.user_id\n/);
    expect(tf).not.toContain(guide.server.apiKey);
  });

  for (const cli of availableClis()) {
    it(`${cli}: the plan imports and changes nothing, the apply writes nothing, the next plan is empty`, async () => {
      const ws = new HeadscaleWorkspace(cli, { url: proxy.url, apiKey: guide.server.apiKey });
      onTestFailed(() => console.error(ws.transcript.join("\n---\n")));
      try {
        ws.write("main.tf", readFileSync(path.join(base, "hcl", "main.tf"), "utf8"));
        await ws.expect([0], ["init"]);
        const from = proxy.answered.length;
        const plan = await ws.run(["plan", "-detailed-exitcode"]);
        // Imports count as changes for -detailed-exitcode (2); nothing is added, changed or destroyed.
        expect({ code: plan.code, summary: /Plan: .*/.exec(plan.output)?.[0] }).toEqual({
          code: 2,
          summary: "Plan: 7 to import, 0 to add, 0 to change, 0 to destroy.",
        });
        await ws.expect([0], ["apply", "-auto-approve"]);
        const after = await ws.planIsEmpty();
        expect(after.empty, after.output).toBe(true);
        expect(proxy.answered.slice(from).filter((a) => a.startsWith("GET /api/v1/")).length).toBeGreaterThan(0); // it did talk to the server
        expect(writeCalls(proxy.answered.slice(from))).toEqual([]);
        await expectUnchanged();
      } finally {
        ws.cleanup();
      }
    });
  }

  it("writes a Pulumi project: the typescript template's files, adoption inputs, references, keys as comments", async () => {
    const out = path.join(base, "pulumi");
    const r = await headscaleIac(["import", "--format", "pulumi-ts", "--out", out, "--name", "home"], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Pulumi.yaml, package.json, tsconfig.json, .gitignore, index.ts");
    const pkg = JSON.parse(readFileSync(path.join(out, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg).toEqual({
      name: "home",
      main: "index.ts",
      devDependencies: { "@types/node": "^18", typescript: "^5.0.0" },
      dependencies: {
        "@pulumi/pulumi": "^3.248.0",
        "headscale-iac": `^${JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version}`,
      },
    });
    expect(readFileSync(path.join(out, "Pulumi.yaml"), "utf8")).toMatch(/^name: home\n[\s\S]*runtime:\n {2}name: nodejs/);
    const index = readFileSync(path.join(out, "index.ts"), "utf8");
    expect(index).toContain(
      'const alice = new headscale.User("alice", { name: "alice", displayName: "Alice Admin", email: "alice@example.com", adoptExisting: true });',
    );
    expect(index).toContain(`const policyText = \`${guidePolicy}\`;`);
    expect(index).toContain(
      'const policy = new headscale.Policy("policy", { policy: policyText, overwrite: true }, { dependsOn: [alice, bob, family, servers, guests] });',
    );
    expect(index).toContain(
      `const web_tags = new headscale.NodeTags("web_tags", { nodeId: "${guide.nodeIds.web}", tags: ["tag:server"] }, { dependsOn: [policy] });`,
    );
    // A key's owner is the User resource, not a literal id.
    expect(index).toMatch(/e\.g\. new headscale\.PreAuthKey\("bob_key", \{ user: bob, expiration: "1h" \}\);/);
    expect(index).not.toContain(guide.server.apiKey);
  });

  it("pulumi (plain CLI, real language host): up adopts everything with zero writes, then preview shows no changes", async () => {
    // The Node.js language host: scripts/install-tools.sh builds it as tool pulumi-language-nodejs (from
    // ../shared/vendor; it arrives with the user-path branch). A cache that has it already is used as is.
    ensureTools("pulumi");
    if (!existsSync(path.join(binDir, "pulumi-language-nodejs"))) ensureTools("pulumi-language-nodejs");
    const dir = path.join(base, "pulumi");
    linkModules(dir);
    const state = path.join(base, "pulumi-state");
    mkdirSync(state, { recursive: true });
    const penv: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${binDir}:${path.join(dir, "node_modules", "@pulumi", "pulumi")}:${path.dirname(process.execPath)}:${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(base, "pulumi-home"),
      PULUMI_BACKEND_URL: pathToFileURL(state).href,
      PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      HEADSCALE_URL: proxy.url,
      HEADSCALE_API_KEY: guide.server.apiKey,
    };
    const transcript: string[] = [];
    onTestFailed(() => console.error(transcript.join("\n---\n")));
    const pulumi = (...args: string[]) =>
      new Promise<{ code: number; out: string; stdout: string }>((resolve) =>
        execFile(
          path.join(binDir, "pulumi"),
          [...args, "--non-interactive", "--color", "never"],
          { cwd: dir, env: penv, timeout: 240_000, maxBuffer: 32 << 20 },
          (err, stdout, stderr) => {
            transcript.push(`$ pulumi ${args.join(" ")}\n${stdout}${stderr}`);
            resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, out: `${stdout}${stderr}`, stdout });
          },
        ),
      );
    expect((await pulumi("stack", "init", "test")).code).toBe(0);
    const from = proxy.answered.length;
    const first = await pulumi("preview", "--json");
    expect(first.code).toBe(0);
    // A fresh stack has no state: the preview lists the adoptions as creates (Pulumi cannot import
    // dynamic resources), and it writes nothing.
    expect(JSON.parse(first.stdout).changeSummary).toEqual({ create: 8 });
    const up = await pulumi("up", "--yes", "--skip-preview");
    expect(up.code).toBe(0);
    expect(up.out).toContain("8 created");
    expect(proxy.answered.slice(from).filter((a) => a.startsWith("GET /api/v1/")).length).toBeGreaterThan(0); // it did talk to the server
    expect(writeCalls(proxy.answered.slice(from))).toEqual([]);
    const next = await pulumi("preview", "--expect-no-changes", "--json");
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout).changeSummary).toEqual({ same: 8 });
    expect(proxy.answered.slice(from).filter((a) => a.startsWith("GET /api/v1/")).length).toBeGreaterThan(0); // it did talk to the server
    expect(writeCalls(proxy.answered.slice(from))).toEqual([]);
    await expectUnchanged();
  });

  it("cdktf: the project of examples/cdktf-basic's shape synthesizes import blocks; deploy writes nothing; the next plan is empty", async () => {
    const out = path.join(base, "cdktf");
    // The stack is named after the project: the harness's CdktfProject drives the stack "headscale-basic".
    const r = await headscaleIac(["import", "--format", "cdktf", "--out", out, "--name", STACK], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("main.ts, package.json, cdktf.json, .gitignore");
    const example = JSON.parse(readFileSync(path.join(root, "examples", "cdktf-basic", "cdktf.json"), "utf8")) as unknown;
    expect(JSON.parse(readFileSync(path.join(out, "cdktf.json"), "utf8"))).toEqual(example);
    const main = readFileSync(path.join(out, "main.ts"), "utf8");
    expect(main).toContain('import { HeadscaleProvider, User, Policy, NodeTags } from "headscale-iac/cdktf";');
    expect(main).toContain(`alice.importFrom("${guide.userIds.alice}");`);
    expect(main).toContain('new HeadscaleProvider(this, "headscale", {});');

    linkModules(out);
    await compile(out, "main.ts", path.join(out, "build"));
    const project = new CdktfProject({ url: proxy.url, apiKey: guide.server.apiKey });
    onTestFailed(() => console.error(project.transcript.join("\n---\n")));
    try {
      await project.installProvider();
      // Only the command that runs the program differs from the generated cdktf.json (as for the example's test).
      writeFileSync(
        path.join(project.dir, "cdktf.json"),
        JSON.stringify({
          ...(example as object),
          app: `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(out, "build", "main.js"))}`,
        }),
      );
      await project.expectCdktf("synth");
      const stack = project.synthesized() as unknown as { import?: Array<{ id: string; to: string }> };
      expect(stack.import).toContainEqual({ id: guide.userIds.alice, to: "headscale_user.alice" });
      expect(stack.import).toContainEqual({ id: "policy", to: "headscale_policy.policy" });
      expect(stack.import).toContainEqual({ id: guide.nodeIds.web, to: "headscale_node_tags.web_tags" });
      const from = proxy.answered.length;
      const deploy = await project.expectCdktf("deploy", "--auto-approve", "--skip-provider-lock");
      expect(deploy).toMatch(/7 imported, 0 added, 0 changed, 0 destroyed/);
      const plan = await project.terraform("plan", "-detailed-exitcode");
      expect(plan.code, plan.output).toBe(0);
      expect(proxy.answered.slice(from).filter((a) => a.startsWith("GET /api/v1/")).length).toBeGreaterThan(0); // it did talk to the server
      expect(writeCalls(proxy.answered.slice(from))).toEqual([]);
      await expectUnchanged();
    } finally {
      project.cleanup();
    }
  });
});

/** Compiles a generated TypeScript entry with the repository's tsc (the project's own npm install is not run). */
function compile(dir: string, entry: string, outDir: string): Promise<void> {
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const args = [
    entry,
    "--outDir",
    outDir,
    "--module",
    "nodenext",
    "--moduleResolution",
    "nodenext",
    "--target",
    "es2022",
    "--strict",
    "--skipLibCheck",
    "--types",
    "node",
  ];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [tsc, ...args], { cwd: dir, timeout: 180_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`tsc ${entry} failed:\n${stdout}${stderr}`)) : resolve(),
    ),
  );
}

/**
 * The generated project's node_modules: headscale-iac is a symlink to this checkout (its dist/ from the
 * build), @pulumi/pulumi, typescript and @types/node are the repository's own (the versions the
 * project's package.json accepts).
 */
function linkModules(dir: string): void {
  const nm = path.join(dir, "node_modules");
  mkdirSync(nm, { recursive: true });
  const links: Record<string, string> = Object.fromEntries(
    ["@pulumi", "typescript", "@types", "cdktf", "constructs"].map((m) => [m, path.join(root, "node_modules", m)]),
  );
  links["headscale-iac"] = root;
  for (const [name, target] of Object.entries(links)) if (!existsSync(path.join(nm, name))) symlinkSync(target, path.join(nm, name));
}
