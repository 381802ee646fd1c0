// Turning decoded configuration into the declaration's args: the core's argument preparation
// (provider/resources/prepare.ts), with its issues as diagnostics on the right attribute.
import type { z } from "zod";
import { knownArgs as knownCore, plannedArgs as plannedCore, type PreparedArgs } from "../resources/index.js";
import { fromArgIssues } from "./diagnostics.js";
import type { Diagnostic } from "./protocol/tfplugin6.js";
import type { ObjectModel } from "./schema.js";

export interface ParsedArgs {
  args: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

const withDiagnostics = (model: ObjectModel, p: PreparedArgs): ParsedArgs => ({
  args: p.args,
  diagnostics: fromArgIssues(model, p.issues),
});

/** Args as seen at plan time: unknown values stay `Unknown`. */
export const plannedArgs = (model: ObjectModel, schema: z.ZodObject, values: Record<string, unknown>): ParsedArgs =>
  withDiagnostics(model, plannedCore(schema, values));

/** Args at apply time, when every value is known. */
export const knownArgs = (model: ObjectModel, schema: z.ZodObject, values: Record<string, unknown>): ParsedArgs =>
  withDiagnostics(model, knownCore(schema, values));
