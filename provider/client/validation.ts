// Input rules Headscale's own tools enforce but its API does not (it accepted "Bad Name!"), so the
// provider is the only guard. Each returns a message with the fix, or undefined when the value is fine.

/** Rules of Headscale's ValidateUsername: ≥2 chars, starts with a letter, letters/digits/-._ and at most one @. */
export function checkUserName(name: string): string | undefined {
  if (name.trim() === "") return "must not be empty";
  if (name.length < 2) return `"${name}" is too short: use at least 2 characters`;
  if (!/^\p{L}/u.test(name)) return `"${name}" must start with a letter`;
  const bad = [...name].find((c) => !/[\p{L}\p{N}._@-]/u.test(c));
  if (bad !== undefined) return `"${name}" contains '${bad}': use only letters, digits, '-', '.', '_' and one '@'`;
  if (name.split("@").length > 2) return `"${name}" has more than one '@'`;
  return undefined;
}

/** Tag rules live with the policy tooling (one place for the API's and the policy parser's rules). */
export { isValidTag as checkTag } from "../policy/validate.js";

/** A node's given name is its MagicDNS label: 1–63 lowercase letters, digits and '-', not at either end. */
export function checkNodeName(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.length > 63) return `"${name}" is ${name.length} characters long: a DNS label has at most 63`;
  if (!/^[a-z0-9-]+$/.test(name)) {
    const suggestion = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
    return `"${name}" is not a DNS label: use only lowercase letters, digits and '-'${suggestion ? ` (e.g. "${suggestion}")` : ""}`;
  }
  if (name.startsWith("-") || name.endsWith("-")) return `"${name}" must not start or end with '-'`;
  return undefined;
}
