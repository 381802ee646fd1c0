// The access diff in a real Terraform/OpenTofu plan: with alice's and bob's laptops and a tag:server node
// (debug-registered), a policy change plans exactly the pairs it adds and removes in `access`, apply
// records them, and a reformatting plans nothing. (Every plan here also passes the write audit.)
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { accessAdded, accessBlock, accessMarks, readmeAccessBlock, accessPolicies, accessRemoved, registerAccessNodes } from "../harness/accessDiff.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { headscaleVersions, newestHeadscale, root } from "../harness/tools.js";
import { HeadscaleWorkspace } from "./headscaleWorkspace.js";
import { availableClis } from "./workspace.js";

const config = (file: string) => `terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}
resource "headscale_policy" "p" {
  policy    = file("\${path.module}/${file}")
  overwrite = true
}
`;

describe.each(availableClis())(`%s plans show the access diff on Headscale ${newestHeadscale()}`, (cli) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await registerAccessNodes(api);
    ws = new HeadscaleWorkspace(cli, server);
    ws.write("main.tf", config("policy.hujson"));
    ws.write("policy.hujson", accessPolicies.before);
    await ws.expect([0], ["init"]);
  }, 120_000);
  afterAll(async () => {
    ws?.cleanup();
    api?.close();
    await server?.stop();
  });

  it("a policy change plans the added and removed pairs, apply records them, a reformatting plans none", { timeout: 300_000 }, async () => {
    showLog();
    const created = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(accessMarks(created).added).toEqual(
      expect.arrayContaining(["alice-laptop → server-1:22", "alice-laptop → server-1:443", "bob-laptop → server-1:443"]),
    );
    ws.write("policy.hujson", accessPolicies.after);
    const plan = await ws.planIsEmpty();
    expect(plan.empty).toBe(false);
    const shown = accessMarks(plan.output);
    expect({ added: shown.added, removed: shown.removed }, plan.output).toEqual({ added: accessAdded, removed: accessRemoved });
    // The README shows this very block.
    expect(readmeAccessBlock(readFileSync(path.join(root, "README.md"), "utf8"), "terraform"), accessBlock(plan.output)).toBe(accessBlock(plan.output));
    await ws.expect([0], ["apply", "-auto-approve"]);
    const state = JSON.parse(ws.stateText()) as {
      resources: Array<{ type: string; instances: Array<{ attributes: { access: Record<string, string> } }> }>;
    };
    const recorded = state.resources.find((r) => r.type === "headscale_policy")!.instances[0]!.attributes.access;
    expect(Object.keys(recorded)).toEqual(expect.arrayContaining(accessAdded));
    for (const gone of accessRemoved) expect(Object.keys(recorded)).not.toContain(gone);

    ws.write("policy.hujson", accessPolicies.after.replace(/\n\s*/g, " ")); // same rules, one line
    const reformat = await ws.planIsEmpty();
    expect(reformat.empty, reformat.output).toBe(true);
    expect(accessMarks(reformat.output).lines).toEqual([]);
  });
});

// Before 0.29 Headscale cannot check the policy's tests (0.28 refuses the section): the provider runs them
// at plan against the live nodes, and sends the policy without them.
const withTests = (tests: object[]) => accessPolicies.before.replace(/ \}$/, `, // tests run by the provider\n "tests": ${JSON.stringify(tests)} }`);
const localVersions = ["0.26.1", "0.28.0"].filter((v) => headscaleVersions().includes(v));

describe.each(localVersions)("terraform runs the policy's tests itself on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await registerAccessNodes(api);
    ws = new HeadscaleWorkspace("terraform", server);
    ws.write("main.tf", config("policy.hujson"));
    await ws.expect([0], ["init"]);
  }, 120_000);
  afterAll(async () => {
    ws?.cleanup();
    api?.close();
    await server?.stop();
  });

  it("passing tests apply (left out of the server's text) and plan no change; a failing test fails the plan, naming it", { timeout: 300_000 }, async () => {
    showLog();
    ws.write(
      "policy.hujson",
      withTests([
        { src: "alice@", accept: ["tag:server:22"] },
        { src: "bob@", accept: ["tag:server:443"], deny: ["tag:server:22"] },
      ]),
    );
    await ws.expect([0], ["apply", "-auto-approve"]);
    const stored = (await api.getPolicy()).text;
    expect(stored).toContain("tag:server:22,443");
    expect(stored).not.toContain('"tests"');
    expect((await ws.planIsEmpty()).empty).toBe(true);

    ws.write(
      "policy.hujson",
      withTests([
        { src: "alice@", accept: ["tag:server:22"] },
        { src: "bob@", accept: ["tag:server:22"] },
      ]),
    );
    const failed = await ws.run(["plan"]);
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/tests\[1\] \(src "bob@"\): bob@ -> tag:server:22: expected ALLOWED, got DENIED/);
    expect(failed.output).toContain(`Headscale ${version.split(".").slice(0, 2).join(".")}`); // 0.26 reports no patch
    expect((await api.getPolicy()).text).toBe(stored);
  });
});
