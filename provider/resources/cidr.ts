// Route prefixes (CIDRs) as Headscale stores them: parsed, checked for host bits, and written in the
// canonical form Go's netip.Prefix prints (lowercase, RFC 5952 compressed IPv6), so a route written
// "FD00:0:0::/64" compares equal to the "fd00::/64" the server reports.

export const EXIT_ROUTES = ["0.0.0.0/0", "::/0"] as const;
export const isExitRoute = (r: string): boolean => r === EXIT_ROUTES[0] || r === EXIT_ROUTES[1];

interface Parsed {
  family: 4 | 6;
  /** The address as a number (IPv4: 32 bits, IPv6: 128 bits). */
  value: bigint;
  bits: number;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith("0")))) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  const last = (halves.length === 2 ? tail : head).at(-1);
  let v4: bigint | undefined;
  if (last?.includes(".")) {
    v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    (halves.length === 2 ? tail : head).splice(-1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function parse(cidr: string): Parsed | string {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m) return `"${cidr}" is not a CIDR: write an address and a prefix length, like "10.0.0.0/24" or "fd00::/64"`;
  const [, addr, len] = m;
  const family = addr!.includes(":") ? 6 : 4;
  const value = family === 4 ? parseIPv4(addr!) : parseIPv6(addr!);
  if (value === undefined) return `"${cidr}" is not a CIDR: "${addr}" is not an IPv${family} address`;
  const bits = Number(len);
  const max = family === 4 ? 32 : 128;
  if (bits > max) return `"${cidr}" has prefix length ${bits}: IPv${family} allows at most /${max}`;
  return { family, value, bits };
}

function format(p: Parsed): string {
  if (p.family === 4) return `${[24n, 16n, 8n, 0n].map((s) => String((p.value >> s) & 0xffn)).join(".")}/${p.bits}`;
  const groups = Array.from({ length: 8 }, (_, i) => Number((p.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  const text = best.at < 0 ? hex.join(":") : `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
  return `${text}/${p.bits}`;
}

/** The canonical form of a route, or a message saying what is wrong and how to write it. */
export function canonicalRoute(cidr: string): { route: string } | { problem: string } {
  const p = parse(cidr);
  if (typeof p === "string") return { problem: p };
  const width = p.family === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(width - p.bits)) - 1n;
  if ((p.value & hostMask) !== 0n) {
    const network = format({ ...p, value: p.value & ~hostMask });
    return { problem: `"${cidr}" has host bits set: the route of that network is "${network}"` };
  }
  return { route: format(p) };
}

/**
 * The set of routes to approve: canonical, sorted, de-duplicated, and with the exit-node pair complete
 * (Headscale approves 0.0.0.0/0 and ::/0 together and reports both). Invalid entries are left out (check
 * reports them).
 */
export function routeSet(routes: readonly string[] | undefined, exitNode: boolean | undefined): string[] {
  const out = new Set<string>();
  for (const r of routes ?? []) {
    const c = canonicalRoute(r);
    if ("route" in c) out.add(c.route);
  }
  if (exitNode || [...out].some(isExitRoute)) EXIT_ROUTES.forEach((r) => out.add(r));
  return [...out].sort(compareRoutes);
}

/** IPv4 before IPv6, then by text: a stable order for outputs. */
export function compareRoutes(a: string, b: string): number {
  const fa = a.includes(":") ? 1 : 0;
  const fb = b.includes(":") ? 1 : 0;
  return fa - fb || a.localeCompare(b);
}

/** A server-reported list, canonical and sorted. */
export const normalRoutes = (routes: readonly string[]): string[] => routeSet(routes, false);

/** `route` lies inside `prefix` (both canonical or at least valid CIDRs of the same family). */
export function routeWithin(route: string, prefix: string): boolean {
  const r = parse(route);
  const p = parse(prefix);
  if (typeof r === "string" || typeof p === "string" || r.family !== p.family || r.bits < p.bits) return false;
  const width = BigInt(r.family === 4 ? 32 : 128);
  const shift = width - BigInt(p.bits);
  return r.value >> shift === p.value >> shift;
}
