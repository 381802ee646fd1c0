// The effective access a policy grants between the nodes that exist: which node reaches which node on which
// ports. Pure: the caller passes the parsed policy and a plain node inventory. Semantics follow Headscale's
// policy v2 engine (hscontrol/policy/v2): aliases resolve to IP sets, rules are matched by address overlap,
// tagged nodes have no user identity, `autogroup:self` pairs a user's own untagged nodes.
import { PROTOCOL_BY_NUMBER } from "./aliases.js";
import type { PolicyDialect } from "./dialect.js";
import { ALL_ADDRESSES, IpSet, parseRange, TAILNET_ADDRESSES, type IpRange } from "./ipset.js";

/** A node as the evaluator needs it (the provider maps the API's nodes to this). */
export interface InventoryNode {
  /** Shown in pairs: the MagicDNS name (given name), or the hostname. */
  name: string;
  /** The owner; ignored for tagged nodes (a tagged node is identified by its tags only). */
  user?: { name: string; email?: string; providerId?: string };
  tags: readonly string[];
  /** IPv4 and IPv6 addresses, without prefix length. */
  addresses: readonly string[];
}

export interface PortRange {
  first: number;
  last: number;
}
const ANY_PORT: PortRange = { first: 0, last: 65535 };

/** One destination of a compiled rule: addresses and ports, or the source's own user's nodes. */
export type RuleDestination = { set: IpSet; ports: PortRange[]; self?: false } | { self: true; ports: PortRange[] };

/** An ACL entry or a grant, compiled: protocols are names ("tcp"), empty = any protocol. */
export interface CompiledRule {
  src: IpSet;
  dst: RuleDestination[];
  protocols: string[];
}

export class PolicyResolutionError extends Error {}

type Json = unknown;
const record = (v: Json): Record<string, Json> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, Json>) : {});
const strings = (v: Json): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A protocol as written ("TCP", "6", "ip-in-ip") in Headscale's canonical name. */
export function protocolName(proto: string): string {
  const p = proto.trim().toLowerCase();
  if (p === "ip-in-ip") return "ipv4";
  return PROTOCOL_BY_NUMBER[p] ?? p;
}

export class PolicyEvaluator {
  private readonly groups: Record<string, Json>;
  private readonly hosts: Record<string, Json>;
  private readonly nodeSets: IpSet[];

  constructor(
    readonly policy: Record<string, Json>,
    readonly nodes: readonly InventoryNode[],
    /** What the server's policy language has: `grants` are evaluated only where it has them. */
    readonly dialect: Pick<PolicyDialect, "grants">,
  ) {
    this.groups = record(policy.groups);
    this.hosts = record(policy.hosts);
    this.nodeSets = nodes.map((n) => IpSet.of(n.addresses.map((a) => parseRange(a)).filter((r): r is IpRange => !!r)));
  }

  /** Nodes whose addresses overlap the set. */
  nodesIn(set: IpSet): number[] {
    return this.nodeSets.flatMap((s, i) => (set.overlapsAny(s) ? [i] : []));
  }

  private union(pick: (n: InventoryNode) => boolean): IpSet {
    return IpSet.union(this.nodes.flatMap((n, i) => (pick(n) ? [this.nodeSets[i]!] : [])));
  }

  /** A user token ("alice@", "alice@example.com"): the user's untagged nodes (Headscale's resolveUser). */
  private user(token: string): IpSet {
    const wanted = token.endsWith("@") ? token.slice(0, -1) : token;
    return this.union((n) => n.tags.length === 0 && !!n.user && (n.user.providerId === wanted || n.user.name === wanted || n.user.email === wanted));
  }

  /**
   * An alias as an IP set. `autogroup:self` is not an address set (see RuleDestination); as a test source
   * or a rule source it resolves to nothing, as in Headscale. Undefined groups and hosts throw.
   */
  resolve(alias: string): IpSet {
    const a = alias.trim();
    if (a === "*") return TAILNET_ADDRESSES;
    if (a.startsWith("group:")) {
      const members = this.groups[a];
      if (!Array.isArray(members)) throw new PolicyResolutionError(`group not defined in policy: "${a}"`);
      return IpSet.union(strings(members).map((m) => this.user(m)));
    }
    if (a.startsWith("tag:")) return this.union((n) => n.tags.includes(a));
    if (a.startsWith("autogroup:")) {
      switch (a) {
        case "autogroup:member":
          return this.union((n) => n.tags.length === 0);
        case "autogroup:tagged":
          return this.union((n) => n.tags.length > 0);
        case "autogroup:danger-all":
          return ALL_ADDRESSES;
        case "autogroup:internet": // exit-node traffic: never a node's own address
        case "autogroup:self":
        case "autogroup:nonroot":
          return IpSet.empty;
        default:
          throw new PolicyResolutionError(`unknown autogroup "${a}"`);
      }
    }
    if (a.includes("@")) return this.user(a);
    const literal = parseRange(a);
    if (literal) return IpSet.of([literal]);
    const host = this.hosts[a];
    if (typeof host !== "string") throw new PolicyResolutionError(`host not defined in policy: "${a}"`);
    const prefix = parseRange(host);
    if (!prefix) throw new PolicyResolutionError(`host "${a}" is not an address or prefix: "${host}"`);
    return IpSet.of([prefix]);
  }

  /** Resolution that treats an undefined name as matching nothing (rules compile around what is missing). */
  private resolveLenient(alias: string): IpSet {
    try {
      return this.resolve(alias);
    } catch {
      return IpSet.empty;
    }
  }

  /** The rules the server enforces: `acls` plus (where supported) `grants`; neither section = allow all. */
  rules(): CompiledRule[] {
    const acls = this.policy.acls;
    const grants = this.dialect.grants ? this.policy.grants : undefined;
    if (acls === undefined && grants === undefined) return [{ src: ALL_ADDRESSES, dst: [{ set: ALL_ADDRESSES, ports: [ANY_PORT] }], protocols: [] }];
    const out: CompiledRule[] = [];
    for (const acl of Array.isArray(acls) ? acls.map(record) : []) {
      if (acl.action !== undefined && acl.action !== "accept") continue;
      const src = IpSet.union(strings(acl.src).map((s) => this.resolveLenient(s)));
      const dst = strings(acl.dst).flatMap((d) => this.destination(d));
      const protocols = typeof acl.proto === "string" && acl.proto !== "" ? [protocolName(acl.proto)] : [];
      out.push({ src, dst, protocols });
    }
    for (const grant of Array.isArray(grants) ? grants.map(record) : []) {
      if (grant.via !== undefined) continue; // route steering, not access between nodes
      const src = IpSet.union(strings(grant.src).map((s) => this.resolveLenient(s)));
      for (const capability of strings(grant.ip)) {
        const { protocols, ports } = parseGrantIp(capability);
        const dst = strings(grant.dst).map((d): RuleDestination =>
          d.trim() === "autogroup:self" ? { self: true, ports } : { set: this.destinationSet(d), ports },
        );
        out.push({ src, dst, protocols });
      }
    }
    return out;
  }

  private destination(text: string): RuleDestination[] {
    const parsed = splitDestination(text);
    if (!parsed) return [];
    const ports = parsePorts(parsed.ports);
    if (!ports) return [];
    if (parsed.alias === "autogroup:self") return [{ self: true, ports }];
    return [{ set: this.destinationSet(parsed.alias), ports }];
  }

  /** As a destination, `*` is every address (Headscale compiles it to "*"); as a source, the tailnet's. */
  private destinationSet(alias: string): IpSet {
    return alias.trim() === "*" ? ALL_ADDRESSES : this.resolveLenient(alias);
  }
}

/** "tag:server:22,80-90" → alias and ports; "[fd7a::1]:22" and "fd7a::1:22" both work (Headscale's split). */
export function splitDestination(text: string): { alias: string; ports: string } | undefined {
  let s = text.trim();
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0) return undefined;
    s = s.slice(1, close) + s.slice(close + 1);
  }
  const colon = s.lastIndexOf(":");
  if (colon <= 0 || colon === s.length - 1) return undefined;
  return { alias: s.slice(0, colon), ports: s.slice(colon + 1) };
}

/** "*", "22", "80-90", "22,443" → ranges; undefined if malformed. */
export function parsePorts(text: string): PortRange[] | undefined {
  if (text.trim() === "*") return [ANY_PORT];
  const out: PortRange[] = [];
  for (const part of text.split(",")) {
    const m = /^\s*(\d{1,5})(?:-(\d{1,5}))?\s*$/.exec(part);
    if (!m) return undefined;
    const first = Number(m[1]);
    const last = Number(m[2] ?? m[1]);
    if (last < first || last > 65535) return undefined;
    out.push({ first, last });
  }
  return out;
}

/** A grant's `ip` entry: "*", "22", "tcp:443", "udp:1000-2000" (a bare port or "*" means any protocol). */
function parseGrantIp(text: string): { protocols: string[]; ports: PortRange[] } {
  const t = text.trim();
  if (t === "*") return { protocols: [], ports: [ANY_PORT] };
  const colon = t.indexOf(":");
  if (colon < 0) return { protocols: [], ports: parsePorts(t) ?? [] };
  return { protocols: [protocolName(t.slice(0, colon))], ports: parsePorts(t.slice(colon + 1)) ?? [] };
}
