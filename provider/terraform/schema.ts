// Terraform schemas DERIVED from the declarations: one attribute per zod field, flags from field metadata.
// Nothing here is written per resource.
import { z } from "zod";
import { isUnknown, metaOf, Unknown, type DataSourceDeclaration, type FieldMeta, type ResourceDeclaration } from "../resources/declaration.js";
import { attributeName, snakeCase, typeName } from "./names.js";
import type { Schema, SchemaAttribute } from "./protocol/tfplugin6.js";
import { codecFor, isOptionalInput, objectCodec, type ObjectField, type ValueCodec } from "./types.js";

export interface AttributeModel extends ObjectField {
  description: string;
  /** Set by the user (a declaration arg that is not computed). */
  input: boolean;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  forcesReplacement: boolean;
}

/** A Terraform object type built from declaration fields: its attributes, schema and value codec. */
export interface ObjectModel {
  attributes: AttributeModel[];
  byKey: Map<string, AttributeModel>;
  codec: ValueCodec;
  schema: Schema;
}

export interface ResourceModel extends ObjectModel {
  typeName: string;
  declaration: ResourceDeclaration;
  /** The `id` attribute: the declaration's object id, added when the state has no `id` field. */
  id: AttributeModel;
}

export interface DataSourceModel extends ObjectModel {
  typeName: string;
  declaration: DataSourceDeclaration;
}

interface FieldSource {
  key: string;
  schema: z.ZodType;
  meta: FieldMeta | undefined;
  /** From the inputs (args); false for result/state-only fields. */
  input: boolean;
}

function attribute(src: FieldSource, where: string): AttributeModel {
  const meta = src.meta;
  const computedOnly = !src.input || meta?.computed === true;
  const defaulted = !computedOnly && meta?.defaulted === true;
  const optional = !computedOnly && (defaulted || isOptionalInput(src.schema));
  return {
    key: src.key,
    name: attributeName(src.key),
    schema: src.schema,
    codec: codecFor(src.schema, `${where}.${src.key}`),
    description: meta?.description ?? "",
    input: !computedOnly,
    required: !computedOnly && !optional,
    optional,
    // `defaulted`: optional in config, filled in by the provider when left out.
    computed: computedOnly || defaulted,
    sensitive: meta?.secret === true,
    forcesReplacement: meta?.forcesReplacement === true,
  };
}

function buildModel(sources: FieldSource[], description: string, where: string): ObjectModel {
  const attributes = sources.map((src) => attribute(src, where));
  const seen = new Map<string, string>();
  for (const a of attributes) {
    const other = seen.get(a.name);
    if (other) throw new Error(`${where}: fields "${other}" and "${a.key}" both become attribute "${a.name}"`);
    seen.set(a.name, a.key);
  }
  const model: ObjectModel = {
    attributes,
    byKey: new Map(attributes.map((a) => [a.key, a])),
    codec: objectCodec(attributes),
    schema: { version: 0, block: { description, attributes: [] } },
  };
  for (const a of attributes) a.description = terraformSpelling(model, a.description);
  model.schema.block.attributes = attributes.map(toSchemaAttribute);
  return model;
}

/**
 * Declarations are written in camelCase (the Pulumi spelling) and their texts name fields that way:
 * "Set this or nodeName". Terraform users know the attribute as node_name, so texts are respelled.
 */
export function terraformSpelling(model: ObjectModel, text: string): string {
  let out = text;
  for (const a of model.attributes) {
    // Only camelCase spellings: a renamed word ("provider") stays a word in prose.
    if (a.key !== snakeCase(a.key)) out = out.replace(new RegExp(`\\b${a.key}\\b`, "g"), a.name);
  }
  return out;
}

function toSchemaAttribute(a: AttributeModel): SchemaAttribute {
  return {
    name: a.name,
    type: Buffer.from(JSON.stringify(a.codec.type)),
    description: a.description || undefined,
    required: a.required || undefined,
    optional: a.optional || undefined,
    computed: a.computed || undefined,
    sensitive: a.sensitive || undefined,
  };
}

/** The synthetic `id` attribute's type. */
const ID_SCHEMA = z.string();

const shapeOf = (o: z.ZodObject): Record<string, z.ZodType> => o.shape as Record<string, z.ZodType>;

export function resourceModel(provider: string, declaration: ResourceDeclaration): ResourceModel {
  const args = shapeOf(declaration.args);
  const state = shapeOf(declaration.state);
  const sources: FieldSource[] = [];
  // State fields in declaration order, then any arg the state forgot (it is still an input).
  for (const [key, stateSchema] of Object.entries(state)) {
    const argSchema = args[key];
    const argMeta = argSchema ? metaOf(argSchema) : undefined;
    const stateMeta = metaOf(stateSchema);
    const meta = argMeta ?? stateMeta;
    // A secret in either spelling of a field makes the attribute sensitive.
    const secret = argMeta?.secret === true || stateMeta?.secret === true;
    sources.push({ key, schema: argSchema ?? stateSchema, meta: meta && { ...meta, secret }, input: argSchema !== undefined });
  }
  for (const [key, schema] of Object.entries(args)) {
    if (!(key in state)) sources.push({ key, schema, meta: metaOf(schema), input: true });
  }
  if (!sources.some((s) => s.key === "id")) {
    sources.unshift({ key: "id", schema: ID_SCHEMA, meta: { description: "Identifier of the object in Headscale.", computed: true }, input: false });
  }
  const name = typeName(provider, declaration.name);
  const model = buildModel(sources, declaration.description, name);
  return { ...model, typeName: name, declaration, id: model.byKey.get("id")! };
}

export function dataSourceModel(provider: string, declaration: DataSourceDeclaration): DataSourceModel {
  const args = shapeOf(declaration.args);
  const result = shapeOf(declaration.result);
  const sources: FieldSource[] = Object.entries(args).map(([key, schema]) => ({ key, schema, meta: metaOf(schema), input: true }));
  for (const [key, schema] of Object.entries(result)) {
    const arg = sources.find((s) => s.key === key);
    // A field that is both an argument and a result: optional input, filled in when left out.
    if (arg) arg.meta = { ...(arg.meta ?? metaOf(schema) ?? { description: "" }), defaulted: true };
    else sources.push({ key, schema, meta: metaOf(schema), input: false });
  }
  const name = typeName(provider, declaration.name);
  return { ...buildModel(sources, declaration.description, name), typeName: name, declaration };
}

/** The provider's own configuration block: every field is an input. */
export function configModel(config: z.ZodObject, description: string): ObjectModel {
  const sources = Object.entries(shapeOf(config)).map(([key, schema]) => ({ key, schema, meta: metaOf(schema), input: true }));
  return buildModel(sources, description, "provider");
}

/**
 * A decoded Terraform object as declaration values; null for "no object". A wholly unknown object
 * (e.g. config under an unknown for_each while validating) is an object of unknown attributes.
 */
export function valuesOf(model: ObjectModel, raw: unknown): Record<string, unknown> | null {
  if (raw === null || raw === undefined) return null;
  if (isUnknown(raw)) return Object.fromEntries(model.attributes.map((a) => [a.key, Unknown]));
  return model.codec.fromTerraform(raw) as Record<string, unknown>;
}
