// N users, one reusable key per user, and optionally a policy: the same objects as Terraform HCL and as a
// Pulumi program spec. Used by the scale bench (bench/scale.ts) and the fault suite (test/faults/).
import type { ProgramSpec } from "./spec.js";

export const SCALE_POLICY = `{
  "groups": { "group:bench": ["user0@"] },
  "tagOwners": { "tag:bench": ["group:bench"] },
  "acls": [{ "action": "accept", "src": ["group:bench"], "dst": ["tag:bench:*"] }],
}`;

export const userName = (i: number): string => `user${i}`;

export function scaleTerraform(n: number, opts: { policy?: boolean } = {}): string {
  const policy = opts.policy
    ? `
resource "headscale_policy" "p" {
  policy     = <<-EOT
${SCALE_POLICY.split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
  EOT
  depends_on = [headscale_user.u]
}
`
    : "";
  return `terraform {
  required_providers {
    headscale = { source = "registry.terraform.io/headscale-iac/headscale" }
  }
}

resource "headscale_user" "u" {
  count = ${n}
  name  = "user\${count.index}"
}
${policy}
resource "headscale_pre_auth_key" "k" {
  count      = ${n}
  user       = headscale_user.u[count.index].user_id
  reusable   = true
  expiration = "30d"
}
`;
}

export function scaleSpec(n: number, opts: { policy?: boolean } = {}): ProgramSpec {
  return {
    users: Array.from({ length: n }, (_, i) => ({ resource: `u${i}`, name: userName(i) })),
    ...(opts.policy ? { policy: { resource: "policy", policy: SCALE_POLICY } } : {}),
    keys: Array.from({ length: n }, (_, i) => ({ resource: `k${i}`, userResource: `u${i}`, reusable: true, expiration: "30d" })),
  };
}
