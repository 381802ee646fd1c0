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

/** Rules of Headscale's validateTag, plus a non-empty name after the prefix. */
export function checkTag(tag: string): string | undefined {
  if (!tag.startsWith("tag:")) return `"${tag}" must start with "tag:" (e.g. "tag:${tag.replace(/^[^:]*:/, "") || "server"}")`;
  if (tag.length === 4) return `"${tag}" needs a name after "tag:"`;
  if (tag.toLowerCase() !== tag) return `"${tag}" must be lowercase ("${tag.toLowerCase()}")`;
  if (/\s/.test(tag)) return `"${tag}" must not contain spaces`;
  return undefined;
}
