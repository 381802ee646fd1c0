// User-facing errors travel as diagnostics (not gRPC status), pointing at the attribute they are about so
// Terraform can show the offending line of configuration.
import type { z } from "zod";
import type { Problem } from "../resources/declaration.js";
import { Severity, type AttributePath, type Diagnostic } from "./protocol/tfplugin6.js";
import { terraformSpelling, type ObjectModel } from "./schema.js";

export function error(summary: string, detail?: string, attribute?: AttributePath): Diagnostic {
  return { severity: Severity.ERROR, summary, detail, attribute };
}

export function warning(summary: string, detail?: string, attribute?: AttributePath): Diagnostic {
  return { severity: Severity.WARNING, summary, detail, attribute };
}

export const hasErrors = (diagnostics: Diagnostic[]): boolean => diagnostics.some((d) => d.severity === Severity.ERROR);

/** The attribute path of a declaration field (camelCase) plus an optional zod sub-path below it. */
export function pathOf(model: ObjectModel, fieldKey: string | undefined, below: readonly PropertyKey[] = []): AttributePath | undefined {
  const attr = fieldKey === undefined ? undefined : model.byKey.get(fieldKey);
  if (!attr) return undefined;
  return { steps: [{ attributeName: attr.name }, ...attr.codec.pathSteps(below)] };
}

export function fromProblems(model: ObjectModel, problems: Problem[]): Diagnostic[] {
  return problems.map((p) => {
    const attribute = pathOf(model, p.field);
    // A problem naming a field the schema does not have still reaches the user, without a location.
    const message = terraformSpelling(model, p.message);
    const summary = p.field && !attribute ? `${p.field}: ${message}` : message;
    return p.severity === "warning" ? warning(summary, undefined, attribute) : error(summary, undefined, attribute);
  });
}

export function fromZodIssues(model: ObjectModel, issues: readonly z.core.$ZodIssue[], fieldKey?: string): Diagnostic[] {
  return issues.map((issue) => {
    const [head, ...rest] = fieldKey === undefined ? issue.path : [fieldKey, ...issue.path];
    const attribute = typeof head === "string" ? pathOf(model, head, rest) : undefined;
    const name = typeof head === "string" ? (model.byKey.get(head)?.name ?? head) : undefined;
    return error(name ? `Invalid ${name}` : "Invalid configuration", issue.message, attribute);
  });
}

/** An exception from a declaration or the client, as a diagnostic (the stack goes to the log). */
export function fromException(summary: string, e: unknown): Diagnostic {
  const detail = e instanceof Error ? e.message : String(e);
  return error(summary, detail);
}
