// Policy composition and the concurrency guard with the real terraform CLI against real Headscale servers:
// a base policy with three fragments applies; moving entries between sources plans no change; removing a
// fragment removes only its part; a conflict fails the plan naming both sources (every plan also passes the
// write audit); an out-of-band `headscale policy set` between two applies is refused, then overwritten
// with the opt-in. The guard itself is tested on every pinned Headscale version at the resource tier
// (test/resources/policy.test.ts); here once, through the real CLI with its refresh before the plan.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import * as fx from "../harness/policyFragments.js";
import { newestHeadscale, root } from "../harness/tools.js";
import { errorDiagnostics, HeadscaleWorkspace } from "./headscaleWorkspace.js";

const header = `terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}
`;
/** A headscale_policy block; each text goes in a heredoc, as a module's output would arrive. */
function policyBlock(opts: { policy?: string; fragments?: Record<string, string>; overwrite?: boolean }): string {
  const heredoc = (t: string) => `<<-EOT\n${t}\nEOT`;
  const lines = ['resource "headscale_policy" "p" {'];
  if (opts.policy !== undefined) lines.push(`  policy = ${heredoc(opts.policy)}`);
  if (opts.fragments) {
    lines.push("  fragments = {");
    for (const [name, text] of Object.entries(opts.fragments)) lines.push(`    "${name}" = ${heredoc(text)}`);
    lines.push("  }");
  }
  if (opts.overwrite !== undefined) lines.push(`  overwrite = ${opts.overwrite}`);
  lines.push("}");
  return lines.join("\n");
}

describe(`terraform: policy fragments on Headscale ${newestHeadscale()}`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));
  const write = (block: string) => ws.write("main.tf", `${header}\n${block}\n`);

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    for (const name of ["alice", "bob"]) await api.createUser({ name });
    ws = new HeadscaleWorkspace("terraform", server);
    write(policyBlock({ policy: fx.base, fragments: fx.threeFragments }));
    await ws.expect([0], ["init"]);
  });
  afterAll(async () => {
    ws?.cleanup();
    api?.close();
    await server?.stop();
  });

  it("applies a base policy with three fragments as one text, each fragment under its header", { timeout: 300_000 }, async () => {
    showLog();
    await ws.expect([0], ["apply", "-auto-approve"]);
    const live = (await api.getPolicy()).text;
    expect(fx.policyValue(live)).toEqual(fx.mergedValue);
    for (const kept of fx.keptComments) expect(live).toContain(kept);
    expect((await ws.planIsEmpty()).empty).toBe(true);
  });

  it("moving a rule and a group to other sources plans no change", { timeout: 300_000 }, async () => {
    showLog();
    // The admin rule moves from the policy into svc-web, group:web from team-groups into tag-owners.
    write(policyBlock({ policy: fx.baseWithoutRule, fragments: fx.moved }));
    const plan = await ws.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);
    await ws.expect([0], ["apply", "-auto-approve"]);
  });

  it("a conflict fails the plan naming both sources; nothing is written", { timeout: 300_000 }, async () => {
    showLog();
    const before = await api.getPolicy();
    write(policyBlock({ policy: fx.baseWithoutRule, fragments: fx.conflicting }));
    const conflict = await ws.run(["plan"]);
    expect(conflict.code).toBe(1);
    const [diag] = errorDiagnostics(conflict.output);
    expect(diag?.text.replace(/[│\s]+/g, " ")).toContain(fx.conflictMessage);
    // A rule referencing a group nobody defines names the fragment it is in, with the path and line there
    // (it is acls[2] of the merged policy, after svc-web's two rules).
    write(
      policyBlock({
        policy: fx.baseWithoutRule,
        fragments: { ...fx.moved, "web-db": `{ "acls": [{ "action": "accept", "src": ["group:dba"], "dst": ["tag:web:5432"] }] }` },
      }),
    );
    const undefinedGroup = await ws.run(["plan"]);
    expect(undefinedGroup.code).toBe(1);
    expect(undefinedGroup.output.replace(/[│\s]+/g, " ")).toMatch(
      /in fragment "web-db": line 1, column 42: acls\[0\]\.src\[0\]: group "group:dba" is not defined/,
    );
    const after = await api.getPolicy();
    expect(after.text).toBe(before.text);
    expect(after.updatedAt).toBe(before.updatedAt);
  });

  it("removing a fragment removes exactly its part", { timeout: 300_000 }, async () => {
    showLog();
    write(policyBlock({ policy: fx.baseWithoutRule, fragments: fx.withoutSvcWeb }));
    await ws.expect([0], ["apply", "-auto-approve"]);
    const live = (await api.getPolicy()).text;
    expect(fx.policyValue(live)).toEqual(fx.valueWithoutSvcWeb);
    expect(live).not.toContain('fragment "svc-web"');
    expect(live).toContain("// Admins reach everything.");
    expect((await ws.planIsEmpty()).empty).toBe(true);
  });
});

describe(`terraform: examples/terraform-policy on Headscale ${newestHeadscale()}`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    for (const name of ["alice", "bob"]) await api.createUser({ name });
    ws = new HeadscaleWorkspace("terraform", server);
  });
  afterAll(async () => {
    ws?.cleanup();
    api?.close();
    await server?.stop();
  });

  it("applies as written (a module's fragment included), plans empty, outputs the merged text", { timeout: 300_000 }, async () => {
    onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));
    cpSync(path.join(root, "examples", "terraform-policy"), ws.dir, { recursive: true });
    await ws.expect([0], ["init"]);
    await ws.expect([0], ["apply", "-auto-approve"]);
    const live = (await api.getPolicy()).text;
    expect(fx.policyValue(live)).toEqual({
      groups: { "group:admin": ["alice@"], "group:web": ["bob@"] },
      tagOwners: { "tag:web": ["group:admin"] },
      acls: [
        { action: "accept", src: ["group:admin"], dst: ["*:*"] },
        { action: "accept", src: ["group:web"], dst: ["tag:web:80,443"] },
      ],
    });
    // Exactly the text README.md shows.
    expect(live).toBe(`{
  "groups": {
    // policy
    // Admins reach everything.
    "group:admin": ["alice@"],
    // fragment "team-groups"
    "group:web": ["bob@"],
  },
  "tagOwners": {
    // fragment "tag-owners"
    "tag:web": ["group:admin"],
  },
  "acls": [
    // policy
    { "action": "accept", "src": ["group:admin"], "dst": ["*:*"] },
    // fragment "svc-web"
    // group:web reaches tag:web on 80,443
    { "action": "accept", "src": ["group:web"], "dst": ["tag:web:80,443"] },
  ],
}
`);
    expect((await ws.outputs()).policy?.value).toBe(live);
    expect((await ws.planIsEmpty()).empty).toBe(true);
  });
});

// The guard through the real CLI (on every pinned version: test/resources/policy.test.ts).
describe(`terraform: an out-of-band policy edit on Headscale ${newestHeadscale()}`, () => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let ws: HeadscaleWorkspace;
  let dir: string;
  const showLog = () => onTestFailed(() => console.error(`--- headscale log ---\n${server.logTail()}`));
  const write = (block: string) => ws.write("main.tf", `${header}\n${block}\n`);

  beforeAll(async () => {
    server = await startHeadscale();
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "ops" });
    ws = new HeadscaleWorkspace("terraform", server);
    dir = mkdtempSync(path.join(tmpdir(), "policy-oob-"));
    write(policyBlock({ fragments: { ops: fx.guardV1 } }));
    await ws.expect([0], ["init"]);
  });
  afterAll(async () => {
    ws?.cleanup();
    api?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is refused at the next apply with the change shown, and overwritten with overwrite = true", { timeout: 400_000 }, async () => {
    showLog();
    await ws.expect([0], ["apply", "-auto-approve"]);
    const file = path.join(dir, "policy.hujson");
    writeFileSync(file, fx.outOfBand);
    await server.cli(["policy", "set", "-f", file]);
    // Terraform refreshes before planning (the server's text enters the state), and still the apply
    // refuses: the guard compares with what the resource last wrote.
    write(policyBlock({ fragments: { ops: fx.guardV2 } }));
    const refused = await ws.run(["apply", "-auto-approve"]);
    expect(refused.code, refused.output).toBe(1);
    const said = refused.output.replace(/[│\s]+/g, " ");
    expect(said).toContain(fx.refusalMessage);
    expect(said).toMatch(/set overwrite: true for this apply/);
    expect((await api.getPolicy()).text).toBe(fx.outOfBand);
    // With the opt-in it is overwritten.
    write(policyBlock({ fragments: { ops: fx.guardV2 }, overwrite: true }));
    await ws.expect([0], ["apply", "-auto-approve"]);
    expect(fx.policyValue((await api.getPolicy()).text)).toEqual(fx.policyValue(fx.guardV2));
    expect((await ws.planIsEmpty()).empty).toBe(true);
  });
});
