// The policies both frontends' composition and guard tests use (test/terraform/policy-compose.test.ts,
// test/pulumi/policy-compose.test.ts): a base policy, three fragments, the same entries moved to other
// sources, and the texts of the out-of-band edit.
import { parsePolicyText } from "../../provider/policy/index.js";

/** The server's policy text, parsed (fails with the text when it does not parse). */
export function policyValue(text: string): Record<string, unknown> {
  const parsed = parsePolicyText(text);
  if (!parsed.ok) throw new Error(`the server's policy does not parse: ${parsed.message}\n${text}`);
  return parsed.value;
}

export const base = `{
  // Admins reach everything.
  "groups": { "group:admin": ["alice@"] },
  "acls": [{ "action": "accept", "src": ["group:admin"], "dst": ["*:*"] }],
}`;
export const teamGroups = `{
  "groups": {
    // The web team.
    "group:web": ["bob@"],
  },
}`;
export const tagOwners = `{ "tagOwners": { "tag:web": ["group:web"] } }`;
export const svcWeb = `{
  "acls": [
    // web traffic
    { "action": "accept", "src": ["group:web"], "dst": ["tag:web:80,443"] },
  ],
}`;
/** The three fragments with the base: what the server holds after the first apply. */
export const threeFragments = { "team-groups": teamGroups, "tag-owners": tagOwners, "svc-web": svcWeb };
export const mergedValue = {
  groups: { "group:admin": ["alice@"], "group:web": ["bob@"] },
  tagOwners: { "tag:web": ["group:web"] },
  acls: [
    { action: "accept", src: ["group:admin"], dst: ["*:*"] },
    { action: "accept", src: ["group:web"], dst: ["tag:web:80,443"] },
  ],
};
/** Comments of every source that the merged text keeps, and the fragments' headers. */
export const keptComments = [
  '// fragment "team-groups"',
  '// fragment "tag-owners"',
  '// fragment "svc-web"',
  "// The web team.",
  "// web traffic",
  "// Admins reach everything.",
];

// The same policy with the admin rule moved from the base to the end of svc-web (first in the merged
// order before, last now: acls only allow, so their order is no change) and group:web moved from
// team-groups into tag-owners.
export const baseWithoutRule = `{
  // Admins reach everything.
  "groups": { "group:admin": ["alice@"] },
}`;
export const ownersWithGroup = `{ "groups": { "group:web": ["bob@"] }, "tagOwners": { "tag:web": ["group:web"] } }`;
export const svcWebWithAdminRule = `{
  "acls": [
    // web traffic
    { "action": "accept", "src": ["group:web"], "dst": ["tag:web:80,443"] },
    { "action": "accept", "src": ["group:admin"], "dst": ["*:*"] },
  ],
}`;
export const moved = { "team-groups": "{}", "tag-owners": ownersWithGroup, "svc-web": svcWebWithAdminRule };
/** A fourth fragment that defines group:web differently from tag-owners. */
export const conflicting = {
  "tag-owners": ownersWithGroup,
  "svc-web": svcWebWithAdminRule,
  "svc-db": `{ "groups": { "group:web": ["alice@"] } }`,
};
export const conflictMessage = 'group:web is defined by fragment "svc-db" and by fragment "tag-owners" differently';
/** After removing svc-web (which then holds both rules). */
export const withoutSvcWeb = { "tag-owners": ownersWithGroup };
export const valueWithoutSvcWeb = { groups: { "group:admin": ["alice@"], "group:web": ["bob@"] }, tagOwners: { "tag:web": ["group:web"] } };

// The guard: what the program writes, then what someone sets with `headscale policy set`.
export const guardV1 = `{ "groups": { "group:ops": ["ops@"] }, "tagOwners": { "tag:ci": ["group:ops"] } }`;
export const guardV2 = `{ "groups": { "group:ops": ["ops@"] }, "tagOwners": { "tag:ci": ["group:ops"], "tag:web": ["group:ops"] } }`;
export const outOfBand = `{
  // edited by hand on the server
  "groups": { "group:ops": ["ops@"], "group:oncall": ["ops@"] },
  "tagOwners": { "tag:ci": ["group:ops"] },
}
`;
export const refusalMessage = "the server's policy was changed outside this program since this resource last wrote it (groups: group:oncall added)";
