// The Policy declaration against real Headscale servers, one behaviour per test: the text is written as
// given, compared by meaning (formatting, comments, key order and which fragment holds an entry are no
// change), never written over a policy this resource did not write (the first create and the guard
// against out-of-band edits: on every pinned version), and bad policies are reported on their field with
// line and column before anything is written.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { policiesEqual } from "../../provider/policy/index.js";
import { Policy, render } from "../../provider/resources/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import * as fx from "../harness/policyFragments.js";
import { headscaleVersions, resourceVersions } from "../harness/tools.js";
import { apply, checked, create, failure, newRun, noChange, plan, refresh, writesOf } from "./tier.js";

const v1 = `{
  // written by the resource tier
  "groups": { "group:admin": ["alice@"] },
  "tagOwners": { "tag:server": ["group:admin"] },
  "acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }],
}`;
// Same meaning, other formatting, comments and key order.
const v1Reformatted = `{"acls":[{"dst":["*:*"],"src":["group:admin"],"action":"accept"}], /* other */
"tagOwners":{"tag:server":["group:admin"]},"groups":{"group:admin":["alice@"]}}`;
const v2 = v1.replace(`"acls": [`, `"acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["tag:server:22"] }, `);

describe.each(headscaleVersions())("Policy on Headscale %s", (version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  const showLog = () => onTestFailed(() => console.error(`--- headscale ${version} log ---\n${server.logTail()}`));
  const run = () => newRun(server);
  const liveText = async () => (await api.getPolicy()).text;
  // Every behaviour on the newest 0.29 and 0.28; on the other pinned versions (the older ones, and main)
  // the two refusals to write over a policy this resource did not write: the guard the Terraform suite
  // used to run through the CLI on each version.
  const everyBehaviour = resourceVersions().includes(version);

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    for (const name of ["alice", "bob", "ops"]) await api.createUser({ name });
  });
  afterAll(async () => {
    api?.close();
    await server?.stop();
  });
  // Each test starts from a server without a policy: the policy is one object per server.
  const fresh = async () => {
    showLog();
    await api.setPolicy("");
  };

  if (everyBehaviour)
    it("create writes the text as given, comments kept, in one write with no read after it", async () => {
      await fresh();
      const r = run();
      await create(Policy, r, { policy: v1 });
      expect(writesOf(r.calls)).toEqual(["PUT /api/v1/policy"]);
      expect(r.calls.at(-1)).toBe("PUT /api/v1/policy");
      expect(await liveText()).toBe(v1);
    });

  if (everyBehaviour)
    it("a reformatted policy plans no change, and a refresh keeps the text as written", async () => {
      await fresh();
      const m = await create(Policy, run(), { policy: v1 });
      expect(noChange(await plan(Policy, run(), m, { policy: v1Reformatted }))).toBe(true);
      expect((await refresh(Policy, server, m))?.state.policy).toBe(v1);
    });

  if (everyBehaviour)
    it("a changed policy is an update in place, explained section by section", async () => {
      await fresh();
      const m = await create(Policy, run(), { policy: v1 });
      const r = run();
      const { diff } = await apply(Policy, r, m, { policy: v2 });
      expect(diff.replaces).toEqual([]);
      expect(diff.updates).toContain("policy");
      expect(render(diff.reasons!.policy!)).toMatch(/acls: 1 rule added/);
      expect(writesOf(r.calls)).toEqual(["PUT /api/v1/policy"]);
      expect(await liveText()).toBe(v2);
    });

  it("a create over a policy this program did not write is refused, pointing at overwrite; overwrite: true replaces it", async () => {
    await fresh();
    await api.setPolicy(fx.guardV1);
    const r = run();
    expect(await failure(create(Policy, r, { policy: v1 }))).toMatch(/already has a policy that this program did not write.*overwrite: true/);
    expect(writesOf(r.calls)).toEqual([]);
    expect(await liveText()).toBe(fx.guardV1);
    await create(Policy, run(), { policy: v1, overwrite: true });
    expect(await liveText()).toBe(v1);
  });

  if (everyBehaviour)
    it("a create of the very text the server holds adopts it without a write", async () => {
      await fresh();
      await api.setPolicy(v1);
      const r = run();
      await create(Policy, r, { policy: v1 });
      expect(writesOf(r.calls)).toEqual([]);
    });

  it("an out-of-band edit is refused at the next update, naming what changed; overwrite: true writes over it", async () => {
    await fresh();
    const m = await create(Policy, run(), { fragments: { ops: fx.guardV1 } });
    // The edit an operator makes by hand: `headscale policy set` on the server.
    const file = path.join(mkdtempSync(path.join(tmpdir(), "policy-oob-")), "policy.hujson");
    writeFileSync(file, fx.outOfBand);
    await server.cli(["policy", "set", "-f", file]);
    rmSync(path.dirname(file), { recursive: true, force: true });
    // A refresh first, as Terraform does: the server's text enters the state, and the guard still refuses.
    const refreshed = await refresh(Policy, server, m);
    expect(refreshed?.state.policy).toBe(fx.outOfBand);
    const r = run();
    const message = await failure(apply(Policy, r, refreshed!, { fragments: { ops: fx.guardV2 } }));
    expect(message).toContain(fx.refusalMessage);
    expect(message).toMatch(/set overwrite: true for this apply/);
    expect(writesOf(r.calls)).toEqual([]);
    expect(await liveText()).toBe(fx.outOfBand);
    await apply(Policy, run(), refreshed!, { fragments: { ops: fx.guardV2 }, overwrite: true });
    expect(fx.policyValue(await liveText())).toEqual(fx.policyValue(fx.guardV2));
  });

  if (everyBehaviour)
    it("changing only resetOnDestroy is an update that neither reads nor writes the policy", async () => {
      await fresh();
      const m = await create(Policy, run(), { policy: v1 });
      const r = run();
      const { diff, managed } = await apply(Policy, r, m, { policy: v1, resetOnDestroy: true });
      expect(diff).toMatchObject({ updates: ["resetOnDestroy"], replaces: [] });
      // (The run still asks the server's version once, as every run does.)
      expect(r.calls.filter((c) => c.includes("/policy"))).toEqual([]);
      expect(writesOf(r.calls)).toEqual([]);
      expect(managed.state.resetOnDestroy).toBe(true);
    });

  if (everyBehaviour)
    it("delete leaves the policy unless resetOnDestroy is set; a refresh of a cleared policy reports it gone", async () => {
      await fresh();
      const m = await create(Policy, run(), { policy: v1 });
      const logged: string[] = [];
      const r = run();
      r.ctx.log = (message) => logged.push(render(message));
      await Policy.delete(r.ctx, m.id, m.state);
      expect(writesOf(r.calls)).toEqual([]);
      expect(logged).toEqual(["the policy stays on the server (set resetOnDestroy to clear it on destroy)"]);
      expect(await liveText()).toBe(v1);
      await Policy.delete(run().ctx, m.id, { ...m.state, resetOnDestroy: true });
      expect((await liveText()).trim()).toBe("");
      expect(await refresh(Policy, server, m)).toBeNull();
    });

  if (everyBehaviour)
    it("fragments merge into one text with each fragment under its header; moving entries between sources is no change", async () => {
      await fresh();
      const m = await create(Policy, run(), { policy: fx.base, fragments: fx.threeFragments });
      const live = await liveText();
      expect(fx.policyValue(live)).toEqual(fx.mergedValue);
      for (const kept of fx.keptComments) expect(live).toContain(kept);
      expect(noChange(await plan(Policy, run(), m, { policy: fx.baseWithoutRule, fragments: fx.moved }))).toBe(true);
    });

  if (everyBehaviour)
    it("check reports a conflict between fragments and an undefined reference on the fragments field, naming the source", async () => {
      await fresh();
      const r = run();
      const conflict = await checked(Policy, r, { policy: fx.baseWithoutRule, fragments: fx.conflicting });
      expect(conflict).toEqual([expect.objectContaining({ field: "fragments", message: expect.stringContaining(fx.conflictMessage) })]);
      const undefinedGroup = await checked(Policy, r, {
        policy: fx.baseWithoutRule,
        fragments: { ...fx.moved, "web-db": `{ "acls": [{ "action": "accept", "src": ["group:dba"], "dst": ["tag:web:5432"] }] }` },
      });
      expect(undefinedGroup.filter((p) => p.severity !== "warning")).toEqual([
        expect.objectContaining({
          field: "fragments",
          message: expect.stringMatching(/in fragment "web-db": line 1, column 42: acls\[0\]\.src\[0\]: group "group:dba" is not defined/),
        }),
      ]);
      expect(writesOf(r.calls)).toEqual([]);
    });

  if (everyBehaviour)
    it("check reports bad policies on the policy field with line and column, writing nothing", async () => {
      await fresh();
      const r = run();
      const errors = async (policy: string) => (await checked(Policy, r, { policy })).filter((p) => p.severity !== "warning");
      expect(await errors(`{ "acls": [ { "action": "accept" ]`)).toEqual([
        expect.objectContaining({ field: "policy", message: expect.stringMatching(/^line 1, column \d+/) }),
      ]);
      expect(await errors(`{"groups":{"admins":["ops@"]}}`)).toEqual([
        expect.objectContaining({ field: "policy", message: expect.stringMatching(/^line 1, column 12: groups\.admins: .*rename it to "group:admins"/) }),
      ]);
      expect(await errors(`{"acls":"x"}`)).toEqual([
        expect.objectContaining({ field: "policy", message: expect.stringContaining("must be a list of entries") }),
      ]);
      const reject = `{"ssh":[{"action":"reject","src":["ops@"],"dst":["ops@"],"users":["root"]}]}`;
      expect(await errors(reject)).toEqual([expect.objectContaining({ field: "policy", message: expect.stringContaining('"reject" is not an SSH action') })]);
      // An unknown section: an error where the server rejects it, at least a warning where it would ignore it
      // (0.29+ also run the server's own check, which names it too).
      const unknownSection = await checked(Policy, r, { policy: `{"aclz":[]}` });
      expect(unknownSection.length).toBeGreaterThan(0);
      expect(unknownSection.filter((p) => p.field !== "policy" || !p.message.includes("aclz"))).toEqual([]);
      expect(writesOf(r.calls)).toEqual([]);
      expect((await liveText()).trim()).toBe("");
    });

  if (everyBehaviour)
    it("import adopts the live policy with state that plans no change for the same meaning", async () => {
      await fresh();
      await api.setPolicy(v1);
      const imported = await Policy.import!(run().ctx, "policy");
      expect(policiesEqual(String(imported.state.policy), v1)).toBe(true);
      expect(noChange(await plan(Policy, run(), imported, { policy: v1Reformatted }))).toBe(true);
      expect(await failure(Policy.import!(run().ctx, "other"))).toMatch(/the policy's import id is "policy"/);
    });
});
