# One service's part of the policy: who reaches it, on which ports. The root module passes the output
# to headscale_policy's fragments.
variable "tag" { type = string }
variable "team" { type = string }
variable "ports" { type = string }

output "policy_fragment" {
  value = <<-EOT
    {
      // ${var.team} reaches ${var.tag} on ${var.ports}
      "acls": [{ "action": "accept", "src": ["${var.team}"], "dst": ["${var.tag}:${var.ports}"] }],
    }
  EOT
}
