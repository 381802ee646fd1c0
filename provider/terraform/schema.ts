// Terraform schemas DERIVED from the declarations: one attribute per zod field, flags from field metadata.
// Nothing here is written per resource.
import { z } from "zod";
import {
  dataSourceFields,
  inputFields,
  isOptionalInput,
  isUnknown,
  resourceFields,
  Unknown,
  type DataSourceDeclaration,
  type FieldSource,
  type ResourceDeclaration,
} from "../resources/index.js";
import { attributeName, typeName } from "./names.js";
import { renderTerraform } from "./spelling.js";
import type { Schema, SchemaAttribute } from "./protocol/tfplugin6.js";
import { codecFor, objectCodec, type ObjectField, type ValueCodec } from "./types.js";

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
    description: meta ? renderTerraform(meta.description) : "",
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
  model.schema.block.attributes = attributes.map(toSchemaAttribute);
  return model;
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

export function resourceModel(provider: string, declaration: ResourceDeclaration): ResourceModel {
  const sources = resourceFields(declaration);
  if (!sources.some((s) => s.key === "id")) {
    sources.unshift({
      key: "id",
      schema: ID_SCHEMA,
      meta: { description: "Identifier of the object in Headscale.", computed: true },
      input: false,
    });
  }
  const name = typeName(provider, declaration.name);
  const model = buildModel(sources, declaration.description, name);
  return { ...model, typeName: name, declaration, id: model.byKey.get("id")! };
}

export function dataSourceModel(provider: string, declaration: DataSourceDeclaration): DataSourceModel {
  const name = typeName(provider, declaration.name);
  return { ...buildModel(dataSourceFields(declaration), declaration.description, name), typeName: name, declaration };
}

/** The provider's own configuration block: every field is an input. */
export function configModel(config: z.ZodObject, description: string): ObjectModel {
  return buildModel(inputFields(config), description, "provider");
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
