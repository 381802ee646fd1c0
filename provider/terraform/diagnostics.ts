// User-facing errors travel as diagnostics (not gRPC status), pointing at the attribute they are about so
// Terraform can show the offending line of configuration.
import { errorMessage, type ArgIssue, type Problem } from "../resources/index.js";
import { Severity, type AttributePath, type Diagnostic } from "./protocol/tfplugin6.js";
import type { ObjectModel } from "./schema.js";
import { renderTerraform, terraformSpelling } from "./spelling.js";

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
    const message = renderTerraform(p.message);
    const summary = p.field && !attribute ? `${terraformSpelling.field(p.field)}: ${message}` : message;
    return p.severity === "warning" ? warning(summary, undefined, attribute) : error(summary, undefined, attribute);
  });
}

/** Issues of the core's argument preparation, on the attribute (and element) they are about. */
export function fromArgIssues(model: ObjectModel, issues: readonly ArgIssue[]): Diagnostic[] {
  return issues.map((issue) => {
    const [head, ...rest] = issue.path;
    const attribute = typeof head === "string" ? pathOf(model, head, rest) : undefined;
    const name = typeof head === "string" ? (model.byKey.get(head)?.name ?? head) : undefined;
    return error(name ? `Invalid ${name}` : "Invalid configuration", issue.message, attribute);
  });
}

/** An exception from a declaration or the client, as a diagnostic (the stack goes to the log). */
export function fromException(summary: string, e: unknown): Diagnostic {
  return error(summary, errorMessage(e, terraformSpelling));
}
