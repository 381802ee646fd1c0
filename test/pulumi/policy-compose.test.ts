// Policy composition and the concurrency guard through the Automation API (real CLI engine, real
// dynamic-provider host) against a real Headscale: a base policy with three fragments applies; moving
// entries between sources previews no change; a conflict fails the preview naming both sources, writing
// nothing (every preview passes the write audit); removing a fragment removes only its part; an
// out-of-band `headscale policy set` between two `pulumi up`s is refused, then overwritten with the opt-in.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import * as fx from "../harness/policyFragments.js";
import { expectOk, pulumiProject, type PulumiProject } from "../harness/pulumi.js";
import { newestHeadscale } from "../harness/tools.js";

const changed = (changes: Record<string, number> | undefined) => Object.entries(changes ?? {}).filter(([k, n]) => k !== "same" && n > 0);
const specOf = (policy: string | undefined, fragments: Record<string, string>, overwrite?: boolean): ProgramSpec => ({
  policy: { resource: "policy", ...(policy === undefined ? {} : { policy }), fragments, ...(overwrite === undefined ? {} : { overwrite }) },
});

describe(`pulumi: policy fragments and the guard on Headscale ${newestHeadscale()}`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let dir: string;
  const projects: PulumiProject[] = [];
  const project = () => {
    const p = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "spec" });
    projects.push(p);
    return p;
  };
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    for (const name of ["alice", "bob", "ops"]) await api.createUser({ name });
    dir = mkdtempSync(path.join(tmpdir(), "policy-oob-"));
  });
  afterAll(async () => {
    for (const p of projects) p.dispose();
    api?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("applies three fragments; moves preview no change; a conflict fails the preview; removing a fragment removes its part", { timeout: 600_000 }, async () => {
    showLog();
    const p = project();
    // A key tagged tag:web, checked against the Policy resource: tag:web is defined in a fragment only.
    const withKey = (s: ProgramSpec): ProgramSpec => ({
      ...s,
      keys: [{ resource: "web", user: "bob", tags: ["tag:web"], checkAgainstPolicy: true }],
    });
    const spec = (policy: string | undefined, fragments: Record<string, string>) => withKey(specOf(policy, fragments));
    expectOk(await p.run([{ op: "up", spec: spec(fx.base, fx.threeFragments) }]));
    const applied = await api.getPolicy();
    expect(fx.policyValue(applied.text)).toEqual(fx.mergedValue);
    for (const kept of fx.keptComments) expect(applied.text).toContain(kept);

    // The admin rule moves into svc-web, group:web into tag-owners: no change, and nothing written.
    const moved = spec(fx.baseWithoutRule, fx.moved);
    const conflicting = spec(fx.baseWithoutRule, fx.conflicting);
    const [preview, up, conflict] = await p.run([
      { op: "preview", spec: moved },
      { op: "up", spec: moved },
      { op: "preview", spec: conflicting, expectFailure: true },
    ]);
    expectOk([preview!, up!]);
    expect(changed(preview!.changes)).toEqual([]);
    expect(changed(up!.changes)).toEqual([]);
    expect(conflict!.ok).toBe(false);
    expect(`${conflict!.error}${conflict!.output}`).toContain(fx.conflictMessage);
    const unchanged = await api.getPolicy();
    expect(unchanged.text).toBe(applied.text);
    expect(unchanged.updatedAt).toBe(applied.updatedAt);

    // Removing svc-web removes both its rules and nothing else.
    expectOk(await p.run([{ op: "up", spec: spec(fx.baseWithoutRule, fx.withoutSvcWeb) }]));
    const after = (await api.getPolicy()).text;
    expect(fx.policyValue(after)).toEqual(fx.valueWithoutSvcWeb);
    expect(after).not.toContain('fragment "svc-web"');
    expect(after).toContain("// Admins reach everything.");
    expectOk(await p.run([{ op: "destroy" }]));
  });

  it("an out-of-band edit is refused at the next up with the change shown; overwrite: true replaces it", { timeout: 600_000 }, async () => {
    showLog();
    const p = project();
    expectOk(await p.run([{ op: "up", spec: specOf(undefined, { ops: fx.guardV1 }, true) }]));
    const file = path.join(dir, "policy.hujson");
    writeFileSync(file, fx.outOfBand);
    await server.cli(["policy", "set", "-f", file]);
    // `pulumi up` does not refresh: without the guard this would silently discard the edit.
    const [refused] = await p.run([{ op: "up", spec: specOf(undefined, { ops: fx.guardV2 }), expectFailure: true }]);
    expect(refused!.ok).toBe(false);
    const said = `${refused!.error}${refused!.output}`;
    expect(said).toContain(fx.refusalMessage);
    expect(said).toContain("set overwrite: true for this apply");
    expect((await api.getPolicy()).text).toBe(fx.outOfBand);
    const [overwritten, preview] = expectOk(
      await p.run([
        { op: "up", spec: specOf(undefined, { ops: fx.guardV2 }, true) },
        { op: "preview", spec: specOf(undefined, { ops: fx.guardV2 }) },
      ]),
    );
    expect(overwritten!.changes).toMatchObject({ update: 1 });
    expect(changed(preview!.changes)).toEqual([]); // removing the opt-in afterwards is no change
    expect(fx.policyValue((await api.getPolicy()).text)).toEqual(fx.policyValue(fx.guardV2));
  });
});
