# A subnet router that is also an exit node, its MagicDNS name and key expiry, and an admin API key for
# CI that rotates itself: the Terraform/OpenTofu twin of examples/pulumi-tailnet/index.ts. The router
# joined with `tailscale up --hostname=router --advertise-routes=10.0.0.0/24 --advertise-exit-node`.
# Provider installation and credentials as in examples/terraform-basic/README.md.

terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}

provider "headscale" {} # HEADSCALE_URL, HEADSCALE_API_KEY

resource "headscale_node_routes" "router" {
  node_name           = "router"
  wait_for            = "2m" # the router may still be joining
  routes              = ["10.0.0.0/24"]
  exit_node           = true # 0.0.0.0/0 and ::/0
  wait_for_advertised = "2m" # approve only once the router announces them
}

resource "headscale_node" "router" {
  node_name  = "router"
  wait_for   = "2m"
  given_name = "edge-router" # edge-router.<base_domain> in MagicDNS
  key_expiry = "never"       # Headscale 0.29+; on 0.27.1/0.28 give a time
}

resource "headscale_api_key" "ci" {
  expiration    = "90d"
  rotate_before = "14d"
  lifecycle {
    create_before_destroy = true # rotation: the new key exists before the old one is expired
  }
}

output "served_routes" { value = headscale_node_routes.router.served_routes }
output "router_name" { value = headscale_node.router.name }
output "ci_key_prefix" { value = headscale_api_key.ci.prefix }
output "ci_key" {
  value     = headscale_api_key.ci.key
  sensitive = true # terraform output -raw ci_key
}
