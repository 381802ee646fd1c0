// Operators upgrade Headscale one minor at a time. A stack written against 0.26 must stay converged
// across every upgrade on the same database: no phantom changes, nothing re-created, still manageable.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject } from "../harness/pulumi.js";
import { headscaleMinor, mainLane, pinnedVersions } from "../harness/tools.js";

const policy = `{
  "groups": { "group:admin": ["alice@"] },
  "tagOwners": { "tag:server": ["group:admin"] },
  "acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }],
}`;
const spec = (bob = "bob"): ProgramSpec => ({
  users: [
    { resource: "alice", name: "alice", displayName: "Alice" },
    { resource: "bob", name: bob },
  ],
  policy: { resource: "policy", policy },
  keys: [{ resource: "key", userResource: "alice", tags: ["tag:server"], reusable: true, expiration: "30d" }],
});

describe("a stack survives Headscale upgrades, one minor at a time", () => {
  // Every release, then Headscale's main branch (the next release) on the same database.
  const versions = [...pinnedVersions("headscale"), ...mainLane()];
  const dir = mkdtempSync(path.join(tmpdir(), "headscale-upgrade-"));
  let server: HeadscaleServer | undefined;
  const project = pulumiProject({ url: "http://127.0.0.1:1", apiKey: "unset", program: "spec" });
  afterAll(async () => {
    await server?.stop();
    project.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`creates the stack on ${versions[0]}`, async () => {
    server = await startHeadscale({ version: versions[0], dir });
    project.setServer(server.url, server.apiKey);
    const [up] = expectOk(await project.run([{ op: "up", spec: spec() }]));
    expect(up!.changes).toMatchObject({ create: 5 });
  });

  for (const version of versions.slice(1)) {
    it(`upgrades to ${version}: refresh and preview show nothing to do`, async () => {
      await server!.stop();
      server = await startHeadscale({ version, dir });
      project.setServer(server.url, server.apiKey);
      const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
      const info = await api.server();
      if (headscaleMinor(version) < 30) expect(info.minor).toBe(headscaleMinor(version));
      expect(info.api).toBe(headscaleMinor(version) >= 30 ? "huma" : "grpc-gateway");
      // The server's URL changed with the restart: a plain `pulumi refresh` would use the provider config
      // stored in the state (Pulumi's rule for every provider), so refresh runs the program.
      const [refresh, preview] = expectOk(
        await project.run([
          { op: "refresh", spec: spec(), runProgram: true },
          { op: "preview", spec: spec() },
        ]),
      );
      expect(refresh!.changes, refresh!.output).toEqual({ same: 5 });
      expect(preview!.changes, preview!.output).toEqual({ same: 5 });
      expect((await api.listUsers()).map((u) => u.name).sort()).toEqual(["alice", "bob"]);
      api.close();
    });
  }

  it(`is still managed on ${versions.at(-1)}: a change applies, destroy cleans up`, async () => {
    const [up, destroy] = expectOk(
      await project.run([
        { op: "up", spec: spec("robert") },
        { op: "destroy", spec: spec("robert") },
      ]),
    );
    expect(up!.changes).toMatchObject({ update: 1 });
    expect(destroy!.changes).toMatchObject({ delete: 5 });
    const api = new HeadscaleClient({ url: server!.url, apiKey: server!.apiKey });
    expect(await api.listUsers()).toEqual([]);
    api.close();
  });
});
