// The access diff in a real Pulumi preview: with alice's and bob's laptops and a tag:server node
// (debug-registered), a policy change shows exactly the source → destination:ports pairs it adds and
// removes; a reformatting shows none. (Every preview here also passes the write audit.)
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject, type PulumiProject } from "../harness/pulumi.js";
import { headscaleVersions, newestHeadscale, root } from "../harness/tools.js";
import type { ProgramSpec } from "../programs/spec.js";
import { accessAdded, accessBlock, accessMarks, readmeAccessBlock, accessPolicies, accessRemoved, registerAccessNodes } from "../harness/accessDiff.js";

describe(`access diff in Pulumi previews on Headscale ${newestHeadscale()}`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let project: PulumiProject;
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));
  const spec = (policy: string): ProgramSpec => ({ policy: { resource: "policy", policy, overwrite: true } });

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await registerAccessNodes(api);
    project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
  }, 120_000);
  afterAll(async () => {
    project?.dispose();
    api?.close();
    await server?.stop();
  });

  it("a policy change shows the added and removed pairs; a reformatting shows none", { timeout: 600_000 }, async () => {
    showLog();
    expectOk(await project.run([{ op: "up", spec: spec(accessPolicies.before) }]));
    const [change, reformat] = expectOk(
      await project.run([
        { op: "preview", spec: spec(accessPolicies.after) },
        { op: "preview", spec: spec(accessPolicies.reformatted) },
      ]),
    );
    const shown = accessMarks(change!.output);
    expect({ added: shown.added, removed: shown.removed }, change!.output).toEqual({ added: accessAdded, removed: accessRemoved });
    // The README shows this very block.
    expect(readmeAccessBlock(readFileSync(path.join(root, "README.md"), "utf8"), "pulumi"), accessBlock(change!.output)).toBe(accessBlock(change!.output));
    expect(accessMarks(reformat!.output).lines, reformat!.output).toEqual([]);
    expect(Object.entries(reformat!.changes ?? {}).filter(([k, n]) => k !== "same" && n > 0)).toEqual([]);
  });
});

// Before 0.29 the provider runs the policy's tests itself: a failing one fails the preview, naming it.
describe.each(["0.28.0"].filter((v) => headscaleVersions().includes(v)))("Pulumi previews run the policy's tests on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let project: PulumiProject;

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await registerAccessNodes(api);
    project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
  }, 120_000);
  afterAll(async () => {
    project?.dispose();
    api?.close();
    await server?.stop();
  });

  it("a failing test fails the preview with the test named; nothing is written", { timeout: 300_000 }, async () => {
    onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));
    const before = (await api.getPolicy()).text;
    const policy = accessPolicies.before.replace(/ \}$/, `, "tests": [{ "src": "bob@", "accept": ["tag:server:22"] }] }`);
    const [preview] = await project.run([{ op: "preview", spec: { policy: { resource: "policy", policy, overwrite: true } }, expectFailure: true }]);
    expect(preview!.ok).toBe(false);
    expect(`${preview!.error}\n${preview!.output}`).toMatch(/tests\[0\] \(src "bob@"\): bob@ -> tag:server:22: expected ALLOWED, got DENIED/);
    expect((await api.getPolicy()).text).toBe(before);
  });
});
