// Turning a frontend's decoded inputs into a declaration's args, the same way for every frontend: values
// not known yet stay `Unknown` (at preview/plan), every known field is parsed by its zod schema (defaults
// and transforms apply), a required field left out is named, and once nothing is unknown the whole object
// is parsed so object-level rules run too. Frontends only turn the issues into their own reports.
import type { z } from "zod";
import { isOptionalInput, shapeOf } from "./fields.js";
import { isUnknown, Unknown } from "./declaration.js";

/** One problem with the inputs; `path[0]` is the field (camelCase), the rest a path inside its value. */
export interface ArgIssue {
  path: readonly PropertyKey[];
  message: string;
}

export interface PreparedArgs {
  args: Record<string, unknown>;
  issues: ArgIssue[];
}

/** True if the value is unknown or holds an unknown anywhere inside. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Args as seen at preview/plan: a field whose value is (or holds) an unknown is `Unknown`, every known
 * field is parsed on its own. When nothing is unknown the whole object is parsed too.
 */
export function plannedArgs(schema: z.ZodObject, values: Record<string, unknown>): PreparedArgs {
  const args: Record<string, unknown> = {};
  const issues: ArgIssue[] = [];
  let anyUnknown = false;
  for (const [key, fieldSchema] of Object.entries(shapeOf(schema))) {
    const value = values[key];
    if (containsUnknown(value)) {
      args[key] = Unknown;
      anyUnknown = true;
      continue;
    }
    if (value === undefined && !isOptionalInput(fieldSchema)) {
      issues.push({ path: [key], message: "is required" });
      continue;
    }
    const parsed = fieldSchema.safeParse(value);
    if (!parsed.success) issues.push(...parsed.error.issues.map((i) => ({ path: [key, ...i.path], message: i.message })));
    else if (parsed.data !== undefined) args[key] = parsed.data;
  }
  if (anyUnknown || issues.length) return { args, issues };
  return knownArgs(schema, values);
}

/** Args when every value is known (apply, create, update): the whole object parsed. */
export function knownArgs(schema: z.ZodObject, values: Record<string, unknown>): PreparedArgs {
  const input = Object.fromEntries(
    Object.keys(shapeOf(schema))
      .filter((k) => values[k] !== undefined)
      .map((k) => [k, values[k]]),
  );
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { args: input, issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) };
  return { args: parsed.data as Record<string, unknown>, issues: [] };
}
