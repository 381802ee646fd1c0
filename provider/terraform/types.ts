// Maps zod schemas to cty types, and values between Terraform's shape (snake_case attributes, null for
// "not set", unknown markers) and the declarations' shape (camelCase fields, undefined, `Unknown`).
import type { z } from "zod";
import { Unknown, isUnknown, metaOf } from "../resources/declaration.js";
import { attributeName } from "./names.js";
import type { AttributePathStep } from "./protocol/tfplugin6.js";

/** A cty type, in the JSON spelling Terraform uses for schema attribute types. */
export type CtyType = "string" | "number" | "bool" | ["list" | "set" | "map", CtyType] | ["object", Record<string, CtyType>];

export interface ValueCodec {
  type: CtyType;
  /** Terraform value (null, Unknown, or a value of `type`) → declaration value (undefined for null). */
  fromTerraform(value: unknown): unknown;
  /** Declaration value → Terraform value (null for undefined; `Unknown` stays a marker for the encoder). */
  toTerraform(value: unknown): unknown;
  /** Attribute path steps for the rest of a zod issue path below this value. */
  pathSteps(path: readonly PropertyKey[]): AttributePathStep[];
}

export interface ObjectField {
  /** The declaration's (camelCase) field name. */
  key: string;
  /** The Terraform (snake_case) attribute name. */
  name: string;
  schema: z.ZodType;
  codec: ValueCodec;
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
  entries?: Record<string, unknown>;
  getter?: () => z.ZodType;
}
const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Wrappers that change optionality or parsing but not the value's type. */
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional", "success"]);

/** Looks through optional/default/readonly/pipe/lazy wrappers to the schema that decides the type. */
export function unwrap(schema: z.ZodType): z.ZodType {
  for (;;) {
    const def = defOf(schema);
    if (WRAPPERS.has(def.type) && def.innerType) schema = def.innerType;
    else if (def.type === "pipe" && def.in) schema = def.in; // the input side: what users write
    else if (def.type === "lazy" && def.getter) schema = def.getter();
    else return schema;
  }
}

/** True when the field may be left out of the input (optional, or has a default). */
export function isOptionalInput(schema: z.ZodType): boolean {
  return (schema as unknown as { _zod: { optin?: string } })._zod.optin === "optional";
}

const scalar = (type: "string" | "number" | "bool", convert: (v: unknown) => unknown): ValueCodec => ({
  type,
  fromTerraform: (v) => (v === null || v === undefined ? undefined : isUnknown(v) ? Unknown : convert(v)),
  toTerraform: (v) => (v === undefined || v === null ? null : isUnknown(v) ? Unknown : convert(v)),
  pathSteps: () => [],
});

// Terraform sends numbers as msgpack ints or floats, or as strings when neither is exact.
const STRING = scalar("string", String);
const NUMBER = scalar("number", (v) => (typeof v === "number" ? v : Number(v)));
const BOOL = scalar("bool", Boolean);

function collection(kind: "list" | "set", element: ValueCodec): ValueCodec {
  return {
    type: [kind, element.type],
    fromTerraform: (v) => (v === null || v === undefined ? undefined : isUnknown(v) ? Unknown : (v as unknown[]).map((e) => element.fromTerraform(e))),
    toTerraform: (v) => (v === undefined || v === null ? null : isUnknown(v) ? Unknown : [...(v as Iterable<unknown>)].map((e) => element.toTerraform(e))),
    // A set element has no address Terraform can show: point at the whole set.
    pathSteps: ([head, ...rest]) =>
      kind === "list" && typeof head === "number" ? [{ elementKeyInt: head }, ...element.pathSteps(rest)] : [],
  };
}

function mapOf(element: ValueCodec): ValueCodec {
  const convert = (v: unknown, f: (e: unknown) => unknown) =>
    Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, e]) => [k, f(e)]));
  return {
    type: ["map", element.type],
    fromTerraform: (v) => (v === null || v === undefined ? undefined : isUnknown(v) ? Unknown : convert(v, element.fromTerraform)),
    toTerraform: (v) => (v === undefined || v === null ? null : isUnknown(v) ? Unknown : convert(v, element.toTerraform)),
    pathSteps: ([head, ...rest]) => (typeof head === "string" ? [{ elementKeyString: head }, ...element.pathSteps(rest)] : []),
  };
}

/** The fields of a zod object, with their Terraform names and codecs. */
export function objectFields(shape: Record<string, z.ZodType>, where: string): ObjectField[] {
  return Object.entries(shape).map(([key, schema]) => ({ key, name: attributeName(key), schema, codec: codecFor(schema, `${where}.${key}`) }));
}

export function objectCodec(fields: ObjectField[]): ValueCodec {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  return {
    type: ["object", Object.fromEntries(fields.map((f) => [f.name, f.codec.type]))],
    fromTerraform(v) {
      if (v === null || v === undefined) return undefined;
      if (isUnknown(v)) return Unknown;
      const obj = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const value = f.codec.fromTerraform(obj[f.name]);
        if (value !== undefined) out[f.key] = value;
      }
      return out;
    },
    toTerraform(v) {
      if (v === undefined || v === null) return null;
      if (isUnknown(v)) return Unknown;
      const obj = v as Record<string, unknown>;
      // cty objects carry every attribute, null when not set.
      return Object.fromEntries(fields.map((f) => [f.name, f.codec.toTerraform(obj[f.key])]));
    },
    pathSteps([head, ...rest]) {
      const f = typeof head === "string" ? byKey.get(head) : undefined;
      return f ? [{ attributeName: f.name }, ...f.codec.pathSteps(rest)] : [];
    },
  };
}

/**
 * The codec for one zod schema. An array whose metadata says `set` (tags, routes: order and duplicates
 * carry no meaning in Headscale) is a Terraform set, so a reordering by the user or the server is no
 * change; every other array is a list.
 */
export function codecFor(schema: z.ZodType, where: string): ValueCodec {
  const s = unwrap(schema);
  const def = defOf(s);
  switch (def.type) {
    case "string":
    case "enum":
    case "template_literal":
      return STRING;
    case "number":
    case "int":
    case "bigint":
      return NUMBER;
    case "boolean":
      return BOOL;
    case "literal":
      return scalarOfValues(def.values ?? [], where);
    case "array":
    case "set": {
      const element = codecFor(def.element ?? def.valueType!, `${where}[]`);
      const kind = metaOf(schema)?.set === true && typeof element.type === "string" ? "set" : "list";
      return collection(kind, element);
    }
    case "record":
      return mapOf(codecFor(def.valueType!, `${where}{}`));
    case "object":
      return objectCodec(objectFields(def.shape ?? {}, where));
    case "union": {
      const codecs = (def.options ?? []).map((o) => codecFor(o, where));
      const first = codecs[0];
      if (first && codecs.every((c) => JSON.stringify(c.type) === JSON.stringify(first.type))) return first;
      break;
    }
  }
  throw new Error(`${where}: zod type "${def.type}" has no Terraform equivalent here; use string/number/boolean/array/record/object`);
}

function scalarOfValues(values: unknown[], where: string): ValueCodec {
  const kinds = new Set(values.map((v) => typeof v));
  if (kinds.size === 1 && kinds.has("string")) return STRING;
  if (kinds.size === 1 && kinds.has("number")) return NUMBER;
  if (kinds.size === 1 && kinds.has("boolean")) return BOOL;
  throw new Error(`${where}: literal values of mixed types have no Terraform equivalent`);
}

/** True if the value is unknown or holds an unknown anywhere inside. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** Value equality as Terraform sees it: sets compare without order, null equals "not set". */
export function sameValue(type: CtyType, a: unknown, b: unknown): boolean {
  return canonical(type, a) === canonical(type, b);
}

function canonical(type: CtyType, v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (isUnknown(v)) return "?";
  if (typeof type === "string") return JSON.stringify(type === "number" ? Number(v) : v);
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") {
    const items = [...(v as Iterable<unknown>)].map((e) => canonical(inner as CtyType, e));
    return `[${(kind === "set" ? [...new Set(items)].sort() : items).join(",")}]`;
  }
  const obj = v as Record<string, unknown>;
  const entries = kind === "map"
    ? Object.keys(obj).sort().map((k) => [k, canonical(inner as CtyType, obj[k])])
    : Object.entries(inner as Record<string, CtyType>).map(([k, t]) => [k, canonical(t, obj[k])]);
  return `{${entries.map(([k, c]) => `${JSON.stringify(k)}:${c}`).join(",")}}`;
}
