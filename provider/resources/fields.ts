// The one place that looks inside zod schemas. Every consumer (the Terraform schema and codecs, the Pulumi
// argument checks, the reference docs) asks here what a field is: its metadata, whether it may be left
// out, and its value type, so "set of string" in the docs is the set Terraform sees.
import { z } from "zod";
import type { Message } from "../client/index.js";

export interface FieldMeta {
  /** Text naming other fields structurally (`text` from ./text.js), so each frontend spells them. */
  description: Message;
  /** Set by the server or the provider; never by the user. */
  computed?: boolean;
  /** Optional input that the provider fills in when the user leaves it out (e.g. a normalised value). */
  defaulted?: boolean;
  /** Masked in output, encrypted/sensitive in state. */
  secret?: boolean;
  /** A change to this input replaces the object. */
  forcesReplacement?: boolean;
  /** An array whose order and duplicates never matter (tags, routes): compared as a set, a set in Terraform. */
  set?: boolean;
  /** Read only by checks (e.g. the policy to check tags against): a new value is never a change to the object. */
  checkOnly?: boolean;
  /** Two values that mean the same (a reformatted policy) are no change. Default: plain equality. */
  equivalent?: (a: unknown, b: unknown) => boolean;
}

export const fieldMeta = z.registry<FieldMeta>();

/** Attaches metadata to a zod field: `name: field(z.string(), { description: "…" })`. */
export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  fieldMeta.add(schema, meta);
  return schema;
}

/** Structural view of zod's internal definition: stable across zod 4 minors, not exported as a type. */
interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  values?: unknown[];
  getter?: () => z.ZodType;
}
interface ZodInternals {
  def: ZodDef;
  optin?: string;
}
const internals = (schema: z.ZodType): ZodInternals => (schema as { _zod: ZodInternals })._zod;

/** Wrappers that change optionality or parsing but not the value's type. */
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional", "success"]);

/** Metadata of a field, looking through optional/nullable/default wrappers. */
export function metaOf(schema: z.ZodType): FieldMeta | undefined {
  for (let s: z.ZodType | undefined = schema; s; s = internals(s).def.innerType) {
    const m = fieldMeta.get(s);
    if (m) return m;
  }
  return undefined;
}

/** Looks through optional/default/readonly/pipe/lazy wrappers to the schema that decides the type. */
export function unwrap(schema: z.ZodType): z.ZodType {
  for (;;) {
    const def = internals(schema).def;
    if (WRAPPERS.has(def.type) && def.innerType) schema = def.innerType;
    else if (def.type === "pipe" && def.in)
      schema = def.in; // the input side: what users write
    else if (def.type === "lazy" && def.getter) schema = def.getter();
    else return schema;
  }
}

/** True when the field may be left out of the input (optional, or has a default). */
export function isOptionalInput(schema: z.ZodType): boolean {
  return internals(schema).optin === "optional";
}

/** The shape of a zod object: field name → schema. */
export const shapeOf = (o: z.ZodObject): Record<string, z.ZodType> => o.shape as Record<string, z.ZodType>;

/** A field's value type, as every frontend sees it. */
export type FieldType =
  | { kind: "string" | "number" | "bool" }
  | { kind: "list" | "set"; element: FieldType }
  | { kind: "map"; element: FieldType }
  | { kind: "object"; fields: Record<string, FieldType> };

/**
 * The value type of a field. An array whose metadata says `set` (tags, routes: order and duplicates carry
 * no meaning in Headscale) is a set when its elements are plain values; every other array is a list.
 */
export function fieldType(schema: z.ZodType, where: string): FieldType {
  const def = internals(unwrap(schema)).def;
  switch (def.type) {
    case "string":
    case "enum":
    case "template_literal":
      return { kind: "string" };
    case "number":
    case "int":
    case "bigint":
      return { kind: "number" };
    case "boolean":
      return { kind: "bool" };
    case "literal":
      return scalarOfValues(def.values ?? [], where);
    case "array":
    case "set": {
      const element = fieldType(def.element ?? def.valueType!, `${where}[]`);
      const scalar = element.kind === "string" || element.kind === "number" || element.kind === "bool";
      return { kind: metaOf(schema)?.set === true && scalar ? "set" : "list", element };
    }
    case "record":
      return { kind: "map", element: fieldType(def.valueType!, `${where}{}`) };
    case "object":
      return {
        kind: "object",
        fields: Object.fromEntries(Object.entries(def.shape ?? {}).map(([k, s]) => [k, fieldType(s, `${where}.${k}`)])),
      };
    case "union": {
      const types = (def.options ?? []).map((o) => fieldType(o, where));
      const first = types[0];
      if (first && types.every((t) => JSON.stringify(t) === JSON.stringify(first))) return first;
      break;
    }
  }
  throw new Error(`${where}: zod type "${def.type}" has no equivalent in every frontend; use string/number/boolean/array/record/object`);
}

function scalarOfValues(values: unknown[], where: string): FieldType {
  const kinds = new Set(values.map((v) => typeof v));
  if (kinds.size === 1 && kinds.has("string")) return { kind: "string" };
  if (kinds.size === 1 && kinds.has("number")) return { kind: "number" };
  if (kinds.size === 1 && kinds.has("boolean")) return { kind: "bool" };
  throw new Error(`${where}: literal values of mixed types have no equivalent in every frontend`);
}

/** "string", "boolean", "set of string", "list of object", "map of string": the docs' words for a type. */
export function typeWords(t: FieldType): string {
  switch (t.kind) {
    case "bool":
      return "boolean";
    case "list":
    case "set":
    case "map":
      return `${t.kind} of ${typeWords(t.element)}`;
    default:
      return t.kind;
  }
}

/** A field as the frontends see it: from the inputs (args) or only from the state/result. */
export interface FieldSource {
  key: string;
  schema: z.ZodType;
  meta: FieldMeta | undefined;
  /** Set by the user: an arg (a computed arg is still reported by its metadata). */
  input: boolean;
}

/**
 * The fields of a resource: state fields in declaration order, then any arg the state forgot (it is still
 * an input). An arg's schema decides the type; a secret in either spelling of a field makes it secret.
 */
export function resourceFields(d: { args: z.ZodObject; state: z.ZodObject }): FieldSource[] {
  const args = shapeOf(d.args);
  const state = shapeOf(d.state);
  const sources: FieldSource[] = [];
  for (const [key, stateSchema] of Object.entries(state)) {
    const argSchema = args[key];
    const argMeta = argSchema ? metaOf(argSchema) : undefined;
    const stateMeta = metaOf(stateSchema);
    const meta = argMeta ?? stateMeta;
    const secret = argMeta?.secret === true || stateMeta?.secret === true;
    sources.push({ key, schema: argSchema ?? stateSchema, meta: meta && { ...meta, secret }, input: argSchema !== undefined });
  }
  for (const [key, schema] of Object.entries(args)) {
    if (!(key in state)) sources.push({ key, schema, meta: metaOf(schema), input: true });
  }
  return sources;
}

/** The fields of a data source: its args, then its results; a field that is both is an input the lookup fills in when left out. */
export function dataSourceFields(d: { args: z.ZodObject; result: z.ZodObject }): FieldSource[] {
  const sources: FieldSource[] = Object.entries(shapeOf(d.args)).map(([key, schema]) => ({
    key,
    schema,
    meta: metaOf(schema),
    input: true,
  }));
  for (const [key, schema] of Object.entries(shapeOf(d.result))) {
    const arg = sources.find((s) => s.key === key);
    if (arg) arg.meta = { ...(arg.meta ?? metaOf(schema) ?? { description: "" }), defaulted: true };
    else sources.push({ key, schema, meta: metaOf(schema), input: false });
  }
  return sources;
}

/** Every field of an object as an input (a provider's settings block). */
export const inputFields = (o: z.ZodObject): FieldSource[] =>
  Object.entries(shapeOf(o)).map(([key, schema]) => ({ key, schema, meta: metaOf(schema), input: true }));
