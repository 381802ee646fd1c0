// Every headscale resource stores the provider as a fixed text of a few hundred bytes (sdk/pulumi/provider.ts),
// not a serialized closure; and a stack written by 0.1.0, whose resources hold that version's serialized
// closure, previews no change, refreshes (the host runs the old text), converges and destroys.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { providerText } from "../../sdk/pulumi/provider.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject, type PulumiProject, type StepResult } from "../harness/pulumi.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** What 0.1.0 stored as `__provider` (Pulumi's closure serialization of its provider object), "%TYPE%" for the type. */
const closureOf010 = readFileSync(path.join(here, "fixtures", "closure-provider-0.1.0.txt"), "utf8");

const spec: ProgramSpec = {
  users: [
    { resource: "ana", name: "ana" },
    { resource: "ben", name: "ben" },
  ],
  policy: { resource: "policy", policy: `{ "tagOwners": { "tag:ci": ["ana@"] } }` },
  keys: [{ resource: "key", userResource: "ana", tags: ["tag:ci"], expiration: "2h" }],
};

type Exported = { deployment: { resources: Array<{ type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }> } };
const headscaleResources = (r: StepResult) =>
  (JSON.parse(r.exported!) as Exported).deployment.resources.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/headscale:"));
const nothingChanges = (r: StepResult) => Object.keys(r.changes ?? {}).filter((k) => k !== "same");

describe("the provider text Pulumi stores", () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let project: PulumiProject;
  let fresh: StepResult[];
  let upgraded: StepResult[];

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
    fresh = expectOk(await project.run([{ op: "up", spec }, { op: "export" }]));
    upgraded = await project.run([
      { op: "setProviderText", providerTemplate: closureOf010 },
      { op: "export" },
      { op: "preview", spec },
      { op: "refresh", spec },
      { op: "up", spec },
      { op: "export" },
      { op: "destroy", spec },
    ]);
  }, 400_000);
  afterAll(async () => {
    api?.close();
    project?.dispose();
    await server?.stop();
  });

  it("is the fixed text of each resource's type, in its inputs and its outputs, a few hundred bytes long", () => {
    const resources = headscaleResources(fresh[1]!);
    expect(resources.map((r) => r.type.split(":").at(-1)).sort()).toEqual(["Policy", "PreAuthKey", "User", "User"]);
    for (const r of resources) {
      const text = providerText(r.type.split(":").at(-1)!);
      expect(r.inputs?.__provider).toBe(text);
      expect(r.outputs?.__provider).toBe(text);
      expect(text.length).toBeLessThan(700);
    }
  });

  it("a stack whose resources hold 0.1.0's serialized closure previews no change and refreshes through it", () => {
    expectOk(upgraded.slice(0, 4));
    const old = headscaleResources(upgraded[1]!);
    expect(old).toHaveLength(4);
    for (const r of old) expect(String(r.inputs?.__provider)).toMatch(/with\(\{ resourceName: "\w+"/); // the closure text, as 0.1.0 wrote it
    expect(nothingChanges(upgraded[2]!)).toEqual([]);
    expect(nothingChanges(upgraded[3]!)).toEqual([]);
  });

  it("the next up changes nothing on the server and stores the new text; destroy removes everything", async () => {
    expectOk(upgraded);
    expect(nothingChanges(upgraded[4]!)).toEqual([]);
    for (const r of headscaleResources(upgraded[5]!)) expect(r.inputs?.__provider).toBe(providerText(r.type.split(":").at(-1)!));
    expect(await api.listUsers()).toEqual([]);
  });
});
