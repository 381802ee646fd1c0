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
import { parsePolicyText } from "../../provider/policy/index.js";
import type { ProgramSpec } from "../programs/spec.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { expectOk, pulumiProject, type PulumiProject } from "../harness/pulumi.js";
import { newestHeadscale } from "../harness/tools.js";

const valueOf = (text: string) => {
  const parsed = parsePolicyText(text);
  if (!parsed.ok) throw new Error(`the server's policy does not parse: ${parsed.message}\n${text}`);
  return parsed.value;
};
const changed = (changes: Record<string, number> | undefined) => Object.entries(changes ?? {}).filter(([k, n]) => k !== "same" && n > 0);

const base = `{
  // Admins reach everything.
  "groups": { "group:admin": ["alice@"] },
  "acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }],
}`;
const baseWithoutRule = `{
  // Admins reach everything.
  "groups": { "group:admin": ["alice@"] },
}`;
const teamGroups = `{ "groups": { /* The web team. */ "group:web": ["bob@"] } }`;
const tagOwners = `{ "tagOwners": { "tag:web": ["group:web"] } }`;
const ownersWithGroup = `{ "groups": { "group:web": ["bob@"] }, "tagOwners": { "tag:web": ["group:web"] } }`;
const svcWeb = `{ "acls": [
  // web traffic
  { "action": "accept", "src": ["group:web"], "dst": ["tag:web:80,443"] },
] }`;
const svcWebWithAdminRule = `{ "acls": [
  { "action": "accept", "src": ["group:admin"], "dst": ["*:*"] },
  // web traffic
  { "action": "accept", "src": ["group:web"], "dst": ["tag:web:80,443"] },
] }`;
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
    const withKey = (s: ProgramSpec): ProgramSpec => ({ ...s, keys: [{ resource: "web", user: "bob", tags: ["tag:web"], checkAgainstPolicy: true }] });
    const spec = (policy: string | undefined, fragments: Record<string, string>) => withKey(specOf(policy, fragments));
    expectOk(await p.run([{ op: "up", spec: spec(base, { "team-groups": teamGroups, "tag-owners": tagOwners, "svc-web": svcWeb }) }]));
    const applied = await api.getPolicy();
    expect(valueOf(applied.text)).toEqual({
      groups: { "group:admin": ["alice@"], "group:web": ["bob@"] },
      tagOwners: { "tag:web": ["group:web"] },
      acls: [
        { action: "accept", src: ["group:admin"], dst: ["*:*"] },
        { action: "accept", src: ["group:web"], dst: ["tag:web:80,443"] },
      ],
    });
    for (const kept of ['// fragment "team-groups"', '// fragment "svc-web"', "/* The web team. */", "// web traffic"]) expect(applied.text).toContain(kept);

    // The admin rule moves into svc-web, group:web into tag-owners: no change, and nothing written.
    const moved = spec(baseWithoutRule, { "team-groups": "{}", "tag-owners": ownersWithGroup, "svc-web": svcWebWithAdminRule });
    const conflicting = spec(baseWithoutRule, { "tag-owners": ownersWithGroup, "svc-web": svcWebWithAdminRule, "svc-db": `{ "groups": { "group:web": ["alice@"] } }` });
    const [preview, up, conflict] = await p.run([{ op: "preview", spec: moved }, { op: "up", spec: moved }, { op: "preview", spec: conflicting, expectFailure: true }]);
    expectOk([preview!, up!]);
    expect(changed(preview!.changes)).toEqual([]);
    expect(changed(up!.changes)).toEqual([]);
    expect(conflict!.ok).toBe(false);
    expect(`${conflict!.error}${conflict!.output}`).toContain('group:web is defined by fragment "svc-db" and by fragment "tag-owners" differently');
    const unchanged = await api.getPolicy();
    expect(unchanged.text).toBe(applied.text);
    expect(unchanged.updatedAt).toBe(applied.updatedAt);

    // Removing svc-web removes both its rules and nothing else.
    expectOk(await p.run([{ op: "up", spec: spec(baseWithoutRule, { "tag-owners": ownersWithGroup }) }]));
    const after = (await api.getPolicy()).text;
    expect(valueOf(after)).toEqual({ groups: { "group:admin": ["alice@"], "group:web": ["bob@"] }, tagOwners: { "tag:web": ["group:web"] } });
    expect(after).not.toContain('fragment "svc-web"');
    expect(after).toContain("// Admins reach everything.");
    expectOk(await p.run([{ op: "destroy" }]));
  });

  it("an out-of-band edit is refused at the next up with the change shown; overwrite: true replaces it", { timeout: 600_000 }, async () => {
    showLog();
    const p = project();
    const v1 = `{ "groups": { "group:ops": ["ops@"] }, "tagOwners": { "tag:ci": ["group:ops"] } }`;
    const v2 = `{ "groups": { "group:ops": ["ops@"] }, "tagOwners": { "tag:ci": ["group:ops"], "tag:web": ["group:ops"] } }`;
    const outOfBand = `{\n  // edited by hand\n  "groups": { "group:ops": ["ops@"], "group:oncall": ["ops@"] },\n  "tagOwners": { "tag:ci": ["group:ops"] },\n}\n`;
    expectOk(await p.run([{ op: "up", spec: specOf(undefined, { ops: v1 }, true) }]));
    const file = path.join(dir, "policy.hujson");
    writeFileSync(file, outOfBand);
    await server.cli(["policy", "set", "-f", file]);
    // `pulumi up` does not refresh: without the guard this would silently discard the edit.
    const [refused] = await p.run([{ op: "up", spec: specOf(undefined, { ops: v2 }), expectFailure: true }]);
    expect(refused!.ok).toBe(false);
    const said = `${refused!.error}${refused!.output}`;
    expect(said).toContain("the server's policy was changed outside this program since this resource last wrote it (groups: group:oncall added)");
    expect(said).toContain("set overwrite: true for this apply");
    expect((await api.getPolicy()).text).toBe(outOfBand);
    const [overwritten, preview] = expectOk(await p.run([{ op: "up", spec: specOf(undefined, { ops: v2 }, true) }, { op: "preview", spec: specOf(undefined, { ops: v2 }) }]));
    expect(overwritten!.changes).toMatchObject({ update: 1 });
    expect(changed(preview!.changes)).toEqual([]); // removing the opt-in afterwards is no change
    expect(valueOf((await api.getPolicy()).text)).toEqual(valueOf(v2));
  });
});
