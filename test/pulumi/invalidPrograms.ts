// The invalid programs test/pulumi/preview-validation.test.ts previews, and what each failed preview must
// print (resource, field and fix).
import type { ProgramSpec } from "../programs/spec.js";

export const livePolicy = `{
  "groups": { "group:admin": ["alice@"] },
  "tagOwners": { "tag:server": ["group:admin"] },
  "acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }],
}`;

export interface Case {
  name: string;
  spec: ProgramSpec;
  /** Every pattern must appear in what the failed preview printed. */
  says: RegExp[];
}

/** The seed guide's policy as users paste it from older guides: 8 problems. */
export const seedGuidePolicy = `{
  "groups": { "group:admin": ["alice"], "group:family": ["bob@", "carol"] },
  "tagOwners": { "tag:server": ["group:admins"] },
  "hosts": { "nas": "192.168.1.10" },
  "acls": [
    { "action": "accept", "comment": "admins", "src": ["group:admin"], "dst": ["*:*"] },
    { "action": "accept", "src": ["family"], "dst": ["nas:445", "bob:*"] },
    { "action": "allow", "src": ["tag:web"], "dst": ["tag:server:80"] }
  ]
}`;

export const user = (over: object) => ({ users: [{ resource: "u", name: "valid-user", ...over }] });
export const key = (over: object) => ({ keys: [{ resource: "k", user: "alice", expiration: "1h", ...over }] });
export const policy = (text: string) => ({ policy: { resource: "p", policy: text, overwrite: true } });
export const routes = (over: object) => ({ nodeRoutes: [{ resource: "r", nodeId: "1", routes: ["10.0.0.0/24"], ...over }] });
export const node = (over: object) => ({ nodes: [{ resource: "n", nodeName: "web-1", ...over }] });
export const tags = (over: object) => ({ nodeTags: [{ resource: "n", nodeId: "1", tags: ["tag:server"], ...over }] });

export const cases: Case[] = [
  { name: "user name with spaces and punctuation", spec: user({ name: "Bad Name!" }), says: [/User\.name/, /use only letters, digits/] },
  { name: "empty user name", spec: user({ name: "" }), says: [/User\.name/, /must not be empty/] },
  { name: "user name starting with a digit", spec: user({ name: "1abc" }), says: [/User\.name/, /must start with a letter/] },
  { name: "email that is not an email", spec: user({ email: "not-an-email" }), says: [/User\.email/, /not an email address/] },
  { name: "picture URL that is not a URL", spec: user({ pictureUrl: "not a url" }), says: [/User\.pictureUrl/, /not a URL/] },
  {
    name: "key tag without tag: prefix",
    spec: key({ tags: ["server"] }),
    says: [/PreAuthKey\.tags/, /must start with "tag:"/, /tag:server/],
  },
  { name: "uppercase key tag", spec: key({ tags: ["tag:Server"] }), says: [/PreAuthKey\.tags/, /lowercase/, /tag:server/] },
  { name: "key tag missing from the live policy", spec: key({ tags: ["tag:db"] }), says: [/PreAuthKey\.tags/, /tag:db/, /tagOwners/] },
  {
    name: "key tag missing from the policy planned in the same program",
    spec: { ...policy(livePolicy), keys: [{ resource: "k", user: "alice", tags: ["tag:ci"], expiration: "1h", checkAgainstPolicy: true }] },
    says: [/PreAuthKey\.tags/, /tag:ci/, /policy given in `policy`/],
  },
  { name: "expiration in the past", spec: key({ expiration: "2020-01-01T00:00:00Z" }), says: [/PreAuthKey\.expiration/, /in the past/] },
  { name: "expiration that is neither a duration nor a time", spec: key({ expiration: "soon" }), says: [/PreAuthKey\.expiration/, /"1h"/] },
  {
    name: "rotateBefore that is not a duration",
    spec: key({ rotateBefore: "weekly" }),
    says: [/PreAuthKey\.rotateBefore/, /not a duration/],
  },
  {
    name: "key with neither user nor tags",
    spec: { keys: [{ resource: "k", expiration: "1h", tags: [] }] },
    says: [/PreAuthKey\.user/, /owning user, tags, or both/],
  },
  {
    name: "key for a user that does not exist",
    spec: key({ user: "ghost" }),
    says: [/PreAuthKey\.user/, /"ghost" does not exist/, /fix the spelling/],
  },
  {
    name: "malformed HuJSON",
    spec: policy(`{\n  "acls": [\n    { "action": "accept" "src": ["*"] }\n  ]\n}`),
    says: [/Policy\.policy/, /line 3, column \d+/],
  },
  { name: "JSON5-only syntax", spec: policy(`{ 'acls': [] }`), says: [/Policy\.policy/, /line 1/, /double quotes/i] },
  {
    name: "undefined group",
    spec: policy(`{"acls":[{"action":"accept","src":["group:nope"],"dst":["*:*"]}]}`),
    says: [/Policy\.policy/, /line 1, column 36: acls\[0\]\.src\[0\]/, /group:nope/],
  },
  {
    name: "undefined tag",
    spec: policy(`{"acls":[{"action":"accept","src":["*"],"dst":["tag:nope:22"]}]}`),
    says: [/Policy\.policy/, /tag:nope/, /tagOwners/],
  },
  {
    name: "bare user name from an old guide",
    spec: policy(`{"acls":[{"action":"accept","src":["alice"],"dst":["*:*"]}]}`),
    says: [/Policy\.policy/, /alice@/],
  },
  {
    name: "comment field inside an ACL entry",
    spec: policy(`{"acls":[{"action":"accept","comment":"web","src":["*"],"dst":["*:80"]}]}`),
    says: [/Policy\.policy/, /comment/, /\/\/ comment/],
  },
  { name: "node tags with no tag", spec: tags({ tags: [] }), says: [/NodeTags\.tags/, /at least one tag/] },
  { name: "node id that is not a number", spec: tags({ nodeId: "web-1" }), says: [/NodeTags\.nodeId/, /nodeName/] },
  { name: "node id that does not exist", spec: tags({ nodeId: "999" }), says: [/NodeTags\.nodeId/, /no node has id 999/] },
  { name: "node tag missing from the live policy", spec: tags({ tags: ["tag:db"] }), says: [/NodeTags\.tags/, /tag:db/, /tagOwners/] },
  { name: "node selected by both id and name", spec: tags({ nodeName: "web-1" }), says: [/NodeTags\.nodeName/, /not both/] },
  {
    name: "node selected by neither id nor name",
    spec: { nodeTags: [{ resource: "n", tags: ["tag:server"] }] },
    says: [/NodeTags\.nodeId/, /set nodeId or nodeName/],
  },
  {
    name: "node name that does not exist, without waitFor",
    spec: { nodeTags: [{ resource: "n", nodeName: "web-9", tags: ["tag:server"] }] },
    says: [/NodeTags\.nodeName/, /no node is named "web-9"/, /waitFor/],
  },
  { name: "node tag without tag: prefix", spec: tags({ tags: ["server"] }), says: [/NodeTags\.tags/, /must start with "tag:"/] },
  {
    name: "node waitFor that is not a duration",
    spec: { nodeTags: [{ resource: "n", nodeName: "web-1", waitFor: "a while", tags: ["tag:server"] }] },
    says: [/NodeTags\.waitFor/, /not a duration/],
  },
  { name: "user name starting with a dash", spec: user({ name: "-bob" }), says: [/User\.name/, /must start with a letter/] },
  { name: "a new key declared expired", spec: key({ expired: true }), says: [/PreAuthKey\.expired/, /cannot be created expired/] },
  { name: "expiration of zero", spec: key({ expiration: "0s" }), says: [/PreAuthKey\.expiration/, /in the past/] },
  {
    name: "policy action allow",
    spec: policy(`{"acls":[{"action":"allow","src":["*"],"dst":["*:*"]}]}`),
    says: [/Policy\.policy/, /"allow" is not supported/, /"accept"/],
  },
  {
    name: "policy autogroup:admin",
    spec: policy(`{"acls":[{"action":"accept","src":["autogroup:admin"],"dst":["*:*"]}]}`),
    says: [/Policy\.policy/, /autogroup:admin/, /group instead/],
  },
  {
    name: "policy destination without a port",
    spec: policy(`{"tagOwners":{"tag:server":["alice@"]},"acls":[{"action":"accept","src":["*"],"dst":["tag:server"]}]}`),
    says: [/Policy\.policy/, /has no port/, /tag:server:\*/],
  },
  {
    name: "policy host that is not an IP",
    spec: policy(`{"hosts":{"nas":"not-an-ip"},"acls":[]}`),
    says: [/Policy\.policy/, /hosts\.nas/, /not an IP address/],
  },
  {
    name: "policy port out of range",
    spec: policy(`{"acls":[{"action":"accept","src":["*"],"dst":["*:99999"]}]}`),
    says: [/Policy\.policy/, /port 99999/],
  },
  {
    name: "policy with the old users/ports syntax",
    spec: policy(`{"acls":[{"action":"accept","users":["*"],"ports":["*:*"]}]}`),
    says: [/Policy\.policy/, /rename it to "src"/],
  },
  {
    name: "policy group with a tag as member",
    spec: policy(`{"groups":{"group:x":["tag:server"]},"acls":[]}`),
    says: [/Policy\.policy/, /cannot be a group member/],
  },
  {
    name: "policy tagOwners key without tag: prefix",
    spec: policy(`{"tagOwners":{"server":["alice@"]}}`),
    says: [/Policy\.policy/, /use "tag:server"/],
  },
  {
    name: "policy SSH rule without users",
    spec: policy(`{"ssh":[{"action":"accept","src":["alice@"],"dst":["alice@"]}]}`),
    says: [/Policy\.policy/, /ssh\[0\]\.users/, /"root"/],
  },
  {
    name: "policy test with an undefined group",
    spec: policy(`{"tests":[{"src":"group:nope","accept":["*:22"]}]}`),
    says: [/Policy\.policy/, /tests\[0\]\.src/, /group:nope/],
  },
  { name: "empty policy text", spec: policy(``), says: [/Policy\.policy/, /write \{\}/] },
  { name: "policy that is an array", spec: policy(`[]`), says: [/Policy\.policy/, /JSON object/] },
  {
    name: "policy auto-approver route that is not a CIDR",
    spec: policy(`{"autoApprovers":{"routes":{"10.0.0.0/33":["alice@"]}}}`),
    says: [/Policy\.policy/, /10\.0\.0\.0\/33/, /CIDR/],
  },
  {
    name: "policy exit-node approver with an undefined tag",
    spec: policy(`{"autoApprovers":{"exitNode":["tag:nope"]}}`),
    says: [/Policy\.policy/, /tag:nope/, /tagOwners/],
  },
  {
    name: "policy source with a port",
    spec: policy(`{"acls":[{"action":"accept","src":["*:22"],"dst":["*:*"]}]}`),
    says: [/Policy\.policy/, /not a valid alias/],
  },
  {
    name: "the seed guide's policy with 8 problems",
    spec: policy(seedGuidePolicy),
    says: [/Policy\.policy/, /"alice@"/, /"carol@"/, /group:admins/, /comment/, /family@/, /bob@:\*/, /"allow"/, /tag:web/],
  },
  {
    name: "policy unknown protocol",
    spec: policy(`{"acls":[{"action":"accept","proto":"bogus","src":["*"],"dst":["*:*"]}]}`),
    says: [/Policy\.policy/, /unknown protocol "bogus"/],
  },
];

/** Routes, API keys and nodes: their own run (one driver process previews a bounded number of programs). */
export const tailnetCases: Case[] = [
  {
    name: "malformed route CIDR",
    spec: routes({ routes: ["10.0.0/24"] }),
    says: [/NodeRoutes\.routes/, /"10\.0\.0\/24" is not a CIDR/, /"10\.0\.0" is not an IPv4 address/],
  },
  { name: "route prefix length out of range", spec: routes({ routes: ["10.0.0.0/33"] }), says: [/NodeRoutes\.routes/, /at most \/32/] },
  {
    name: "route with host bits set",
    spec: routes({ routes: ["10.0.0.1/24"] }),
    says: [/NodeRoutes\.routes/, /host bits set/, /"10\.0\.0\.0\/24"/],
  },
  {
    name: "IPv6 route with host bits set",
    spec: routes({ routes: ["fd00::1/64"] }),
    says: [/NodeRoutes\.routes/, /host bits set/, /"fd00::\/64"/],
  },
  {
    name: "routes for a node name that does not exist, without waitFor",
    spec: routes({ nodeId: undefined, nodeName: "ghost" }),
    says: [/NodeRoutes\.nodeName/, /no node is named "ghost"/, /waitFor/],
  },
  { name: "routes for a node id that does not exist", spec: routes({ nodeId: "999" }), says: [/NodeRoutes\.nodeId/, /no node has id 999/] },
  {
    name: "API key expiration in the past",
    spec: { apiKeys: [{ resource: "a", expiration: "2020-01-01T00:00:00Z" }] },
    says: [/ApiKey\.expiration/, /in the past/],
  },
  {
    name: "API key rotateBefore that is not a duration",
    spec: { apiKeys: [{ resource: "a", rotateBefore: "monthly" }] },
    says: [/ApiKey\.rotateBefore/, /not a duration/],
  },
  {
    name: "node rename to an invalid DNS label",
    spec: node({ givenName: "Web_01" }),
    says: [/Node\.givenName/, /not a DNS label/, /"web-01"/],
  },
  {
    name: "node rename to a name another node has",
    spec: { nodes: [{ resource: "n", nodeName: "web-1", givenName: "db-1" }] },
    says: [/Node\.givenName/, /already has the name "db-1"/],
  },
  { name: "node key expiry in the past", spec: node({ keyExpiry: "2020-01-01T00:00:00Z" }), says: [/Node\.keyExpiry/, /in the past/] },
  {
    name: "node key expiry that is not a time",
    spec: node({ keyExpiry: "90d" }),
    says: [/Node\.keyExpiry/, /"never" or an RFC 3339 time/],
  },
  {
    name: "node settings for a node name that does not exist, without waitFor",
    spec: node({ nodeName: "ghost" }),
    says: [/Node\.nodeName/, /no node is named "ghost"/, /waitFor/],
  },
];
