// Edits of examples/terraform-basic/main.tf that test/terraform/headscale.test.ts applies: each is a literal
// replacement, so a changed example fails loudly instead of silently testing nothing.
import { exampleTf } from "./headscaleWorkspace.js";

/** examples/terraform-basic/main.tf with literal replacements; fails if a replacement does not apply. */
export function edited(...edits: [string, string][]): string {
  let text = exampleTf;
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`examples/terraform-basic/main.tf no longer contains ${JSON.stringify(from)}`);
    text = text.replace(from, to);
  }
  return text;
}
export const renameBob: [string, string] = ['name         = "bob"', 'name         = "robert"'];
export const aliceDisplay: [string, string] = ['display_name = "Alice Admin"', 'display_name = "Alice A."'];
export const notReusable: [string, string] = ["reusable      = true", "reusable      = false"];
// Same meaning: spacing, a comment, and the groups moved below the rules.
export const reformatted: [string, string] = ['"group:dev": ["alice@", "bob@"],', '"group:dev" :[ "alice@","bob@" ] /* reformatted */,'];
export const newRule: [string, string] = [
  '{ "action": "accept", "src": ["group:dev"], "dst": ["tag:server:80,443"] },',
  '{ "action": "accept", "src": ["group:dev"], "dst": ["tag:server:80,443"] },\n        { "action": "accept", "src": ["group:admin"], "dst": ["tag:server:22"] },',
];
