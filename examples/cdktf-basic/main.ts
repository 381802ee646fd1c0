// Users alice, bob and servers; an ACL policy with groups, tag owners and rules; a reusable key, tagged
// tag:server, that servers join with. The CDKTF twin of examples/pulumi-basic/index.ts. Run with
// `npx cdktf deploy --skip-provider-lock` after installing the provider (README.md in this directory) and
//   export HEADSCALE_URL=https://headscale.example.com
//   export HEADSCALE_API_KEY=<key from `headscale apikeys create`>
import { App, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { HeadscaleProvider, Policy, PreAuthKey, User } from "headscale-iac/cdktf";

export const policyText = `{
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
}`;

export class HeadscaleBasic extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // No url / apiKey here: the provider reads $HEADSCALE_URL and $HEADSCALE_API_KEY when Terraform runs
    // it. Passing process.env.HEADSCALE_API_KEY instead would write the key into cdktf.out in clear.
    new HeadscaleProvider(this, "headscale", {});

    const alice = new User(this, "alice", { name: "alice", displayName: "Alice Admin", email: "alice@example.com" });
    const bob = new User(this, "bob", { name: "bob", displayName: "Bob Developer" });
    const servers = new User(this, "servers", { name: "servers" });

    // The policy names alice@ and bob@, so it is written once they exist.
    const policy = new Policy(this, "policy", { policy: policyText, dependsOn: [alice, bob] });

    const serverKey = new PreAuthKey(this, "servers_key", {
      user: servers.userId, // a user created in the same run: by id
      tags: ["tag:server"],
      reusable: true,
      expiration: "90d",
      rotateBefore: "7d",
      policy: policy.policy, // checks tag:server against this policy at plan time, and creates the key after it
    });

    new TerraformOutput(this, "users", { value: { alice: alice.userId, bob: bob.userId, servers: servers.userId } });
    new TerraformOutput(this, "server_key_prefix", { value: serverKey.prefix });
    new TerraformOutput(this, "server_key_expires_at", { value: serverKey.expiresAt });
    // Secret: `npx cdktf output --outputs-file keys.json --outputs-file-include-sensitive-outputs`.
    new TerraformOutput(this, "server_key", { value: serverKey.key, sensitive: true });
  }
}

const app = new App();
new HeadscaleBasic(app, "headscale-basic");
app.synth();
