// Users alice, bob and servers; an ACL policy with groups, tag owners and rules; a reusable key, tagged
// tag:server, that servers join with. Run in this directory (README.md has every step):
//   npm install && pulumi stack init dev
//   pulumi config set headscale:url https://headscale.example.com
//   pulumi config set --secret headscale:apiKey <key from `headscale apikeys create`>
//   pulumi up
import * as headscale from "headscale-iac/pulumi";

// Not exported: Pulumi takes an entry module's default export or its named exports as the program, not both.
const policyText = `{
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

export default async function program() {
  const alice = new headscale.User("alice", { name: "alice", displayName: "Alice Admin", email: "alice@example.com" });
  const bob = new headscale.User("bob", { name: "bob", displayName: "Bob Developer" });
  const servers = new headscale.User("servers", { name: "servers" });

  // The policy names alice@ and bob@, so it is written once they exist.
  const policy = new headscale.Policy("policy", { policy: policyText }, { dependsOn: [alice, bob] });

  const serverKey = new headscale.PreAuthKey("servers", {
    user: servers,
    tags: ["tag:server"],
    reusable: true,
    expiration: "90d",
    rotateBefore: "7d",
    policy, // checks tag:server against this policy at preview, and creates the key after it
  });

  return {
    users: { alice: alice.userId, bob: bob.userId, servers: servers.userId },
    serverKeyPrefix: serverKey.prefix,
    serverKeyExpiresAt: serverKey.expiresAt,
    serverKey: serverKey.key, // secret: `pulumi stack output serverKey --show-secrets`
  };
}
