// A corpus of policy `tests` over three nodes (alice-laptop, bob-laptop, a tag:server node), each with the
// verdict it must get: Headscale 0.29's check and the provider's local evaluator both have to agree with it.
// Addresses are the nodes' real ones, filled in once the nodes are registered.

export interface CorpusNodes {
  alice: { v4: string; v6: string };
  bob: { v4: string; v6: string };
  server: { v4: string; v6: string };
}

export interface CorpusTest {
  why: string;
  test: { src: string; proto?: string; accept?: string[]; deny?: string[] };
  passes: boolean;
  /** Uses `grants` (Headscale 0.29+ only). */
  grants?: boolean;
}

export function corpusPolicy(n: CorpusNodes, withGrants: boolean): Record<string, unknown> {
  return {
    groups: { "group:admin": ["alice@"], "group:dev": ["alice@", "bob@"], "group:nobody": [] },
    tagOwners: { "tag:server": ["group:admin"], "tag:db": ["group:admin"] },
    hosts: { "server-host": `${n.server.v4}/32`, "bob-host": `${n.bob.v4}/32`, "tailnet-v4": "100.64.0.0/10" },
    acls: [
      { action: "accept", src: ["group:admin"], dst: ["*:*"] },
      { action: "accept", src: ["group:dev"], dst: ["tag:server:80,443"] },
      { action: "accept", src: ["bob@"], dst: ["tag:server:8000-8100"] },
      { action: "accept", src: ["bob@"], proto: "udp", dst: ["server-host:53"] },
      { action: "accept", src: ["tag:server"], dst: ["autogroup:member:22"] },
      { action: "accept", src: ["autogroup:member"], dst: ["autogroup:self:*"] },
      { action: "accept", src: ["bob-host"], proto: "tcp", dst: ["alice@:3389"] },
    ],
    ...(withGrants
      ? {
          grants: [
            { src: ["tag:server"], dst: ["tag:server"], ip: ["tcp:5432"] },
            { src: ["bob@"], dst: ["tag:server"], ip: ["9000-9010"] },
          ],
        }
      : {}),
  };
}

export function corpusTests(n: CorpusNodes): CorpusTest[] {
  return [
    {
      why: "a user in an admin group reaches everything",
      test: { src: "alice@", accept: ["tag:server:22", "bob@:22", "server-host:5432"] },
      passes: true,
    },
    { why: "a group as source", test: { src: "group:admin", accept: ["tag:server:65535"] }, passes: true },
    { why: "a user's listed ports", test: { src: "bob@", accept: ["tag:server:80", "tag:server:443"] }, passes: true },
    { why: "a port the user does not have", test: { src: "bob@", accept: ["tag:server:22"] }, passes: false },
    { why: "deny holds for ports not granted", test: { src: "bob@", deny: ["tag:server:22", "alice@:22"] }, passes: true },
    { why: "every member of a group reaches a shared port", test: { src: "group:dev", accept: ["tag:server:443"] }, passes: true },
    {
      why: "a group passes only if every member reaches (alice can, bob cannot)",
      test: { src: "group:dev", accept: ["tag:server:8200"] },
      passes: false,
    },
    { why: "inside a port range", test: { src: "bob@", accept: ["tag:server:8050"] }, passes: true },
    { why: "just outside a port range", test: { src: "bob@", accept: ["tag:server:8101"] }, passes: false },
    { why: "a udp rule to a host, tested as udp", test: { src: "bob@", proto: "udp", accept: ["server-host:53"] }, passes: true },
    { why: "a udp rule does not allow tcp", test: { src: "bob@", proto: "tcp", accept: ["server-host:53"] }, passes: false },
    { why: "without proto a udp rule counts (deny fails)", test: { src: "bob@", deny: ["server-host:53"] }, passes: false },
    { why: "a tag as source", test: { src: "tag:server", accept: ["alice@:22", "bob@:22"] }, passes: true },
    { why: "autogroup:member as destination", test: { src: "tag:server", accept: ["autogroup:member:22"] }, passes: true },
    { why: "a tagged node reaches only port 22 of members", test: { src: "tag:server", deny: ["alice@:80"] }, passes: true },
    { why: "a tagged node cannot reach port 80 of a member", test: { src: "tag:server", accept: ["alice@:80"] }, passes: false },
    {
      why: "autogroup:member as source, a port both members have",
      test: { src: "autogroup:member", accept: ["tag:server:443"] },
      passes: true,
    },
    {
      why: "autogroup:member as source, a port only alice has",
      test: { src: "autogroup:member", accept: ["tag:server:22"] },
      passes: false,
    },
    { why: "autogroup:tagged as source", test: { src: "autogroup:tagged", accept: ["bob@:22"] }, passes: true },
    { why: "autogroup:tagged has nothing else", test: { src: "autogroup:tagged", accept: ["bob@:3389"] }, passes: false },
    { why: "a host as source, tcp", test: { src: "bob-host", proto: "tcp", accept: ["alice@:3389"] }, passes: true },
    { why: "a host as source, udp is not granted", test: { src: "bob-host", proto: "udp", accept: ["alice@:3389"] }, passes: false },
    { why: "an IP as source", test: { src: n.bob.v4, accept: ["tag:server:80"] }, passes: true },
    { why: "an admin's IP reaches any port (deny fails)", test: { src: n.alice.v4, deny: ["bob@:9999"] }, passes: false },
    { why: "a CIDR source overlapping the granted nodes", test: { src: "100.64.0.0/10", accept: ["tag:server:80"] }, passes: true },
    { why: "a host naming a CIDR, overlapping an admin (deny fails)", test: { src: "tailnet-v4", deny: ["tag:server:22"] }, passes: false },
    { why: "an admin reaches their own other addresses through *:*", test: { src: "alice@", accept: ["alice@:22"] }, passes: true },
    {
      why: "autogroup:self is not part of the global filter tests run against",
      test: { src: "bob@", accept: ["bob@:5000"] },
      passes: false,
    },
    { why: "a user with no nodes resolves to nothing", test: { src: "carol@", accept: ["tag:server:80"] }, passes: false },
    { why: "an empty group resolves to nothing", test: { src: "group:nobody", deny: ["tag:server:80"] }, passes: false },
    { why: "a tag with no nodes as destination", test: { src: "alice@", accept: ["tag:db:22"] }, passes: false },
    {
      why: "* as source: every tailnet prefix must reach, and most hold no node",
      test: { src: "*", accept: ["tag:server:80"] },
      passes: false,
    },
    { why: "a bracketed IPv6 destination", test: { src: "alice@", accept: [`[${n.server.v6}]:22`] }, passes: true },
    { why: "an IP destination", test: { src: "bob@", accept: [`${n.server.v4}:443`] }, passes: true },
    {
      why: "a CIDR destination, even /32, is refused (tests name one host)",
      test: { src: "alice@", accept: [`${n.server.v4}/32:443`] },
      passes: false,
    },
    { why: "a host naming a CIDR is refused as a test destination", test: { src: "alice@", accept: ["tailnet-v4:22"] }, passes: false },
    { why: "a host naming one address is a fine destination", test: { src: "bob@", accept: ["server-host:443"] }, passes: true },
    { why: "an IPv6 source", test: { src: n.bob.v6, accept: ["tag:server:443"], deny: ["tag:server:22"] }, passes: true },
    {
      why: "a tcp grant, tested as tcp",
      test: { src: "tag:server", proto: "tcp", accept: ["tag:server:5432"] },
      passes: true,
      grants: true,
    },
    {
      why: "a tcp grant does not allow udp",
      test: { src: "tag:server", proto: "udp", accept: ["tag:server:5432"] },
      passes: false,
      grants: true,
    },
    {
      why: "a grant with a bare port range, any protocol",
      test: { src: "bob@", proto: "udp", accept: ["tag:server:9005"] },
      passes: true,
      grants: true,
    },
    { why: "outside a grant's range", test: { src: "bob@", accept: ["tag:server:9011"] }, passes: false, grants: true },
  ];
}
