// Effective access as a set of readable pairs, "alice-laptop → server-1:22", so that a policy change can be
// shown as the pairs it adds and removes. One element per source node, destination node, protocol and
// maximal port range: opening port 80 beside 22 adds "… → server-1:80" and leaves "… → server-1:22".
import { PolicyEvaluator, type InventoryNode, type PolicyDialect, type PortRange } from "./access.js";

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

/**
 * Every (source node → destination node:ports[/protocols]) pair the policy allows between `nodes`, sorted.
 * A node reaching itself is left out (always allowed). Protocols are shown only when a rule names them.
 */
export function effectiveAccess(policy: Record<string, unknown>, nodes: readonly InventoryNode[], dialect: PolicyDialect): string[] {
  const evaluator = new PolicyEvaluator(policy, nodes, dialect);
  const grouped = new Map<string, { src: number; dst: number; protocols: string; ports: PortRange[] }>();
  const add = (src: number, dst: number, protocols: string[], ports: PortRange[]) => {
    if (src === dst || ports.length === 0) return;
    const proto = [...new Set(protocols)].sort().join(",");
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
  const pairs: string[] = [];
  for (const e of grouped.values()) {
    const suffix = e.protocols ? `/${e.protocols}` : "";
    for (const r of mergeRanges(e.ports)) pairs.push(`${nodes[e.src]!.name} ${ACCESS_ARROW} ${nodes[e.dst]!.name}:${portText(r)}${suffix}`);
  }
  return [...new Set(pairs)].sort();
}

/** What a change does: pairs only the new policy allows, and pairs only the old one did. */
export function accessChange(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: after.filter((p) => !b.has(p)), removed: before.filter((p) => !a.has(p)) };
}
