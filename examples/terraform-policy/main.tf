# The policy composed from parts: the platform team's groups and tag owners here, each service's rules
# from its own module (modules/web-service outputs its fragment). One headscale_policy writes them as one
# text: sections in Headscale's order, fragments by name, each under a comment naming it. Users alice and
# bob exist; provider installation and credentials as in examples/terraform-basic/README.md.

terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}

provider "headscale" {} # HEADSCALE_URL, HEADSCALE_API_KEY

module "web" {
  source = "./modules/web-service"
  tag    = "tag:web"
  team   = "group:web"
  ports  = "80,443"
}

resource "headscale_policy" "tailnet" {
  policy = <<-EOT
    {
      // Admins reach everything.
      "groups": { "group:admin": ["alice@"] },
      "acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }],
    }
  EOT
  fragments = {
    "team-groups" = jsonencode({ groups = { "group:web" = ["bob@"] } })
    "tag-owners"  = jsonencode({ tagOwners = { "tag:web" = ["group:admin"] } })
    "svc-web"     = module.web.policy_fragment
  }
}

output "policy" { value = headscale_policy.tailnet.written_policy } # the merged text on the server
