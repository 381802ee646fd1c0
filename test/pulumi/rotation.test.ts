// Key rotation against a real server: rotateBefore replaces a key that is close to expiry, and Pulumi
// creates the new key first. (That an expired key stays unless recreateIfInvalid is set is the
// declaration's rule, tested at the resource tier: test/resources/preAuthKey.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject, type PulumiProject } from "../harness/pulumi.js";

const keySpec = (key: object): ProgramSpec => ({
  users: [{ resource: "ci", name: "ci" }],
  keys: [{ resource: "key", userResource: "ci", reusable: true, ...key }],
});

describe("pre-auth key rotation and recreation", () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let project: PulumiProject;
  const liveKeys = async () => (await api.listPreAuthKeys()).filter((k) => new Date(k.expiration!).getTime() > Date.now());

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
  });
  afterAll(async () => {
    project?.dispose();
    api?.close();
    await server?.stop();
  });

  it("a key within rotateBefore of its expiry is replaced, the new one created first", { timeout: 300_000 }, async () => {
    // Expires in 1h but rotates 2h before expiry: every apply finds it due.
    const s = keySpec({ expiration: "1h", rotateBefore: "2h" });
    expectOk(await project.run([{ op: "up", spec: s }]));
    const first = await liveKeys();
    expect(first).toHaveLength(1);
    const [preview, up] = expectOk(
      await project.run([
        { op: "preview", spec: s },
        { op: "up", spec: s },
      ]),
    );
    expect(preview!.changes).toMatchObject({ replace: 1 });
    expect(up!.changes).toMatchObject({ replace: 1 });
    const after = await liveKeys();
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(first[0]!.id);
    expect(Number(after[0]!.id)).toBeGreaterThan(Number(first[0]!.id)); // created before the old one went
  });
});
