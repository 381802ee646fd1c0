// Text that names things structurally: a field, a provider setting, or an action whose words depend on
// the frontend (adopting an existing object, referencing one created in the same run). Core messages are
// written once with `text`; each frontend renders them in its own spelling (Terraform: snake_case
// attributes, the provider block, import blocks; Pulumi: camelCase, stack config). Dependency-free: every
// layer may use it.

export type Ref =
  /** A field of the resource the text is about, in the declaration's (camelCase) spelling. */
  | { field: string }
  /** A provider setting (provider/resources/settings.ts), by its key. */
  | { setting: string }
  /** How to take over an existing object of a resource: by import (with `importId`), by a field that adopts, or by copying it from a lookup. */
  | { adopt: string; how: AdoptWays }
  /** How to point at an object another resource creates in the same run (by its output field). */
  | { createdInRun: string; output: string };

export interface AdoptWays {
  /** The id a Terraform import takes, if it is always the same (the policy: "policy"). */
  importId?: string;
  /** A field of the resource that adopts an existing object (a user's adoptExisting). */
  field?: string;
  /** A lookup (data source) that reads the existing object, to copy it into the program. */
  lookup?: string;
}

export interface Text {
  readonly parts: readonly (string | Ref)[];
}

/** A plain string, or text with structural references. */
export type Message = string | Text;

export const ref = {
  field: (name: string): Ref => ({ field: name }),
  setting: (key: string): Ref => ({ setting: key }),
  adopt: (resource: string, how: AdoptWays = {}): Ref => ({ adopt: resource, how }),
  createdInRun: (resource: string, output: string): Ref => ({ createdInRun: resource, output }),
};

const isText = (v: unknown): v is Text => typeof v === "object" && v !== null && Array.isArray((v as Text).parts);

/** Tagged template: text`set ${ref.field("nodeId")} or ${ref.field("nodeName")}`. Values may be Text too. */
export function text(strings: TemplateStringsArray, ...values: Array<string | number | boolean | undefined | null | Ref | Text>): Text {
  const parts: (string | Ref)[] = [];
  strings.forEach((s, i) => {
    if (s) parts.push(s);
    if (i >= values.length) return;
    const v = values[i];
    if (isText(v)) parts.push(...v.parts);
    else if (typeof v === "object" && v !== null) parts.push(v);
    else parts.push(String(v));
  });
  return { parts };
}

/** How one frontend spells the references. */
export interface Spelling {
  field(name: string): string;
  setting(key: string): string;
  adopt(resource: string, how: AdoptWays): string;
  createdInRun(resource: string, output: string): string;
}

/**
 * The declarations' own spelling, for logs and errors no frontend renders (the CLI, tests). A setting is
 * named by its key and its environment variable (settings.ts declares both; the variable follows the key).
 */
export const declarationSpelling: Spelling = {
  field: (name) => name,
  setting: (key) => `${key} or HEADSCALE_${key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`,
  adopt: (resource, how) => (how.field ? `set ${how.field}` : `adopt the existing ${resource}`),
  createdInRun: (resource, output) => `reference that ${resource}'s ${output}`,
};

export function render(message: Message, spelling: Spelling = declarationSpelling): string {
  if (typeof message === "string") return message;
  return message.parts
    .map((p) => {
      if (typeof p === "string") return p;
      if ("field" in p) return spelling.field(p.field);
      if ("setting" in p) return spelling.setting(p.setting);
      if ("adopt" in p) return spelling.adopt(p.adopt, p.how);
      return spelling.createdInRun(p.createdInRun, p.output);
    })
    .join("");
}
