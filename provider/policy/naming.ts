// Naming rules: what Headscale accepts as a user, tag, group, host or node name. Dependency-free, so the
// client (which guards the API: Headscale's API accepted "Bad Name!"), the policy checks and the resources
// all share one copy. It lives in the policy package because that package may import nothing else of
// ours, while the client may import it. Each check returns a message with the fix, or undefined.

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

/**
 * Checks a tag name. Combines the rules of Headscale's API (SetTags and pre-auth keys: `tag:` prefix,
 * lowercase, no spaces) and of its policy parser (0.29+: the name starts with a letter), so a tag
 * accepted here is accepted everywhere.
 */
export function checkTag(tag: unknown): string | undefined {
  if (typeof tag !== "string") return `a tag must be a string like "tag:web", got ${describeValue(tag)}`;
  if (!tag.startsWith(TAG_PREFIX)) {
    const lower = tag.toLowerCase();
    const fixed = lower.startsWith(TAG_PREFIX) ? lower : `${TAG_PREFIX}${tag}`;
    return `tag ${JSON.stringify(tag)} must start with "tag:"; use ${JSON.stringify(fixed.toLowerCase().replace(/\s+/g, "-"))}`;
  }
  const name = tag.slice(TAG_PREFIX.length);
  if (name === "") return `tag "tag:" has an empty name; write e.g. "tag:web"`;
  if (/\s/.test(tag)) return `tag ${JSON.stringify(tag)} must not contain spaces; use ${JSON.stringify(tag.replace(/\s+/g, "-"))}`;
  if (tag !== tag.toLowerCase())
    return `tag ${JSON.stringify(tag)} must be lowercase (Headscale's API rejects it otherwise); use ${JSON.stringify(tag.toLowerCase())}`;
  if (!/^[a-z]/.test(name))
    return `tag ${JSON.stringify(tag)} must start with a letter after "tag:" (Headscale 0.29+ rejects it otherwise); e.g. ${JSON.stringify(`tag:t${name}`)}`;
  return undefined;
}

export const TAG_PREFIX = "tag:";
export const GROUP_PREFIX = "group:";
export const AUTOGROUP_PREFIX = "autogroup:";

/** A policy group's name: `group:<name>`. */
export function checkGroupName(name: string): string | undefined {
  if (!name.startsWith(GROUP_PREFIX)) return `group names must start with "group:"; rename it to ${JSON.stringify(`${GROUP_PREFIX}${name}`)}`;
  return undefined;
}

/** A name in the policy's `hosts`: a plain word (an "@" would make it a user, a ":" a group, tag or IP). */
export function checkHostName(name: string): string | undefined {
  if (name.includes("@") || name.includes(":") || name === "")
    return `${JSON.stringify(name)} is not a valid host name (no "@" or ":" allowed); use a plain name like "db-server"`;
  return undefined;
}

/** A node's given name is its MagicDNS label: 1–63 lowercase letters, digits and '-', not at either end. */
export function checkNodeName(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (name.length > 63) return `"${name}" is ${name.length} characters long: a DNS label has at most 63`;
  if (!/^[a-z0-9-]+$/.test(name)) {
    const suggestion = name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 63);
    return `"${name}" is not a DNS label: use only lowercase letters, digits and '-'${suggestion ? ` (e.g. "${suggestion}")` : ""}`;
  }
  if (name.startsWith("-") || name.endsWith("-")) return `"${name}" must not start or end with '-'`;
  return undefined;
}

/** How messages name a wrong value: a string quoted, anything else by its kind. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
