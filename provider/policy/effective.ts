// Effective access as a set of readable pairs, "alice-laptop → server-1:22", so that a policy change can be
// shown as the pairs it adds and removes. One element per source node, destination node, protocol and
// maximal port range: opening port 80 beside 22 adds "… → server-1:80" and leaves "… → server-1:22".
import { PolicyEvaluator, type InventoryNode, type PortRange } from "./access.js";
import type { PolicyDialect } from "./dialect.js";

export const ACCESS_ARROW = "→";

/** Overlapping and adjacent ranges merged, sorted. */
function mergeRanges(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1) prev.last = Math.max(prev.last, r.last);
    else out.push({ ...r });
  }
  return out;
}

const portText = (r: PortRange) => (r.first === 0 && r.last === 65535 ? "*" : r.first === r.last ? String(r.first) : `${r.first}-${r.last}`);

/** The value for pairs that rules without `proto` grant (Headscale then allows every protocol). */
export const ANY_PROTOCOL = "any";

/**
 * Every pair the policy allows between `nodes`, as "source → destination:ports" → the protocols ("any",
 * "tcp", "tcp,udp"), keys sorted. A node reaching itself is left out (always allowed). Keyed by pair so
 * that both frontends show a change as pairs added and removed (a map diffs by key in Terraform and Pulumi).
 */
export function effectiveAccess(
  policy: Record<string, unknown>,
  nodes: readonly InventoryNode[],
  dialect: Pick<PolicyDialect, "grants">,
): Record<string, string> {
  const evaluator = new PolicyEvaluator(policy, nodes, dialect);
  const grouped = new Map<string, { src: number; dst: number; protocols: string; ports: PortRange[] }>();
  const add = (src: number, dst: number, protocols: string[], ports: PortRange[]) => {
    if (src === dst || ports.length === 0) return;
    const proto = protocols.length === 0 ? ANY_PROTOCOL : [...new Set(protocols)].sort().join(",");
    const key = `${src}/${dst}/${proto}`;
    const entry = grouped.get(key) ?? { src, dst, protocols: proto, ports: [] };
    entry.ports.push(...ports);
    grouped.set(key, entry);
  };
  for (const rule of evaluator.rules()) {
    const sources = evaluator.nodesIn(rule.src);
    for (const d of rule.dst) {
      if (d.self) {
        // autogroup:self: a user's own untagged nodes reach each other (sources must be untagged too).
        for (const s of sources) {
          const owner = nodes[s]!.user?.name;
          if (nodes[s]!.tags.length > 0 || owner === undefined) continue;
          nodes.forEach((n, i) => {
            if (n.tags.length === 0 && n.user?.name === owner) add(s, i, rule.protocols, d.ports);
          });
        }
        continue;
      }
      const targets = evaluator.nodesIn(d.set);
      for (const s of sources) for (const t of targets) add(s, t, rule.protocols, d.ports);
    }
  }
  const pairs = new Map<string, Set<string>>();
  for (const e of grouped.values()) {
    for (const r of mergeRanges(e.ports)) {
      const key = `${nodes[e.src]!.name} ${ACCESS_ARROW} ${nodes[e.dst]!.name}:${portText(r)}`;
      const protos = pairs.get(key) ?? new Set<string>();
      for (const p of e.protocols.split(",")) protos.add(p);
      pairs.set(key, protos);
    }
  }
  const protocolsText = (p: Set<string>) => (p.has(ANY_PROTOCOL) ? ANY_PROTOCOL : [...p].sort().join(","));
  return Object.fromEntries([...pairs.keys()].sort().map((k) => [k, protocolsText(pairs.get(k)!)]));
}

/** What a change does: pairs only the new policy allows, and pairs only the old one did. */
export function accessChange(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>): { added: string[]; removed: string[] } {
  return { added: Object.keys(after).filter((p) => !(p in before)), removed: Object.keys(before).filter((p) => !(p in after)) };
}
