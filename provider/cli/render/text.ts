// Literal values for generated source files, and the notes every format writes about what it left out.
import type { Inventory, KeyNote } from "../inventory.js";

/** A TypeScript template literal whose value is exactly `text` (the policy, verbatim). */
export function tsTemplate(text: string): string {
  return "`" + text.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${") + "`";
}

/** A TypeScript literal for an input value (strings, booleans, string arrays). */
export function tsValue(v: unknown): string {
  if (typeof v === "string") return v.includes("\n") ? tsTemplate(v) : JSON.stringify(v);
  return JSON.stringify(v);
}

/** A TypeScript property key: bare when it can be. */
export const tsKey = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

/**
 * TypeScript properties for an object's inputs. Multi-line text (the policy) becomes a top-level constant
 * pushed to `hoisted`, verbatim: a template literal cannot be indented without changing its value.
 */
export function tsProps(name: string, args: Record<string, unknown>, hoisted: string[]): string[] {
  return Object.entries(args).map(([k, v]) => {
    if (typeof v === "string" && v.includes("\n")) {
      const constName = `${name}Text`;
      hoisted.push(`const ${constName} = ${tsTemplate(v)};`);
      return `${tsKey(k)}: ${constName}`;
    }
    return `${tsKey(k)}: ${tsValue(v)}`;
  });
}

/** The inputs of a key like a live one (owner as a reference, `userRef`), for the suggested replacement. */
export function keyExampleFields(k: KeyNote, userRef: (ownerName: string) => string): Array<[string, string]> {
  return [
    ...(k.owner ? [["user", userRef(k.owner.name)] as [string, string]] : []),
    ...(k.tags.length ? [["tags", JSON.stringify(k.tags)] as [string, string]] : []),
    ...(k.reusable ? [["reusable", "true"] as [string, string]] : []),
    ...(k.ephemeral ? [["ephemeral", "true"] as [string, string]] : []),
    ["expiration", `"${suggestedExpiration(k)}"`],
  ];
}

export const keyExampleName = (k: KeyNote) => `${k.owner?.name ?? "tagged"}_key`;

/** HCL reads `${` and `%{` in strings and heredocs as templates: `$${` and `%%{` are the literal text. */
const escapeTemplates = (s: string) => s.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");

/** An HCL quoted string: JSON escapes plus HCL's template sequences. */
export function hclString(s: string): string {
  return escapeTemplates(JSON.stringify(s));
}

/** An HCL heredoc whose value is `text` (plus the newline a heredoc always ends with, unless it has one). */
export function hclHeredoc(text: string): string {
  let marker = "EOT";
  const lines = text.split("\n");
  for (let i = 2; lines.some((l) => l.trim() === marker); i++) marker = `EOT${i}`;
  const body = escapeTemplates(text);
  return `<<${marker}\n${body.endsWith("\n") ? body : `${body}\n`}${marker}`;
}

export function hclValue(v: unknown): string {
  if (typeof v === "string") return v.includes("\n") ? hclHeredoc(v) : hclString(v);
  if (Array.isArray(v)) return `[${v.map(hclValue).join(", ")}]`;
  return JSON.stringify(v);
}

/** One line per live key: prefix, owner, tags, expiry, flags. */
export function keyLine(k: KeyNote): string {
  const owner = k.ownerName ? `user ${k.ownerName}` : "tag-only";
  const flags = [k.reusable ? "reusable" : "single-use", ...(k.ephemeral ? ["ephemeral"] : []), ...(k.used ? ["used"] : [])].join(", ");
  return `${k.prefix}  ${owner}  tags: ${k.tags.join(", ") || "none"}  expires: ${k.expiresAt ?? "never"}  (${flags})`;
}

export const KEYS_NOT_ADOPTED =
  "Pre-auth keys are not imported: Headscale returns a key's secret only when the key is created, so an existing key can never be managed from code. The live keys are listed here; declare new keys in code where you want them, and revoke the old ones with `headscale-iac key revoke PREFIX` once nothing uses them.";

/** The comment block (each line prefixed with `marker`) about keys and anything else left out. */
export function notesBlock(inv: Inventory, marker: string, exampleFor: (k: KeyNote) => string | undefined): string {
  const out: string[] = [];
  const wrap = (text: string) => text.match(/.{1,100}(\s|$)/g)!.map((l) => `${marker} ${l.trimEnd()}`);
  if (inv.keys.length > 0 || inv.expiredKeys > 0) {
    out.push(...wrap(KEYS_NOT_ADOPTED));
    for (const k of inv.keys) {
      out.push(`${marker}   ${keyLine(k)}`);
      const ex = exampleFor(k);
      if (ex) ex.split("\n").forEach((line, i) => out.push(`${marker}     ${i === 0 ? "e.g. " : "     "}${line}`));
    }
    if (inv.expiredKeys > 0) out.push(`${marker}   (and ${inv.expiredKeys} expired key(s))`);
  }
  for (const n of inv.notImported) out.push(...wrap(`Not imported: ${n}.`));
  return out.join("\n");
}

/** An expiration to suggest for a replacement of a live key: its remaining lifetime, rounded to days or hours. */
export function suggestedExpiration(k: KeyNote): string {
  if (!k.expiresAt) return "90d";
  const ms = new Date(k.expiresAt).getTime() - Date.now();
  const days = Math.round(ms / 86_400_000);
  return days >= 1 ? `${days}d` : `${Math.max(1, Math.round(ms / 3_600_000))}h`;
}
