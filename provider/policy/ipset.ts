// Sets of IP addresses as sorted, merged ranges (what Go's netipx.IPSet is to Headscale's policy engine).
// The policy evaluator needs overlap tests and, for `tests`, the same prefix split Headscale makes: a test's
// source is checked prefix by prefix after merging, so {100.64.0.2, 100.64.0.3} is one /31.

export type Family = 4 | 6;
const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export interface IpRange {
  family: Family;
  first: bigint;
  last: bigint;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith("0")))) return undefined; // Go's netip refuses leading zeros
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(text: string): bigint | undefined {
  // Plain hex groups with at most one "::" (no zone, no embedded IPv4: tailnet addresses never have them).
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...tail].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An address or CIDR ("100.64.0.1", "10.0.0.0/8", "fd7a:115c:a1e0::/48") as a range; undefined if malformed. */
export function parseRange(text: string): IpRange | undefined {
  const [addr, len, extra] = text.trim().split("/");
  if (addr === undefined || extra !== undefined) return undefined;
  const family: Family = addr.includes(":") ? 6 : 4;
  const value = family === 4 ? parseV4(addr) : parseV6(addr);
  if (value === undefined) return undefined;
  const bits = len === undefined ? BITS[family] : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= BITS[family])) return undefined;
  const hostBits = BigInt(BITS[family] - bits);
  const first = (value >> hostBits) << hostBits; // Go's netip masks host bits (Headscale checks them elsewhere)
  return { family, first, last: first + (1n << hostBits) - 1n };
}

export class IpSet {
  private constructor(readonly ranges: readonly IpRange[]) {}

  static of(ranges: Iterable<IpRange>): IpSet {
    const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    const merged: IpRange[] = [];
    for (const r of sorted) {
      const prev = merged[merged.length - 1];
      if (prev && prev.family === r.family && r.first <= prev.last + 1n) {
        if (r.last > prev.last) merged[merged.length - 1] = { ...prev, last: r.last };
      } else merged.push({ ...r });
    }
    return new IpSet(merged);
  }

  static empty = new IpSet([]);

  static union(sets: Iterable<IpSet>): IpSet {
    return IpSet.of([...sets].flatMap((s) => s.ranges));
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  minus(other: IpSet): IpSet {
    let out: IpRange[] = [...this.ranges];
    for (const cut of other.ranges) {
      out = out.flatMap((r) => {
        if (r.family !== cut.family || cut.last < r.first || cut.first > r.last) return [r];
        const pieces: IpRange[] = [];
        if (cut.first > r.first) pieces.push({ ...r, last: cut.first - 1n });
        if (cut.last < r.last) pieces.push({ ...r, first: cut.last + 1n });
        return pieces;
      });
    }
    return new IpSet(out);
  }

  overlaps(range: IpRange): boolean {
    return this.ranges.some((r) => r.family === range.family && r.first <= range.last && range.first <= r.last);
  }

  overlapsAny(set: IpSet): boolean {
    return set.ranges.some((r) => this.overlaps(r));
  }

  /** The fewest CIDR prefixes covering the set exactly (netipx.IPSet.Prefixes). */
  prefixes(): IpRange[] {
    const out: IpRange[] = [];
    for (const r of this.ranges) {
      let first = r.first;
      while (first <= r.last) {
        let size = 1n;
        // Grow the block while it stays aligned and inside the range.
        while (first % (size * 2n) === 0n && first + size * 2n - 1n <= r.last && size * 2n <= 1n << BigInt(BITS[r.family])) size *= 2n;
        out.push({ family: r.family, first, last: first + size - 1n });
        first += size;
      }
    }
    return out;
  }
}

// Tailscale's address ranges: `*` means these on Headscale (CGNAT without ChromeOS's VM range, and the ULA).
const CGNAT = parseRange("100.64.0.0/10")!;
const CHROMEOS_VM = parseRange("100.115.92.0/23")!;
const TAILSCALE_ULA = parseRange("fd7a:115c:a1e0::/48")!;
export const TAILNET_ADDRESSES = IpSet.of([CGNAT, TAILSCALE_ULA]).minus(IpSet.of([CHROMEOS_VM]));
export const ALL_ADDRESSES = IpSet.of([parseRange("0.0.0.0/0")!, parseRange("::/0")!]);
