// DynamicValue <-> plain values. Terraform sends msgpack (JSON only in a few places); unknown values are
// msgpack extensions: the server writes ext type 0 (`d4 00 00`) and reads any extension as unknown
// (Terraform 1.8+ sends ext 12 for "refined" unknowns with known bounds).
import { Decoder, Encoder, ExtData, ExtensionCodec } from "@msgpack/msgpack";
import { Unknown, isUnknown } from "../resources/declaration.js";
import type { DynamicValue } from "./protocol/tfplugin6.js";

const extensions = new ExtensionCodec();
extensions.register({
  type: 0,
  encode: (value) => (isUnknown(value) ? new Uint8Array([0]) : null),
  decode: () => Unknown,
});

const encoder = new Encoder({ extensionCodec: extensions });
const decoder = new Decoder({ extensionCodec: extensions });

/** Replaces extension values other than type 0 (refined unknowns) with `Unknown`. */
function unknownsFromExtensions(value: unknown): unknown {
  if (value instanceof ExtData) return Unknown;
  if (Array.isArray(value)) return value.map(unknownsFromExtensions);
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    const obj = value as Record<string, unknown>;
    for (const k of Object.keys(obj)) obj[k] = unknownsFromExtensions(obj[k]);
  }
  return value;
}

/** The plain value in a DynamicValue; null when absent (Terraform's "no object"). */
export function fromDynamic(dv: DynamicValue | undefined): unknown {
  if (dv?.msgpack?.length) return unknownsFromExtensions(decoder.decode(dv.msgpack));
  if (dv?.json?.length) return JSON.parse(Buffer.from(dv.json).toString("utf8"));
  return null;
}

/** Always msgpack: JSON cannot carry unknowns. */
export function toDynamic(value: unknown): DynamicValue {
  return { msgpack: encoder.encode(value) };
}
