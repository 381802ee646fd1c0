// Route prefixes (validation with the fix in the message, the canonical form Headscale reports), node
// names, and API key prefixes.
import { describe, expect, it } from "vitest";
import { canonicalRoute, routeSet, routeWithin } from "../../provider/resources/cidr.js";
import { apiKeyPrefixOf, checkNodeName } from "../../provider/client/index.js";

describe("route CIDRs", () => {
  it.each([
    ["10.0.0.0/24", "10.0.0.0/24"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["::/0", "::/0"],
    ["FD00:0:0::/64", "fd00::/64"],
    ["2001:db8:0:0:1:0:0:0/80", "2001:db8:0:0:1::/80"],
    ["2001:0db8:0000:0000:0000:0000:0000:0000/32", "2001:db8::/32"],
    ["fd7a:115c:a1e0::/48", "fd7a:115c:a1e0::/48"],
    ["192.168.1.7/32", "192.168.1.7/32"],
  ])("%s is the route %s", (input, canonical) => {
    expect(canonicalRoute(input)).toEqual({ route: canonical });
  });

  it.each([
    ["10.0.0/24", /is not a CIDR/],
    ["10.0.0.0", /prefix length/],
    ["10.0.0.256/24", /not an IPv4 address/],
    ["010.0.0.0/8", /not an IPv4 address/],
    ["10.0.0.0/33", /at most \/32/],
    ["fd00::/129", /at most \/128/],
    ["fd00:::1/64", /not an IPv6 address/],
    ["10.0.0.1/24", /host bits set: the route of that network is "10\.0\.0\.0\/24"/],
    ["fd00::1/64", /host bits set: the route of that network is "fd00::\/64"/],
    ["", /is not a CIDR/],
  ])("%s is refused with the fix", (input, message) => {
    const r = canonicalRoute(input);
    expect("problem" in r && r.problem).toMatch(message);
  });

  it("a route set is canonical, sorted, de-duplicated, with the exit pair complete", () => {
    expect(routeSet(["10.1.0.0/24", "10.0.0.0/24", "10.1.0.0/24"], false)).toEqual(["10.0.0.0/24", "10.1.0.0/24"]);
    expect(routeSet(["10.0.0.0/24"], true)).toEqual(["0.0.0.0/0", "10.0.0.0/24", "::/0"]);
    expect(routeSet(["::/0", "10.0.0.0/24"], undefined)).toEqual(routeSet(["10.0.0.0/24"], true));
    expect(routeSet([], false)).toEqual([]);
  });

  it("knows which routes lie inside a prefix (autoApprovers)", () => {
    expect(routeWithin("10.0.1.0/24", "10.0.0.0/16")).toBe(true);
    expect(routeWithin("10.1.0.0/24", "10.0.0.0/16")).toBe(false);
    expect(routeWithin("10.0.0.0/8", "10.0.0.0/16")).toBe(false);
    expect(routeWithin("fd00:1::/64", "fd00::/16")).toBe(true);
    expect(routeWithin("10.0.0.0/24", "fd00::/16")).toBe(false);
  });
});

describe("node names (MagicDNS labels)", () => {
  it("accepts DNS labels and refuses the rest with a suggestion", () => {
    expect(checkNodeName("web-01")).toBeUndefined();
    expect(checkNodeName("Web_01")).toMatch(/not a DNS label.*"web-01"/);
    expect(checkNodeName("-web")).toMatch(/start or end with '-'/);
    expect(checkNodeName("a".repeat(64))).toMatch(/at most 63/);
    expect(checkNodeName("")).toMatch(/must not be empty/);
  });
});

describe("API key prefixes", () => {
  it("reads the prefix of both key formats, including a 0.28+ prefix that contains '-'", () => {
    // A well-formed key built here (never a real one): the prefix itself contains "-" and "_".
    expect(apiKeyPrefixOf(["hskey", "api", "J2F_e5FtejQ_", "x".repeat(44)].join("-"))).toBe("J2F_e5FtejQ_");
    expect(apiKeyPrefixOf("hskey-api-0123456789ab-cdef")).toBe("0123456789ab");
    expect(apiKeyPrefixOf("tAqd1Av.Xk3Lh2TJfG6cJXhkCrE8ZLxBXNXjw0_M")).toBe("tAqd1Av");
  });
});
