// Maps zod schemas to cty types, and values between Terraform's shape (snake_case attributes, null for
// "not set", unknown markers) and the declarations' shape (camelCase fields, undefined, `Unknown`).
import type { z } from "zod";
import { fieldType, isUnknown, Unknown, type FieldType } from "../resources/index.js";
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
    pathSteps: ([head, ...rest]) => (kind === "list" && typeof head === "number" ? [{ elementKeyInt: head }, ...element.pathSteps(rest)] : []),
  };
}

function mapOf(element: ValueCodec): ValueCodec {
  const convert = (v: unknown, f: (e: unknown) => unknown) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, e]) => [k, f(e)]));
  return {
    type: ["map", element.type],
    fromTerraform: (v) => (v === null || v === undefined ? undefined : isUnknown(v) ? Unknown : convert(v, element.fromTerraform)),
    toTerraform: (v) => (v === undefined || v === null ? null : isUnknown(v) ? Unknown : convert(v, element.toTerraform)),
    pathSteps: ([head, ...rest]) => (typeof head === "string" ? [{ elementKeyString: head }, ...element.pathSteps(rest)] : []),
  };
}

/** A nested object's attribute: enough to encode and address it. */
type CodecField = Pick<ObjectField, "key" | "name" | "codec">;

export function objectCodec(fields: CodecField[]): ValueCodec {
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

/** The codec for one zod schema, from the core's description of its type (sets, lists, maps, objects). */
export function codecFor(schema: z.ZodType, where: string): ValueCodec {
  return codecOf(fieldType(schema, where));
}

function codecOf(t: FieldType): ValueCodec {
  switch (t.kind) {
    case "string":
      return STRING;
    case "number":
      return NUMBER;
    case "bool":
      return BOOL;
    case "list":
    case "set":
      return collection(t.kind, codecOf(t.element));
    case "map":
      return mapOf(codecOf(t.element));
    case "object":
      return objectCodec(Object.entries(t.fields).map(([key, type]) => ({ key, name: attributeName(key), codec: codecOf(type) })));
  }
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
  const entries =
    kind === "map"
      ? Object.keys(obj)
          .sort()
          .map((k) => [k, canonical(inner as CtyType, obj[k])])
      : Object.entries(inner as Record<string, CtyType>).map(([k, t]) => [k, canonical(t, obj[k])]);
  return `{${entries.map(([k, c]) => `${JSON.stringify(k)}:${c}`).join(",")}}`;
}
