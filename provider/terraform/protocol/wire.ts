// A small table-driven protobuf (proto3) codec for the handful of tfplugin6 messages the server uses.
// Why not protobufjs/proto-loader: Terraform starts the provider ~4 times per apply, and loading them
// costs 30-80 ms per start (measured, see bench/terraform-startup.ts); the wire format itself is tiny
// and frozen. Unknown fields are skipped, so newer Terraform versions can add fields freely.

export type ScalarKind = "string" | "bytes" | "bool" | "int64" | "enum";

export interface FieldSpec {
  /** Field number from the .proto definition. */
  no: number;
  kind: ScalarKind | MessageType;
  repeated?: boolean;
  /** `map<string, kind>`: a repeated entry message {1: key, 2: value}. */
  map?: boolean;
}

export interface MessageType<T = unknown> {
  name: string;
  fields: Record<string, FieldSpec>;
  /** Phantom marker tying the table to the TypeScript shape it decodes to. */
  readonly _type?: T;
}

export function message<T>(name: string, fields: Record<string, FieldSpec>): MessageType<T> {
  return { name, fields };
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

// ---- encoding ------------------------------------------------------------------------------------

class Writer {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];

  varint(n: number | bigint): void {
    if (typeof n === "number" && n >= 0 && Number.isSafeInteger(n)) {
      while (n > 0x7f) {
        this.scratch.push((n % 128) | 0x80);
        n = Math.floor(n / 128);
      }
      this.scratch.push(n);
      return;
    }
    // Negative int64: ten bytes of two's complement, as protobuf requires.
    let b = BigInt.asUintN(64, BigInt(n));
    while (b > 0x7fn) {
      this.scratch.push(Number(b & 0x7fn) | 0x80);
      b >>= 7n;
    }
    this.scratch.push(Number(b));
  }

  tag(no: number, wire: number): void {
    this.varint(no * 8 + wire);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.flush();
    this.chunks.push(b);
  }

  private flush(): void {
    if (this.scratch.length) {
      this.chunks.push(Uint8Array.from(this.scratch));
      this.scratch = [];
    }
  }

  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}

function writeValue(w: Writer, no: number, kind: FieldSpec["kind"], value: unknown): void {
  switch (kind) {
    case "string":
      w.tag(no, WIRE_LEN);
      w.bytes(Buffer.from(String(value), "utf8"));
      return;
    case "bytes":
      w.tag(no, WIRE_LEN);
      w.bytes(value as Uint8Array);
      return;
    case "bool":
      w.tag(no, WIRE_VARINT);
      w.varint(value ? 1 : 0);
      return;
    case "int64":
    case "enum":
      w.tag(no, WIRE_VARINT);
      w.varint(value as number);
      return;
    default:
      w.tag(no, WIRE_LEN);
      w.bytes(encode(kind, value));
  }
}

/** Encodes `value`; fields that are undefined/null (or empty repeated/map) are left out. */
export function encode<T>(type: MessageType<T>, value: T): Buffer {
  const w = new Writer();
  const obj = (value ?? {}) as Record<string, unknown>;
  for (const [name, spec] of Object.entries(type.fields)) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    if (spec.map) {
      for (const [key, item] of Object.entries(v as Record<string, unknown>)) {
        const entry = new Writer();
        writeValue(entry, 1, "string", key);
        writeValue(entry, 2, spec.kind, item);
        w.tag(spec.no, WIRE_LEN);
        w.bytes(entry.finish());
      }
    } else if (spec.repeated) {
      for (const item of v as unknown[]) writeValue(w, spec.no, spec.kind, item);
    } else {
      writeValue(w, spec.no, spec.kind, v);
    }
  }
  return w.finish();
}

// ---- decoding ------------------------------------------------------------------------------------

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    for (let i = 0, scale = 1; i < 7; i++, scale *= 128) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
    }
    // Past 49 bits (large or negative int64, which is ten bytes of two's complement): exact with BigInt.
    let big = BigInt(result);
    for (let shift = 49n; shift < 70n; shift += 7n) {
      const b = this.byte();
      big |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return Number(BigInt.asIntN(64, big));
    }
    throw new Error("protobuf: varint too long");
  }

  private byte(): number {
    if (this.pos >= this.buf.length) throw new Error("protobuf: truncated varint");
    return this.buf[this.pos++]!;
  }

  bytes(): Uint8Array {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.buf.length) throw new Error("protobuf: truncated length-delimited field");
    const out = this.buf.subarray(this.pos, end);
    this.pos = end;
    return out;
  }

  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.bytes();
    else if (wire === WIRE_FIXED64) this.pos += 8;
    else if (wire === WIRE_FIXED32) this.pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

function defaultOf(spec: FieldSpec): unknown {
  if (spec.map) return {};
  if (spec.repeated) return [];
  switch (spec.kind) {
    case "string":
      return "";
    case "bytes":
      return new Uint8Array(0);
    case "bool":
      return false;
    case "int64":
    case "enum":
      return 0;
    default:
      return undefined;
  }
}

function readValue(r: Reader, kind: FieldSpec["kind"], wire: number): unknown {
  switch (kind) {
    case "string":
      return Buffer.from(r.bytes()).toString("utf8");
    case "bytes":
      return r.bytes();
    case "bool":
      return r.varint() !== 0;
    case "int64":
    case "enum":
      return r.varint();
    default:
      if (wire !== WIRE_LEN) throw new Error(`protobuf: ${kind.name} field with wire type ${wire}`);
      return decode(kind, r.bytes());
  }
}

export function decode<T>(type: MessageType<T>, buf: Uint8Array): T {
  const byNumber = new Map<number, [string, FieldSpec]>();
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(type.fields)) {
    byNumber.set(spec.no, [name, spec]);
    out[name] = defaultOf(spec);
  }
  const r = new Reader(buf);
  while (!r.done) {
    const tag = r.varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    const known = byNumber.get(no);
    if (!known) {
      r.skip(wire);
      continue;
    }
    const [name, spec] = known;
    if (spec.map) {
      const entry = new Reader(r.bytes());
      let key = "";
      let value: unknown = defaultOf({ ...spec, map: false, repeated: false });
      while (!entry.done) {
        const t = entry.varint();
        if (t >>> 3 === 1) key = readValue(entry, "string", t & 7) as string;
        else if (t >>> 3 === 2) value = readValue(entry, spec.kind, t & 7);
        else entry.skip(t & 7);
      }
      (out[name] as Record<string, unknown>)[key] = value;
    } else if (spec.repeated) {
      (out[name] as unknown[]).push(readValue(r, spec.kind, wire));
    } else {
      out[name] = readValue(r, spec.kind, wire);
    }
  }
  return out as T;
}
