# Users alice, bob and servers; an ACL policy with groups, tag owners and rules; a reusable key, tagged
# tag:server, that servers join with. The Terraform/OpenTofu twin of examples/pulumi-basic/index.ts.
# See README.md in this directory for the commands (install the provider, init, apply).

terraform {
  required_version = ">= 1.5" # import blocks
  required_providers {
    headscale = {
      # The full address (with the hostname) that `node dist/provider/terraform/install.js` installs:
      # it reads the same in Terraform and OpenTofu.
      source = "registry.terraform.io/headscale-iac/headscale"
    }
  }
}

variable "headscale_url" {
  description = "Base URL of the Headscale server. Leave unset to use $HEADSCALE_URL."
  type        = string
  default     = null
}

variable "headscale_api_key" {
  description = "Headscale API key (`headscale apikeys create`). Leave unset to use $HEADSCALE_API_KEY."
  type        = string
  default     = null
  sensitive   = true
}

provider "headscale" {
  url     = var.headscale_url     # null: $HEADSCALE_URL
  api_key = var.headscale_api_key # null: $HEADSCALE_API_KEY
}

resource "headscale_user" "alice" {
  name         = "alice"
  display_name = "Alice Admin"
  email        = "alice@example.com"
}

resource "headscale_user" "bob" {
  name         = "bob"
  display_name = "Bob Developer"
}

resource "headscale_user" "servers" {
  name = "servers"
}

# The policy names alice@ and bob@, so it is written once they exist.
resource "headscale_policy" "policy" {
  policy = <<-EOT
    {
      // Admins reach everything; everybody reaches the servers' web ports.
      "groups": {
        "group:admin": ["alice@"],
        "group:dev": ["alice@", "bob@"],
      },
      "tagOwners": {
        "tag:server": ["group:admin"],
      },
      "acls": [
        { "action": "accept", "src": ["group:admin"], "dst": ["*:*"] },
        { "action": "accept", "src": ["group:dev"], "dst": ["tag:server:80,443"] },
      ],
    }
  EOT

  depends_on = [headscale_user.alice, headscale_user.bob]
}

resource "headscale_pre_auth_key" "servers" {
  user          = headscale_user.servers.user_id
  tags          = ["tag:server"]
  reusable      = true
  expiration    = "90d"
  rotate_before = "7d"
  # Checks tag:server against this policy at plan time, and creates the key after it.
  policy = headscale_policy.policy.policy
}

output "users" {
  value = {
    alice   = headscale_user.alice.user_id
    bob     = headscale_user.bob.user_id
    servers = headscale_user.servers.user_id
  }
}

output "server_key_prefix" {
  value = headscale_pre_auth_key.servers.prefix
}

output "server_key_expires_at" {
  value = headscale_pre_auth_key.servers.expires_at
}

# Secret: `terraform output -raw server_key`.
output "server_key" {
  value     = headscale_pre_auth_key.servers.key
  sensitive = true
}
