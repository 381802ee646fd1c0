// ApiKey end to end through Pulumi: the key a program creates works for a real call; rotation creates the
// new key before the old one is expired and deleted; destroy expires it (calls with it are then refused);
// the key the provider runs with is never expired. On the newest Headscale: what the declaration does on
// each version (0.28 too) is tested at the resource tier (test/resources/apiKey.test.ts).
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { apiKeyPrefixOf, HeadscaleClient } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startFaultProxy, type FaultProxy } from "../harness/faultProxy.js";
import { apiKeyWorks } from "../harness/apiKeys.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject, type PulumiProject, type StepResult } from "../harness/pulumi.js";
import { newestHeadscale } from "../harness/tools.js";

const keyOf = (r: StepResult, name = "ci") => (r.outputs!.apiKeys!.value as Record<string, string>)[name]!;

const works = apiKeyWorks;

describe.each([newestHeadscale()])("ApiKey through Pulumi on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let proxy: FaultProxy;
  let project: PulumiProject;
  let first = "";

  const spec = (rotateBefore = "1h"): ProgramSpec => ({ apiKeys: [{ resource: "ci", expiration: "2h", rotateBefore }] });

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    // Forwards everything; records the order of the calls (to see which key came first).
    proxy = await startFaultProxy(server.url);
    project = pulumiProject({ url: proxy.url, apiKey: server.apiKey, program: "spec" });
  });
  afterAll(async () => {
    project?.dispose();
    await proxy?.close();
    api?.close();
    await server?.stop();
  });
  const showLog = () => onTestFailed(() => console.error(`--- headscale ---\n${server.logTail()}`));

  it("creates a key that works for a real API call, and only its prefix is in the exported state", async () => {
    showLog();
    const [up, preview, exported] = expectOk(await project.run([{ op: "up", spec: spec() }, { op: "preview", spec: spec() }, { op: "export" }]));
    first = keyOf(up!);
    expect(exported!.exported).toContain(apiKeyPrefixOf(first));
    expect(exported!.exported).not.toContain(first);
    expect(await works(server.url, first)).toBe(true);
    expect((await api.listApiKeys()).map((k) => k.prefix)).toContain(apiKeyPrefixOf(first));
    expect(preview!.changes).toEqual({ same: 2 });
  });

  it("rotation (within rotateBefore) creates the new key first, then expires and deletes the old one", async () => {
    showLog();
    const before = proxy.seen.length;
    // 2h keys with rotateBefore 3h are always due.
    const [up, back, again] = expectOk(
      await project.run([
        { op: "up", spec: spec("3h") },
        { op: "up", spec: spec("1h") },
        { op: "preview", spec: spec("1h") },
      ]),
    );
    expect(back!.changes).toMatchObject({ update: 1 }); // rotateBefore back to 1h: no rotation due, no new key
    const second = keyOf(back!);
    expect(keyOf(up!)).toBe(second);
    expect(up!.changes).toMatchObject({ replace: 1 });
    expect(second).not.toBe(first);
    const writes = proxy.seen.slice(before).filter((c) => !c.startsWith("GET"));
    const created = writes.indexOf("POST /api/v1/apikey");
    const expired = writes.indexOf("POST /api/v1/apikey/expire");
    expect(created, writes.join("\n")).toBeGreaterThanOrEqual(0);
    expect(expired, writes.join("\n")).toBeGreaterThan(created);
    expect(writes.some((c) => c.startsWith("DELETE /api/v1/apikey/"))).toBe(true);
    expect(await works(server.url, second)).toBe(true);
    expect(await works(server.url, first)).toBe(false);
    expect((await api.listApiKeys()).map((k) => k.prefix)).not.toContain(apiKeyPrefixOf(first));
    expect(again!.changes).toEqual({ same: 2 });
    first = second;
  });

  it("destroy expires the key: a call with it is refused", async () => {
    const [destroy] = expectOk(await project.run([{ op: "destroy" }]));
    expect(destroy!.changes).toMatchObject({ delete: 2 }); // the key and the stack
    expect(await works(server.url, first)).toBe(false);
    expect((await api.listApiKeys()).map((k) => k.prefix)).not.toContain(apiKeyPrefixOf(first));
  });

  // Four Pulumi operations on a second stack.
  it("refuses to expire the key the provider itself runs with", { timeout: 240_000 }, async () => {
    showLog();
    // A program that created its key, then was configured to run with it: destroying the key would
    // lock the provider out half-way.
    const own = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
    try {
      // An anchor resource keeps the provider registered in every run, so it is configured with the
      // current key (a run with no resources would delete with the provider stored in the state).
      const anchor = { users: [{ resource: "anchor", name: "anchor" }] };
      const [up] = expectOk(await own.run([{ op: "up", spec: { ...anchor, apiKeys: [{ resource: "self", expiration: "2h" }] } }]));
      const self = keyOf(up!, "self");
      own.setServer(server.url, self);
      const [refused] = await own.run([{ op: "up", spec: anchor, expectFailure: true }]);
      expect(refused!.ok).toBe(false);
      expect(`${refused!.error}${refused!.output}`).toMatch(/the API key the provider is running with/);
      expect(`${refused!.error}${refused!.output}`).not.toContain(self);
      expect(await works(server.url, self)).toBe(true);
      own.setServer(server.url, server.apiKey);
      expectOk(await own.run([{ op: "up", spec: anchor }, { op: "destroy" }]));
      expect(await works(server.url, self)).toBe(false);
    } finally {
      own.dispose();
    }
  });
});
