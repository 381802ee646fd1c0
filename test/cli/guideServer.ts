// A server built the way Headscale's user guide builds one: everything through the headscale CLI over
// its unix socket (not through our client). Users alice, bob, family, servers, guests; a tag-based policy
// with comments set from a file; keys; two real tailscaled nodes, one tagged, one with an approved route.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { joinNode, type TailscaleNode } from "../harness/node.js";
import { waitFor } from "../harness/processes.js";

export const guidePolicy = `// Our tailnet's policy (headscale policy set -f policy.hujson).
{
  "groups": {
    // Admins manage everything.
    "group:admin": ["alice@"],
    "group:family": ["alice@", "bob@", "family@"],
  },
  "tagOwners": {
    // Servers are tagged by the admins or by the servers account.
    "tag:server": ["group:admin", "servers@"],
    "tag:ci": ["group:admin"],
  },
  "acls": [
    // Admins reach everything.
    { "action": "accept", "src": ["group:admin"], "dst": ["*:*"] },
    // The family reaches the servers' web ports and the home network behind the gateway.
    { "action": "accept", "src": ["group:family"], "dst": ["tag:server:80,443", "192.168.77.0/24:*"] },
    // Guests see only the web server.
    { "action": "accept", "src": ["guests@"], "dst": ["tag:server:443"] },
  ],
}
`;

export const HOME_ROUTE = "192.168.77.0/24";

export interface GuideServer {
  server: HeadscaleServer;
  nodes: TailscaleNode[];
  userIds: Record<string, string>;
  /** Node ids by hostname. */
  nodeIds: Record<string, string>;
  stop(): Promise<void>;
}

interface CliUser {
  id: string | number;
  name: string;
}
interface CliNode {
  id: string | number;
  name: string;
  given_name?: string;
  givenName?: string;
  tags?: string[];
}

const json = <T>(text: string): T => JSON.parse(text) as T;

export async function buildGuideServer(): Promise<GuideServer> {
  const server = await startHeadscale();
  const nodes: TailscaleNode[] = [];
  try {
    const cli = (...args: string[]) => server.cli(args);
    await cli("users", "create", "alice", "--display-name", "Alice Admin", "--email", "alice@example.com");
    await cli("users", "create", "bob", "--display-name", "Bob");
    await cli("users", "create", "family");
    await cli("users", "create", "servers");
    await cli("users", "create", "guests", "--display-name", "Guests");
    const users = json<CliUser[]>(await cli("users", "list", "-o", "json"));
    const userIds = Object.fromEntries(users.map((u) => [u.name, String(u.id)]));

    const policyFile = path.join(server.dir, "policy.hujson");
    writeFileSync(policyFile, guidePolicy);
    await cli("policy", "set", "-f", policyFile);

    const key = async (...args: string[]) => json<{ key: string }>(await cli("preauthkeys", "create", "-o", "json", ...args)).key;
    const serverKey = await key("-u", userIds.servers!, "--reusable", "--expiration", "24h", "--tags", "tag:server");
    const familyKey = await key("-u", userIds.family!, "--expiration", "2h");
    await key("-u", userIds.bob!, "--expiration", "1h"); // left unused: listed by import, not adopted

    nodes.push(await joinNode({ serverUrl: server.url, authKey: serverKey, hostname: "web" }));
    nodes.push(await joinNode({ serverUrl: server.url, authKey: familyKey, hostname: "home-gw", upArgs: [`--advertise-routes=${HOME_ROUTE}`] }));
    const listed = await waitFor(
      "both nodes registered",
      async () => {
        const ns = json<CliNode[]>(await cli("nodes", "list", "-o", "json"));
        return ns.length === 2 ? ns : undefined;
      },
      30_000,
    );
    const nodeIds = Object.fromEntries(listed.map((n) => [n.name, String(n.id)]));
    // The gateway announces its route; the admin approves it (as the guide shows).
    await waitFor(
      "route announced",
      async () => (/192\.168\.77\.0\/24/.test(await cli("nodes", "list-routes", "-i", nodeIds["home-gw"]!)) ? true : undefined),
      30_000,
    );
    await cli("nodes", "approve-routes", "-i", nodeIds["home-gw"]!, "-r", HOME_ROUTE);
    return {
      server,
      nodes,
      userIds,
      nodeIds,
      async stop() {
        for (const n of nodes) await n.stop();
        await server.stop();
      },
    };
  } catch (e) {
    for (const n of nodes) await n.stop();
    await server.stop();
    throw e;
  }
}
