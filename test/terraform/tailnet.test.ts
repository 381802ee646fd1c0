// headscale_node_routes, headscale_api_key and headscale_node through the REAL terraform CLI with the
// REAL provider, against a real Headscale with a real tailscaled that advertises two subnets and an exit
// node: approval and served routes, empty plans whatever the spelling, repair of an out-of-band
// `headscale nodes approve-routes`, API key rotation new-first (create_before_destroy), rename and key
// expiry, secrets kept out of output and logs, plan-time errors with zero writes, and a destroy that
// removes only what was approved and expires the key.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { apiKeyPrefixOf, HeadscaleClient, type Node } from "../../provider/client/index.js";
import { startFaultProxy, type FaultProxy } from "../harness/faultProxy.js";
import { apiKeyWorks } from "../harness/apiKeys.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { joinNode, type TailscaleNode } from "../harness/node.js";
import { waitFor } from "../harness/processes.js";
import { takeSnapshot, snapshotDifferences } from "../harness/snapshot.js";
import { resourceVersions, root } from "../harness/tools.js";
import { errorDiagnostics, HeadscaleWorkspace } from "./headscaleWorkspace.js";

const EXIT = ["0.0.0.0/0", "::/0"];
const SUBNETS = ["10.0.0.0/24", "10.1.0.0/24"];
const sorted = (xs: readonly string[]) => [...xs].sort();

const header = `terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}
`;

function config(o: { routes?: string; exitNode?: string; rotateBefore?: string; keyExpiry: string }): string {
  return `${header}
resource "headscale_node_routes" "router" {
  node_name = "router"
  routes    = ${o.routes ?? '["10.0.0.0/24", "10.1.0.0/24"]'}
  ${o.exitNode ?? "exit_node = true"}
}

resource "headscale_node" "router" {
  node_name  = "router"
  given_name = "edge-router"
  key_expiry = "${o.keyExpiry}"
}

resource "headscale_api_key" "ci" {
  expiration    = "2h"
  rotate_before = "${o.rotateBefore ?? "1h"}"
  lifecycle {
    create_before_destroy = true # the new key exists before the old one is expired
  }
}

output "served_routes" { value = headscale_node_routes.router.served_routes }
output "ci_key" {
  value     = headscale_api_key.ci.key
  sensitive = true
}
output "ci_key_prefix" { value = headscale_api_key.ci.prefix }
`;
}

const works = apiKeyWorks;

// terraform on the newest Headscale and on 0.28. Not replayed with tofu: OpenTofu speaks the same provider
// protocol (its smoke test is the example, headscale.test.ts), and what the declarations do on each version
// is tested at the resource tier (test/resources/nodeRoutes.test.ts, apiKey.test.ts).
const combos = resourceVersions().map((v): [string, string] => ["terraform", v]);

describe.each(combos)("%s: node routes, API keys and nodes on Headscale %s", (cli, version) => {
  let server: HeadscaleServer;
  let api: HeadscaleClient;
  let proxy: FaultProxy;
  let ws: HeadscaleWorkspace;
  let router: TailscaleNode | undefined;
  let node: Node;
  let ciKey = "";
  const keyExpiry = Number(version.split(".")[1]) >= 29 ? "never" : "2031-01-01T00:00:00Z";
  const base = { keyExpiry };
  const approvedNow = async () => sorted((await api.getNode(node.id)).approvedRoutes);
  const showLogs = () => onTestFailed(() => console.error(`--- headscale ---\n${server.logTail()}\n--- tailscaled ---\n${router?.logTail() ?? ""}`));

  beforeAll(async () => {
    server = await startHeadscale({ version });
    api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    const ops = await api.createUser({ name: "ops" });
    const key = await api.createPreAuthKey({
      userId: ops.id,
      reusable: false,
      ephemeral: false,
      expiration: new Date(Date.now() + 3600_000),
      aclTags: [],
    });
    router = await joinNode({
      serverUrl: server.url,
      authKey: key.key,
      hostname: "router",
      advertiseRoutes: SUBNETS,
      advertiseExitNode: true,
    });
    node = await waitFor(
      "router to advertise its routes",
      async () => (await api.listNodes()).find((n) => n.name === "router" && n.availableRoutes.length === 4),
      60_000,
    );
    proxy = await startFaultProxy(server.url);
    ws = new HeadscaleWorkspace(cli, { url: proxy.url, apiKey: server.apiKey });
    ws.write("main.tf", config(base));
    await ws.expect([0], ["init"]);
  });
  afterAll(async () => {
    await router?.stop({ logout: true });
    ws?.cleanup();
    await proxy?.close();
    api?.close();
    await server?.stop();
  });

  it("apply approves the subnets and the exit node, renames the node, and creates a working API key", async () => {
    showLogs();
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toContain("Resources: 3 added, 0 changed, 0 destroyed");
    expect(out).toMatch(/\+ key\s+= \(sensitive value\)/);
    expect(await approvedNow()).toEqual(sorted([...SUBNETS, ...EXIT]));
    const outputs = await ws.outputs();
    expect(sorted(outputs.served_routes!.value as string[])).toEqual(sorted([...SUBNETS, ...EXIT]));
    const n = await api.getNode(node.id);
    expect(n.givenName).toBe("edge-router");
    if (keyExpiry === "never") expect(n.expiry === undefined || n.expiry.startsWith("0001-01-01"), `expiry ${n.expiry}`).toBe(true);
    else expect(new Date(n.expiry!).getTime()).toBe(new Date(keyExpiry).getTime());
    ciKey = outputs.ci_key!.value as string;
    expect(outputs.ci_key!.sensitive).toBe(true);
    expect(apiKeyPrefixOf(ciKey)).toBe(outputs.ci_key_prefix!.value);
    expect(await works(server.url, ciKey)).toBe(true);
    expect(out).not.toContain(ciKey);
  });

  it("plans no changes: as applied, routes reordered, or the exit pair also written in routes", async () => {
    for (const variant of [
      base,
      { ...base, routes: '["10.1.0.0/24", "10.0.0.0/24", "10.1.0.0/24"]' },
      { ...base, routes: '["10.0.0.0/24", "::/0", "10.1.0.0/24", "0.0.0.0/0"]' },
    ]) {
      ws.write("main.tf", config(variant));
      const plan = await ws.planIsEmpty();
      expect(plan.empty, plan.output).toBe(true);
    }
    // A route the node does not advertise: a warning at plan (approved, but not served).
    ws.write("main.tf", config({ ...base, routes: '["10.0.0.0/24", "10.1.0.0/24", "10.9.0.0/16"]' }));
    const unadvertised = await ws.planIsEmpty();
    expect(unadvertised.empty).toBe(false);
    expect(unadvertised.output).toMatch(/Warning: node edge-router \(\d+\) does not advertise 10\.9\.0\.0\/16/);
    ws.write("main.tf", config(base));
  });

  it("repairs an out-of-band `headscale nodes approve-routes`", async () => {
    showLogs();
    await server.cli(["nodes", "approve-routes", "--identifier", node.id, "--routes", "10.0.0.0/24,192.168.7.0/24"]);
    const plan = await ws.planIsEmpty();
    expect(plan.empty).toBe(false);
    expect(plan.output).toMatch(/headscale_node_routes\.router will be updated in-place/);
    const out = await ws.expect([0], ["apply", "-auto-approve"]);
    expect(out).toContain("0 added, 1 changed, 0 destroyed");
    expect(await approvedNow()).toEqual(sorted([...SUBNETS, ...EXIT]));
    const again = await ws.planIsEmpty();
    expect(again.empty, again.output).toBe(true);
  });

  it("rotation (within rotate_before) creates the new API key first, then expires and deletes the old one", async () => {
    showLogs();
    ws.write("main.tf", config({ ...base, rotateBefore: "3h" }));
    const logPath = path.join(ws.base, "tf-rotate.log");
    const before = proxy.seen.length;
    const out = await ws.expect([0], ["apply", "-auto-approve"], { TF_LOG: "debug", TF_LOG_PATH: logPath });
    expect(out).toMatch(/headscale_api_key\.ci must be replaced/);
    expect(out).toContain("1 added, 0 changed, 1 destroyed");
    const writes = proxy.seen.slice(before).filter((c) => !c.startsWith("GET"));
    expect(writes.indexOf("POST /api/v1/apikey"), writes.join("\n")).toBeGreaterThanOrEqual(0);
    expect(writes.indexOf("POST /api/v1/apikey/expire"), writes.join("\n")).toBeGreaterThan(writes.indexOf("POST /api/v1/apikey"));
    const next = (await ws.outputs()).ci_key!.value as string;
    expect(next).not.toBe(ciKey);
    expect(await works(server.url, next)).toBe(true);
    expect(await works(server.url, ciKey)).toBe(false);
    // Neither key in what Terraform printed or logged at debug level (only `terraform output` shows it).
    const log = readFileSync(logPath, "utf8");
    for (const text of [log, out]) {
      expect(text).not.toContain(ciKey);
      expect(text).not.toContain(next);
      expect(text).not.toContain(server.apiKey);
    }
    ciKey = next;
    ws.write("main.tf", config(base)); // rotate_before back to 1h: an update, no new key
    expect(await ws.expect([0], ["apply", "-auto-approve"])).toContain("0 added, 1 changed, 0 destroyed");
    expect((await ws.outputs()).ci_key!.value).toBe(next);
    const plan = await ws.planIsEmpty();
    expect(plan.empty, plan.output).toBe(true);
  });

  it("bad input fails at plan on the attribute, with nothing written", async () => {
    const bad = new HeadscaleWorkspace(cli, { url: proxy.url, apiKey: server.apiKey });
    try {
      bad.write(
        "main.tf",
        `${header}
resource "headscale_node_routes" "malformed" {
  node_name = "router"
  routes    = ["10.0.0/24"]
}
resource "headscale_node_routes" "host_bits" {
  node_name = "router"
  routes    = ["10.0.0.1/24"]
}
resource "headscale_node_routes" "ghost" {
  node_name = "ghost"
  routes    = ["10.0.0.0/24"]
}
resource "headscale_api_key" "past" {
  expiration = "2020-01-01T00:00:00Z"
}
resource "headscale_node" "bad_name" {
  node_name  = "router"
  given_name = "Edge_Router"
}
`,
      );
      await bad.expect([0], ["init"]);
      const before = await takeSnapshot(api);
      const keysBefore = (await api.listApiKeys()).map((k) => k.prefix);
      const approvedBefore = await approvedNow();
      const seen = proxy.seen.length;
      const r = await bad.run(["plan"]);
      expect(r.code, r.output).toBe(1);
      const errors = errorDiagnostics(r.output);
      const at = (address: string) => errors.filter((e) => e.address === address);
      expect(at("headscale_node_routes.malformed"), r.output).toEqual([
        expect.objectContaining({ line: 'routes    = ["10.0.0/24"]', summary: expect.stringContaining("is not a CIDR") }),
      ]);
      expect(at("headscale_node_routes.host_bits"), r.output).toEqual([
        expect.objectContaining({ summary: expect.stringContaining('host bits set: the route of that network is "10.0.0.0/24"') }),
      ]);
      expect(at("headscale_node_routes.ghost"), r.output).toEqual([
        expect.objectContaining({ line: 'node_name = "ghost"', summary: expect.stringMatching(/no node is named "ghost".*set wait_for/) }),
      ]);
      expect(at("headscale_api_key.past"), r.output).toEqual([
        expect.objectContaining({ line: 'expiration = "2020-01-01T00:00:00Z"', summary: expect.stringContaining("is in the past") }),
      ]);
      expect(at("headscale_node.bad_name"), r.output).toEqual([
        expect.objectContaining({ line: 'given_name = "Edge_Router"', summary: expect.stringContaining("not a DNS label") }),
      ]);
      expect(proxy.seen.slice(seen).filter((s) => !s.startsWith("GET "))).toEqual([]);
      expect(snapshotDifferences(await takeSnapshot(api), before, { expiryToleranceMs: 0 })).toEqual([]);
      expect((await api.listApiKeys()).map((k) => k.prefix)).toEqual(keysBefore);
      expect(await approvedNow()).toEqual(approvedBefore);
    } finally {
      bad.cleanup();
    }
  });

  it("data sources: pre-auth keys without secrets, API keys, nodes with their routes", async () => {
    const lookups = new HeadscaleWorkspace(cli, server);
    try {
      lookups.write(
        "main.tf",
        `${header}
data "headscale_pre_auth_keys" "ops" {
  user = "ops"
}
data "headscale_api_keys" "all" {}
data "headscale_nodes" "router" {
  name = "router"
}
output "ops_keys" { value = data.headscale_pre_auth_keys.ops.keys }
output "api_key_prefixes" { value = [for k in data.headscale_api_keys.all.keys : k.prefix] }
output "router" { value = data.headscale_nodes.router.nodes[0] }
`,
      );
      await lookups.expect([0], ["init"]);
      const out = await lookups.expect([0], ["apply", "-auto-approve"]);
      const outputs = await lookups.outputs();
      const keys = outputs.ops_keys!.value as Array<{ prefix: string; user: string; used: boolean }>;
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ user: "ops", used: true });
      const listed = (await api.listPreAuthKeys()).find((k) => k.user?.name === "ops")!;
      expect(listed.key.startsWith(keys[0]!.prefix)).toBe(true);
      expect(JSON.stringify(outputs)).not.toMatch(/hskey-auth-[^-"]+-[^*"]/); // a prefix, never a secret
      expect(outputs.api_key_prefixes!.value).toEqual(expect.arrayContaining([apiKeyPrefixOf(server.apiKey), apiKeyPrefixOf(ciKey)]));
      expect(outputs.router!.value).toMatchObject({ name: "edge-router", hostname: "router", user: "ops" });
      const router = outputs.router!.value as { advertised_routes: string[]; approved_routes: string[]; served_routes: string[] };
      expect(sorted(router.advertised_routes)).toEqual(sorted([...SUBNETS, ...EXIT]));
      expect(sorted(router.served_routes)).toEqual(sorted([...SUBNETS, ...EXIT]));
      expect(out).not.toContain(ciKey);
    } finally {
      lookups.cleanup();
    }
  });

  it("`import` adopts a node's routes and its settings by name, planning no change", async () => {
    const adopt = new HeadscaleWorkspace(cli, server);
    try {
      adopt.write(
        "main.tf",
        `${header}
resource "headscale_node_routes" "adopted" {
  node_name = "router"
  routes    = ["10.0.0.0/24", "10.1.0.0/24"]
  exit_node = true
}
resource "headscale_node" "adopted" {
  node_name = "router"
}
`,
      );
      await adopt.expect([0], ["init"]);
      expect(await adopt.expect([0], ["import", "headscale_node_routes.adopted", "router"])).toContain("Import successful");
      expect(await adopt.expect([0], ["import", "headscale_node.adopted", "router"])).toContain("Import successful");
      const plan = await adopt.planIsEmpty();
      expect(plan.empty, plan.output).toBe(true);
      // Hand them back: this workspace must not destroy what the main one manages.
      await adopt.expect([0], ["state", "rm", "headscale_node_routes.adopted", "headscale_node.adopted"]);
    } finally {
      adopt.cleanup();
    }
  });

  it("destroy removes only the routes it approved, expires the API key, and leaves the node", async () => {
    showLogs();
    await api.approveRoutes(node.id, [...SUBNETS, ...EXIT, "172.16.0.0/24"]); // approved outside, after the last refresh…
    // …and refreshed: destroy plans from a refreshed state, and 172.16.0.0/24 is still not ours.
    const out = await ws.expect([0], ["destroy", "-auto-approve"]);
    expect(out).toContain("Resources: 3 destroyed");
    expect(await approvedNow()).toEqual(["172.16.0.0/24"]);
    expect(out).toMatch(/keeps routes approved outside this resource: 172\.16\.0\.0\/24/);
    expect(await works(server.url, ciKey)).toBe(false);
    expect((await api.listApiKeys()).map((k) => k.prefix)).not.toContain(apiKeyPrefixOf(ciKey));
    expect((await api.getNode(node.id)).givenName).toBe("edge-router");
  });

  // key_expiry = "never" needs 0.29.
  // Only where the example's `key_expiry = "never"` exists (0.29+): defined there, not skipped elsewhere.
  if (Number(version.split(".")[1]) >= 29)
    it("examples/terraform-tailnet applies as written against the same router, plans empty, destroys", async () => {
      showLogs();
      const example = new HeadscaleWorkspace(cli, server);
      try {
        example.write("main.tf", readFileSync(path.join(root, "examples", "terraform-tailnet", "main.tf"), "utf8"));
        await example.expect([0], ["init"]);
        const out = await example.expect([0], ["apply", "-auto-approve"]);
        expect(out).toContain("Resources: 3 added, 0 changed, 0 destroyed");
        const outputs = await example.outputs();
        expect(sorted(outputs.served_routes!.value as string[])).toEqual(sorted(["10.0.0.0/24", ...EXIT]));
        expect(outputs.router_name!.value).toBe("edge-router");
        expect(await works(server.url, outputs.ci_key!.value as string)).toBe(true);
        const plan = await example.planIsEmpty();
        expect(plan.empty, plan.output).toBe(true);
        await example.expect([0], ["destroy", "-auto-approve"]);
        expect(await approvedNow()).toEqual([]);
        expect(await works(server.url, outputs.ci_key!.value as string)).toBe(false);
      } finally {
        example.cleanup();
      }
    });
});
