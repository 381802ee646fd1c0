// Shared by the Pulumi and Terraform access-diff tests: three nodes (alice's and bob's laptops, a tag:server
// node, debug-registered), the policies a change and a reformatting go through, and a reader of the
// `access` lines a preview or plan prints ("+ bob-laptop → server-1:22 : …", `+ "…" = "any"`).
import type { HeadscaleClient } from "../../provider/client/index.js";

const owners = `"tagOwners": { "tag:server": ["alice@"] }`;
export const accessPolicies = {
  owners: `{ ${owners} }`,
  before: `{ ${owners}, "acls": [
    { "action": "accept", "src": ["alice@"], "dst": ["tag:server:22,443"] },
    { "action": "accept", "src": ["bob@"], "dst": ["tag:server:443"] } ] }`,
  // bob gains ssh to the server, alice loses 443, the server reaches alice's laptop on 8080.
  after: `{ ${owners}, "acls": [
    { "action": "accept", "src": ["alice@", "bob@"], "dst": ["tag:server:22"] },
    { "action": "accept", "src": ["bob@"], "dst": ["tag:server:443"] },
    { "action": "accept", "src": ["tag:server"], "dst": ["alice@:8080"] } ] }`,
  // The "before" policy in another layout, with a comment and other key order.
  reformatted: `{
    // the same rules, other layout
    "acls": [
      { "dst": ["tag:server:22,443"], "src": ["alice@"], "action": "accept" },
      { "action": "accept", "src": ["bob@"], "dst": ["tag:server:443"] },
    ],
    ${owners},
  }
`,
};
export const accessAdded = ["bob-laptop → server-1:22", "server-1 → alice-laptop:8080"];
export const accessRemoved = ["alice-laptop → server-1:443"];

/** alice-laptop, bob-laptop (users alice, bob) and server-1 (registered by alice, then tagged tag:server). */
export async function registerAccessNodes(api: HeadscaleClient): Promise<void> {
  for (const name of ["alice", "bob"]) await api.createUser({ name });
  await api.setPolicy(accessPolicies.owners);
  await api.registerNode("alice", await api.debugCreateNode("alice", "alice-laptop"));
  await api.registerNode("bob", await api.debugCreateNode("bob", "bob-laptop"));
  const server = await api.registerNode("alice", await api.debugCreateNode("alice", "server-1"));
  await api.setNodeTags(server.id, ["tag:server"]);
}

/** The access pairs a preview or plan marks as added (+) and removed (-), sorted; any line naming a pair. */
export function accessMarks(output: string): { added: string[]; removed: string[]; lines: string[] } {
  const lines = output.split("\n").filter((l) => l.includes(" → "));
  const marked = (sign: string) =>
    lines
      .map((l) => /^\s*([+-])\s+"?([^"]+? → [^"]+?)"?\s*[:=]\s/.exec(l))
      .filter((m): m is RegExpExecArray => !!m && m[1] === sign)
      .map((m) => m[2]!.trim())
      .sort();
  return { added: marked("+"), removed: marked("-"), lines };
}

/** The lines from the first one matching `start` to the next closing brace, each trimmed ("" when none). */
function blockFrom(text: string, start: RegExp): string {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => start.test(l));
  if (first < 0) return "";
  const end = lines.findIndex((l, i) => i > first && /^\s*\}$/.test(l));
  return lines
    .slice(first, end + 1)
    .map((l) => l.trim())
    .join("\n");
}

/** The `access` block of a preview or plan, each line trimmed: what the README shows. */
export const accessBlock = (output: string): string => blockFrom(output, /^\s*~ access\s*[:=] \{$/);

/** The README's block that starts with the access line of this frontend, each line trimmed. */
export const readmeAccessBlock = (readme: string, frontend: "pulumi" | "terraform"): string =>
  blockFrom(readme, frontend === "pulumi" ? /^\s*~ access\s*: \{$/ : /^\s*~ access\s*= \{$/);
