import { describe, expect, it } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { startHeadscale } from "../harness/headscale.js";
import { HeadscaleWorkspace } from "../terraform/headscaleWorkspace.js";

describe("scratch", () => {
  it("tf smoke", async () => {
    const server = await startHeadscale({ version: process.env.SMOKE_VERSION ?? "0.27.1" });
    const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: "ops" });
    const node = await api.registerNode("ops", await api.debugCreateNode("ops", "router", ["10.0.0.0/24", "0.0.0.0/0", "::/0"]));
    const ws = new HeadscaleWorkspace("terraform", server);
    const cfg = (extra = "") => `terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}
resource "headscale_node_routes" "router" {
  node_name = "router"
  routes    = ["10.0.0.0/24"${extra}]
  exit_node = true
}
resource "headscale_node" "router" {
  node_name  = "router"
  given_name = "edge-router"
  key_expiry = "2031-01-01T00:00:00Z"
}
resource "headscale_api_key" "ci" {
  expiration    = "2h"
  rotate_before = "1h"
  lifecycle {
    create_before_destroy = true
  }
}
output "served" { value = headscale_node_routes.router.served_routes }
`;
    ws.write("main.tf", cfg());
    console.log(await ws.expect([0], ["init"]));
    console.log(await ws.expect([0], ["apply", "-auto-approve"]));
    console.log(JSON.stringify(await api.getNode(node.id)));
    let p = await ws.planIsEmpty();
    console.log("PLAN1", p.empty, p.output);
    ws.write("main.tf", cfg(', "::/0"'));
    p = await ws.planIsEmpty();
    console.log("PLAN2", p.empty, p.output);
    ws.write("main.tf", cfg());
    await server.cli(["nodes", "approve-routes", "--identifier", node.id, "--routes", "10.0.0.0/24,192.168.7.0/24"]);
    p = await ws.planIsEmpty();
    console.log("PLAN3", p.empty, p.output);
    console.log(await ws.expect([0], ["apply", "-auto-approve"]));
    console.log(JSON.stringify((await api.getNode(node.id)).approvedRoutes));
    p = await ws.planIsEmpty();
    console.log("PLAN4", p.empty, p.output);
    console.log(await ws.expect([0], ["destroy", "-auto-approve"]));
    console.log(JSON.stringify(await api.getNode(node.id)), JSON.stringify(await api.listApiKeys()));
    ws.cleanup();
    await server.stop();
    expect(1).toBe(1);
  }, 600_000);
});
