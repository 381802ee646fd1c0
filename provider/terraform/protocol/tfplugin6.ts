// The project's own minimal definitions of the tfplugin6 messages and RPCs the server uses, written from
// the documented names and field numbers of Terraform's plugin protocol 6 (docs/plugin-protocol/
// tfplugin6.proto). Only what the server reads or writes is listed; the decoder skips everything else.
// test/terraform/protocol.test.ts checks every message and field number against upstream's .proto.
import { message, type MessageType } from "./wire.js";

// ---- shared messages -----------------------------------------------------------------------------

/** A cty value: msgpack (what the server always sends) or JSON (accepted on input). */
export interface DynamicValue {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}
export const DynamicValue = message<DynamicValue>("DynamicValue", {
  msgpack: { no: 1, kind: "bytes" },
  json: { no: 2, kind: "bytes" },
});

/** One step of an attribute path; exactly one selector is set (a protobuf oneof). */
export interface AttributePathStep {
  attributeName?: string;
  elementKeyString?: string;
  elementKeyInt?: number;
}
const AttributePathStep = message<AttributePathStep>("AttributePath.Step", {
  attributeName: { no: 1, kind: "string" },
  elementKeyString: { no: 2, kind: "string" },
  elementKeyInt: { no: 3, kind: "int64" },
});

export interface AttributePath {
  steps: AttributePathStep[];
}
export const AttributePath = message<AttributePath>("AttributePath", {
  steps: { no: 1, kind: AttributePathStep, repeated: true },
});

export const Severity = { ERROR: 1, WARNING: 2 } as const;

export interface Diagnostic {
  severity: (typeof Severity)[keyof typeof Severity];
  summary: string;
  detail?: string;
  attribute?: AttributePath;
}
const Diagnostic = message<Diagnostic>("Diagnostic", {
  severity: { no: 1, kind: "enum" },
  summary: { no: 2, kind: "string" },
  detail: { no: 3, kind: "string" },
  attribute: { no: 4, kind: AttributePath },
});

export interface RawState {
  json: Uint8Array;
  flatmap: Record<string, string>;
}
const RawState = message<RawState>("RawState", {
  json: { no: 1, kind: "bytes" },
  flatmap: { no: 2, kind: "string", map: true },
});

// ---- schema --------------------------------------------------------------------------------------

export interface SchemaAttribute {
  name: string;
  /** Compact JSON of the cty type, e.g. `"string"` or `["set","string"]`. */
  type: Uint8Array;
  description?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
}
const SchemaAttribute = message<SchemaAttribute>("Schema.Attribute", {
  name: { no: 1, kind: "string" },
  type: { no: 2, kind: "bytes" },
  description: { no: 3, kind: "string" },
  required: { no: 4, kind: "bool" },
  optional: { no: 5, kind: "bool" },
  computed: { no: 6, kind: "bool" },
  sensitive: { no: 7, kind: "bool" },
  // description_kind (8) stays PLAIN (0): left out.
});

export interface SchemaBlock {
  version?: number;
  attributes: SchemaAttribute[];
  description?: string;
}
const SchemaBlock = message<SchemaBlock>("Schema.Block", {
  version: { no: 1, kind: "int64" },
  attributes: { no: 2, kind: SchemaAttribute, repeated: true },
  description: { no: 4, kind: "string" },
});

export interface Schema {
  version: number;
  block: SchemaBlock;
}
const Schema = message<Schema>("Schema", {
  version: { no: 1, kind: "int64" },
  block: { no: 2, kind: SchemaBlock },
});

export interface ServerCapabilities {
  planDestroy?: boolean;
  getProviderSchemaOptional?: boolean;
}
const ServerCapabilities = message<ServerCapabilities>("ServerCapabilities", {
  planDestroy: { no: 1, kind: "bool" },
  getProviderSchemaOptional: { no: 2, kind: "bool" },
});

// ---- RPC messages --------------------------------------------------------------------------------

const Empty = message<Record<string, never>>("Empty", {});
const diagnostics = (no: number) => ({ no, kind: Diagnostic, repeated: true });

export interface GetProviderSchemaResponse {
  provider: Schema;
  resourceSchemas: Record<string, Schema>;
  dataSourceSchemas: Record<string, Schema>;
  diagnostics: Diagnostic[];
  serverCapabilities?: ServerCapabilities;
}
const GetProviderSchemaResponse = message<GetProviderSchemaResponse>("GetProviderSchema.Response", {
  provider: { no: 1, kind: Schema },
  resourceSchemas: { no: 2, kind: Schema, map: true },
  dataSourceSchemas: { no: 3, kind: Schema, map: true },
  diagnostics: diagnostics(4),
  serverCapabilities: { no: 6, kind: ServerCapabilities },
});

export interface ConfigRequest {
  config?: DynamicValue;
}
const ValidateProviderConfigRequest = message<ConfigRequest>("ValidateProviderConfig.Request", {
  config: { no: 1, kind: DynamicValue },
});

export interface DiagnosticsResponse {
  diagnostics: Diagnostic[];
}
const diagnosticsResponse = (name: string, no: number) => message<DiagnosticsResponse>(name, { diagnostics: diagnostics(no) });

export interface TypedConfigRequest {
  typeName: string;
  config?: DynamicValue;
}
const typedConfigRequest = (name: string) => message<TypedConfigRequest>(name, { typeName: { no: 1, kind: "string" }, config: { no: 2, kind: DynamicValue } });

export interface ConfigureProviderRequest {
  terraformVersion: string;
  config?: DynamicValue;
}
const ConfigureProviderRequest = message<ConfigureProviderRequest>("ConfigureProvider.Request", {
  terraformVersion: { no: 1, kind: "string" },
  config: { no: 2, kind: DynamicValue },
});

export interface UpgradeResourceStateRequest {
  typeName: string;
  version: number;
  rawState?: RawState;
}
const UpgradeResourceStateRequest = message<UpgradeResourceStateRequest>("UpgradeResourceState.Request", {
  typeName: { no: 1, kind: "string" },
  version: { no: 2, kind: "int64" },
  rawState: { no: 3, kind: RawState },
});

export interface UpgradeResourceStateResponse {
  upgradedState?: DynamicValue;
  diagnostics: Diagnostic[];
}
const UpgradeResourceStateResponse = message<UpgradeResourceStateResponse>("UpgradeResourceState.Response", {
  upgradedState: { no: 1, kind: DynamicValue },
  diagnostics: diagnostics(2),
});

export interface ReadResourceRequest {
  typeName: string;
  currentState?: DynamicValue;
  private: Uint8Array;
}
const ReadResourceRequest = message<ReadResourceRequest>("ReadResource.Request", {
  typeName: { no: 1, kind: "string" },
  currentState: { no: 2, kind: DynamicValue },
  private: { no: 3, kind: "bytes" },
});

export interface ReadResourceResponse {
  newState?: DynamicValue;
  diagnostics: Diagnostic[];
  private?: Uint8Array;
}
const ReadResourceResponse = message<ReadResourceResponse>("ReadResource.Response", {
  newState: { no: 1, kind: DynamicValue },
  diagnostics: diagnostics(2),
  private: { no: 3, kind: "bytes" },
});

export interface PlanResourceChangeRequest {
  typeName: string;
  priorState?: DynamicValue;
  proposedNewState?: DynamicValue;
  config?: DynamicValue;
  priorPrivate: Uint8Array;
}
const PlanResourceChangeRequest = message<PlanResourceChangeRequest>("PlanResourceChange.Request", {
  typeName: { no: 1, kind: "string" },
  priorState: { no: 2, kind: DynamicValue },
  proposedNewState: { no: 3, kind: DynamicValue },
  config: { no: 4, kind: DynamicValue },
  priorPrivate: { no: 5, kind: "bytes" },
});

export interface PlanResourceChangeResponse {
  plannedState?: DynamicValue;
  requiresReplace?: AttributePath[];
  plannedPrivate?: Uint8Array;
  diagnostics: Diagnostic[];
}
const PlanResourceChangeResponse = message<PlanResourceChangeResponse>("PlanResourceChange.Response", {
  plannedState: { no: 1, kind: DynamicValue },
  requiresReplace: { no: 2, kind: AttributePath, repeated: true },
  plannedPrivate: { no: 3, kind: "bytes" },
  diagnostics: diagnostics(4),
});

export interface ApplyResourceChangeRequest {
  typeName: string;
  priorState?: DynamicValue;
  plannedState?: DynamicValue;
  config?: DynamicValue;
  plannedPrivate: Uint8Array;
}
const ApplyResourceChangeRequest = message<ApplyResourceChangeRequest>("ApplyResourceChange.Request", {
  typeName: { no: 1, kind: "string" },
  priorState: { no: 2, kind: DynamicValue },
  plannedState: { no: 3, kind: DynamicValue },
  config: { no: 4, kind: DynamicValue },
  plannedPrivate: { no: 5, kind: "bytes" },
});

export interface ApplyResourceChangeResponse {
  newState?: DynamicValue;
  private?: Uint8Array;
  diagnostics: Diagnostic[];
}
const ApplyResourceChangeResponse = message<ApplyResourceChangeResponse>("ApplyResourceChange.Response", {
  newState: { no: 1, kind: DynamicValue },
  private: { no: 2, kind: "bytes" },
  diagnostics: diagnostics(3),
});

export interface ImportResourceStateRequest {
  typeName: string;
  id: string;
}
const ImportResourceStateRequest = message<ImportResourceStateRequest>("ImportResourceState.Request", {
  typeName: { no: 1, kind: "string" },
  id: { no: 2, kind: "string" },
});

export interface ImportedResource {
  typeName: string;
  state: DynamicValue;
  private?: Uint8Array;
}
const ImportedResource = message<ImportedResource>("ImportResourceState.ImportedResource", {
  typeName: { no: 1, kind: "string" },
  state: { no: 2, kind: DynamicValue },
  private: { no: 3, kind: "bytes" },
});

export interface ImportResourceStateResponse {
  importedResources: ImportedResource[];
  diagnostics: Diagnostic[];
}
const ImportResourceStateResponse = message<ImportResourceStateResponse>("ImportResourceState.Response", {
  importedResources: { no: 1, kind: ImportedResource, repeated: true },
  diagnostics: diagnostics(2),
});

export interface ReadDataSourceResponse {
  state?: DynamicValue;
  diagnostics: Diagnostic[];
}
const ReadDataSourceResponse = message<ReadDataSourceResponse>("ReadDataSource.Response", {
  state: { no: 1, kind: DynamicValue },
  diagnostics: diagnostics(2),
});

export interface StopProviderResponse {
  error?: string;
}
const StopProviderResponse = message<StopProviderResponse>("StopProvider.Response", {
  error: { no: 1, kind: "string" },
});

// ---- services ------------------------------------------------------------------------------------

export interface Rpc<Req, Res> {
  request: MessageType<Req>;
  response: MessageType<Res>;
}
const rpc = <Req, Res>(request: MessageType<Req>, response: MessageType<Res>): Rpc<Req, Res> => ({ request, response });

/** tfplugin6.Provider methods the server implements; every other method answers UNIMPLEMENTED. */
export const providerRpcs = {
  GetProviderSchema: rpc(Empty, GetProviderSchemaResponse),
  ValidateProviderConfig: rpc(ValidateProviderConfigRequest, diagnosticsResponse("ValidateProviderConfig.Response", 2)),
  ValidateResourceConfig: rpc(typedConfigRequest("ValidateResourceConfig.Request"), diagnosticsResponse("ValidateResourceConfig.Response", 1)),
  ValidateDataResourceConfig: rpc(typedConfigRequest("ValidateDataResourceConfig.Request"), diagnosticsResponse("ValidateDataResourceConfig.Response", 1)),
  ConfigureProvider: rpc(ConfigureProviderRequest, diagnosticsResponse("ConfigureProvider.Response", 1)),
  UpgradeResourceState: rpc(UpgradeResourceStateRequest, UpgradeResourceStateResponse),
  ReadResource: rpc(ReadResourceRequest, ReadResourceResponse),
  PlanResourceChange: rpc(PlanResourceChangeRequest, PlanResourceChangeResponse),
  ApplyResourceChange: rpc(ApplyResourceChangeRequest, ApplyResourceChangeResponse),
  ImportResourceState: rpc(ImportResourceStateRequest, ImportResourceStateResponse),
  ReadDataSource: rpc(typedConfigRequest("ReadDataSource.Request"), ReadDataSourceResponse),
  StopProvider: rpc(Empty, StopProviderResponse),
};
export type ProviderRpcs = typeof providerRpcs;

/** go-plugin's controller service: Terraform calls Shutdown when it is done with the provider. */
export const controllerRpcs = {
  Shutdown: rpc(Empty, Empty),
};

type Req<R> = R extends Rpc<infer Q, unknown> ? Q : never;
type Res<R> = R extends Rpc<unknown, infer S> ? S : never;
/** The server's implementation: one async function per implemented RPC. */
export type ProviderHandlers = { [K in keyof ProviderRpcs]: (req: Req<ProviderRpcs[K]>) => Promise<Res<ProviderRpcs[K]>> };
