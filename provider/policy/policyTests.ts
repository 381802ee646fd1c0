// The policy's own `tests` section ({ src, proto?, accept: ["host:port"], deny: [...] }), evaluated locally
// with the same semantics as Headscale 0.29's check (hscontrol/policy/v2/test.go): the source resolves to
// prefixes and EVERY prefix must reach the destination; a destination is reached when ANY of its prefixes
// is allowed on the requested ports and protocol. Used where the server cannot run them (before 0.29).
import { IpSet, parseRange } from "./ipset.js";
import {
  parsePorts,
  PolicyEvaluator,
  PolicyResolutionError,
  protocolName,
  splitDestination,
  type CompiledRule,
  type InventoryNode,
  type PortRange,
} from "./access.js";
import type { PolicyDialect } from "./dialect.js";

export interface PolicyTestResult {
  /** Position in `tests`. */
  index: number;
  src: string;
  proto?: string;
  passed: boolean;
  /** Problems other than a verdict: a source or destination that resolves to nothing or is malformed. */
  errors: string[];
  /** Destinations expected ALLOWED that are denied, and expected DENIED that are allowed. */
  acceptFail: string[];
  denyFail: string[];
}

// What a client tries when a test names no protocol.
const DEFAULT_PROTOCOLS = ["tcp", "udp", "icmp", "ipv6-icmp"];

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Runs every entry of `policy.tests`; an empty list when there are none. */
export function runPolicyTests(policy: Record<string, unknown>, nodes: readonly InventoryNode[], dialect: Pick<PolicyDialect, "grants">): PolicyTestResult[] {
  const tests = Array.isArray(policy.tests) ? policy.tests : [];
  if (tests.length === 0) return [];
  const evaluator = new PolicyEvaluator(policy, nodes, dialect);
  // The global filter: autogroup:self destinations are compiled per node and are not part of it.
  const rules = evaluator.rules().map((r) => ({ ...r, dst: r.dst.filter((d) => !d.self) }));
  return tests.map((raw, index) => runOne(index, (raw ?? {}) as Record<string, unknown>, evaluator, rules));
}

function runOne(index: number, test: Record<string, unknown>, evaluator: PolicyEvaluator, rules: CompiledRule[]): PolicyTestResult {
  const src = typeof test.src === "string" ? test.src : "";
  const proto = typeof test.proto === "string" && test.proto !== "" ? protocolName(test.proto) : undefined;
  const result: PolicyTestResult = { index, src, ...(proto ? { proto } : {}), passed: true, errors: [], acceptFail: [], denyFail: [] };
  const fail = (message: string) => {
    result.passed = false;
    result.errors.push(message);
  };
  let srcSet: IpSet;
  try {
    srcSet = evaluator.resolve(src);
  } catch (e) {
    fail(`failed to resolve source "${src}": ${e instanceof PolicyResolutionError ? e.message : String(e)}`);
    return result;
  }
  if (srcSet.isEmpty) {
    fail(`source "${src}" resolved to no IP addresses`);
    return result;
  }
  const srcPrefixes = srcSet.prefixes();
  const requested = proto ? [proto] : DEFAULT_PROTOCOLS;
  const check = (dsts: string[], wantAllowed: boolean, failures: string[]) => {
    for (const dst of dsts) {
      const parsed = splitDestination(dst);
      const ports = parsed && parsePorts(parsed.ports);
      if (!parsed || !ports) {
        fail(`error testing "${dst}": invalid destination`);
        continue;
      }
      if (isCidrDestination(evaluator, parsed.alias)) {
        fail(`error testing "${dst}": test destination must be a single host, not a CIDR range`);
        continue;
      }
      let dstSet: IpSet;
      try {
        dstSet = evaluator.resolve(parsed.alias);
      } catch (e) {
        fail(`error testing "${dst}": ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (dstSet.isEmpty) {
        fail(`error testing "${dst}": destination resolved to no IP addresses`);
        continue;
      }
      const allowed = srcPrefixes.every((p) =>
        rules.some((rule) => rule.src.overlaps(p) && protocolMatches(rule, requested) && allowsAnyDestination(rule, dstSet, ports)),
      );
      if (allowed !== wantAllowed) {
        result.passed = false;
        failures.push(dst);
      }
    }
  };
  check(strings(test.accept), true, result.acceptFail);
  check(strings(test.deny), false, result.denyFail);
  return result;
}

/** One connection attempt to one host: Headscale 0.29 refuses a written prefix (even a /32) and a host naming a wider one. */
function isCidrDestination(evaluator: PolicyEvaluator, alias: string): boolean {
  if (alias.includes("/") && parseRange(alias)) return true;
  const host = (evaluator.policy.hosts as Record<string, unknown> | undefined)?.[alias];
  const range = typeof host === "string" ? parseRange(host) : undefined;
  return !!range && range.first !== range.last;
}

const protocolMatches = (rule: CompiledRule, requested: string[]) => rule.protocols.length === 0 || rule.protocols.some((p) => requested.includes(p));

function allowsAnyDestination(rule: CompiledRule, dst: IpSet, ports: PortRange[]): boolean {
  return rule.dst.some(
    (d) => !d.self && d.set.overlapsAny(dst) && d.ports.some((allowed) => ports.some((r) => r.first >= allowed.first && r.last <= allowed.last)),
  );
}

/** One line per failure, naming the test: `tests[2] (src "bob@"): bob@ -> tag:server:22: expected ALLOWED, got DENIED`. */
export function describeTestFailures(results: readonly PolicyTestResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (r.passed) continue;
    const name = `tests[${r.index}] (src "${r.src}"${r.proto ? `, proto ${r.proto}` : ""})`;
    for (const e of r.errors) lines.push(`${name}: ${e}`);
    for (const d of r.acceptFail) lines.push(`${name}: ${r.src} -> ${d}: expected ALLOWED, got DENIED`);
    for (const d of r.denyFail) lines.push(`${name}: ${r.src} -> ${d}: expected DENIED, got ALLOWED`);
  }
  return lines;
}
