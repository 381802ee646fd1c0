// Turning decoded configuration into the declaration's args: zod does the validation and the defaults,
// and its issues become diagnostics on the right attribute.
import type { z } from "zod";
import { Unknown } from "../resources/declaration.js";
import { fromZodIssues } from "./diagnostics.js";
import type { Diagnostic } from "./protocol/tfplugin6.js";
import type { ObjectModel } from "./schema.js";
import { containsUnknown } from "./types.js";

export interface ParsedArgs {
  args: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

/**
 * Args as seen at plan time: a field whose value is (or holds) an unknown is `Unknown`, every known field
 * is parsed on its own. When nothing is unknown the whole object is parsed too, so object-level rules run.
 */
export function plannedArgs(model: ObjectModel, schema: z.ZodObject, values: Record<string, unknown>): ParsedArgs {
  const shape = schema.shape as Record<string, z.ZodType>;
  const args: Record<string, unknown> = {};
  const diagnostics: Diagnostic[] = [];
  let anyUnknown = false;
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const value = values[key];
    if (containsUnknown(value)) {
      args[key] = Unknown;
      anyUnknown = true;
      continue;
    }
    const parsed = fieldSchema.safeParse(value);
    if (!parsed.success) diagnostics.push(...fromZodIssues(model, parsed.error.issues, key));
    else if (parsed.data !== undefined) args[key] = parsed.data;
  }
  if (anyUnknown || diagnostics.length) return { args, diagnostics };
  return knownArgs(model, schema, values);
}

/** Args at apply time, when every value is known. */
export function knownArgs(model: ObjectModel, schema: z.ZodObject, values: Record<string, unknown>): ParsedArgs {
  const shape = schema.shape as Record<string, z.ZodType>;
  const input = Object.fromEntries(Object.keys(shape).filter((k) => values[k] !== undefined).map((k) => [k, values[k]]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { args: input, diagnostics: fromZodIssues(model, parsed.error.issues) };
  return { args: parsed.data as Record<string, unknown>, diagnostics: [] };
}
