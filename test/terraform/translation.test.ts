// Unit tests of the translation layers: protobuf wire codec, msgpack values and unknowns, zod → cty types,
// derived schemas, names and attribute paths.
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { field, Unknown, type ResourceDeclaration } from "../../provider/resources/declaration.js";
import { createServerCertificate, rawBase64 } from "../../provider/terraform/certificate.js";
import { fromArgIssues, fromProblems } from "../../provider/terraform/diagnostics.js";
import { ref, text } from "../../provider/resources/index.js";
import { snakeCase } from "../../provider/terraform/names.js";
import { AttributePath, DynamicValue } from "../../provider/terraform/protocol/tfplugin6.js";
import { decode, encode, message } from "../../provider/terraform/protocol/wire.js";
import { resourceModel } from "../../provider/terraform/schema.js";
import { codecFor, sameValue } from "../../provider/terraform/types.js";
import { fromDynamic, toDynamic } from "../../provider/terraform/values.js";

describe("protobuf wire codec", () => {
  const Inner = message<{ n: number }>("Inner", { n: { no: 1, kind: "int64" } });
  const Outer = message<{ s: string; b: boolean; bytes: Uint8Array; list: { n: number }[]; map: Record<string, { n: number }>; e: number }>("Outer", {
    s: { no: 1, kind: "string" },
    b: { no: 2, kind: "bool" },
    bytes: { no: 3, kind: "bytes" },
    list: { no: 4, kind: Inner, repeated: true },
    map: { no: 5, kind: Inner, map: true },
    e: { no: 16, kind: "enum" },
  });

  it("round-trips every kind it supports", () => {
    const value = {
      s: "héllo",
      b: true,
      bytes: Uint8Array.from([0, 255]),
      list: [{ n: 1 }, { n: 300 }, { n: 2 ** 40 }],
      map: { a: { n: 7 } },
      e: 2,
    };
    const back = decode(Outer, encode(Outer, value));
    expect({ ...back, bytes: [...back.bytes] }).toEqual({ ...value, bytes: [0, 255] });
  });

  it("matches protoc's bytes for a known message", () => {
    // AttributePath{steps:[{attribute_name:"tags"},{element_key_int:0}]}: 0a 06 0a 04 "tags" 0a 02 18 00
    expect(encode(AttributePath, { steps: [{ attributeName: "tags" }, { elementKeyInt: 0 }] }).toString("hex")).toBe("0a060a04746167730a021800");
  });

  it("skips unknown fields and fills proto3 defaults", () => {
    const withExtra = Buffer.concat([encode(Outer, { s: "x" } as never), Buffer.from([0xf8, 0x01, 0x05])]); // field 31 varint
    expect(decode(Outer, withExtra)).toEqual({ s: "x", b: false, bytes: new Uint8Array(0), list: [], map: {}, e: 0 });
  });

  it("encodes negative int64 as ten bytes", () => {
    expect(decode(Inner, encode(Inner, { n: -1 })).n).toBe(-1);
    expect(encode(Inner, { n: -1 }).length).toBe(11);
  });
});

describe("msgpack values", () => {
  it("writes unknown as ext 0 (d4 00 00) and reads any extension as unknown", () => {
    expect(Buffer.from(toDynamic(Unknown).msgpack!).toString("hex")).toBe("d40000");
    expect(fromDynamic({ msgpack: Buffer.from("d40000", "hex") })).toBe(Unknown);
    // Terraform's refined unknown: ext type 12 with a payload.
    expect(fromDynamic({ msgpack: Buffer.from("81a161d40c01", "hex") })).toEqual({ a: Unknown }); // {"a": ext12}
  });

  it("reads JSON and treats an empty DynamicValue as null", () => {
    expect(fromDynamic({ json: Buffer.from('{"a":[1,"x"]}') })).toEqual({ a: [1, "x"] });
    expect(fromDynamic(undefined)).toBe(null);
    expect([...decode(DynamicValue, encode(DynamicValue, toDynamic(null))).msgpack!]).toEqual([0xc0]);
  });
});

describe("zod → cty", () => {
  const type = (s: z.ZodType) => codecFor(s, "test").type;

  it("maps scalars, sets, ordered lists, maps and objects", () => {
    expect(type(z.string())).toBe("string");
    expect(type(z.enum(["a", "b"]))).toBe("string");
    expect(type(z.number().int().optional())).toBe("number");
    expect(type(z.boolean().default(false))).toBe("bool");
    expect(type(field(z.array(z.string()), { description: "x", set: true }))).toEqual(["set", "string"]);
    expect(type(z.array(z.string()))).toEqual(["list", "string"]);
    expect(type(z.record(z.string(), z.number()))).toEqual(["map", "number"]);
    expect(type(z.array(z.object({ nodeId: z.string(), ipAddresses: z.array(z.string()) })))).toEqual([
      "list",
      ["object", { node_id: "string", ip_addresses: ["list", "string"] }],
    ]);
  });

  it("converts nested names and nulls both ways", () => {
    const codec = codecFor(z.object({ nodeId: z.string(), extraTags: z.array(z.string()).optional() }), "test");
    expect(codec.toTerraform({ nodeId: "1" })).toEqual({ node_id: "1", extra_tags: null });
    expect(codec.fromTerraform({ node_id: "1", extra_tags: null })).toEqual({ nodeId: "1" });
    expect(codec.fromTerraform({ node_id: Unknown, extra_tags: ["a", Unknown] })).toEqual({ nodeId: Unknown, extraTags: ["a", Unknown] });
  });

  it("compares sets without order", () => {
    expect(sameValue(["set", "string"], ["a", "b"], ["b", "a"])).toBe(true);
    expect(sameValue(["list", "string"], ["a", "b"], ["b", "a"])).toBe(false);
    expect(sameValue("string", null, undefined)).toBe(true);
  });

  it("refuses types Terraform cannot express, naming the field", () => {
    expect(() => codecFor(z.union([z.string(), z.number()]), "headscale_x.field")).toThrow(/headscale_x\.field/);
  });
});

describe("derived schema", () => {
  const args = z.object({
    userName: field(z.string(), { description: text`Set this or ${ref.field("nodeName")}.` }),
    nodeName: field(z.string().optional(), { description: "The node.", forcesReplacement: true }),
    size: field(z.number().optional(), { description: "Size.", defaulted: true }),
    secretThing: field(z.string().optional(), { description: "Secret.", secret: true }),
    rules: field(z.array(z.object({ fromPort: z.number() })).optional(), { description: "Rules." }),
  });
  const state = args.extend({ createdAt: field(z.string(), { description: "Created.", computed: true }) });
  const decl = { name: "PreAuthKey", description: "A thing.", args, state } as unknown as ResourceDeclaration;
  const model = resourceModel("headscale", decl);

  it("names the type and attributes in snake_case and sets flags from metadata", () => {
    expect(model.typeName).toBe("headscale_pre_auth_key");
    const attrs = Object.fromEntries(model.schema.block.attributes.map((a) => [a.name, a]));
    expect(Object.keys(attrs)).toEqual(["id", "user_name", "node_name", "size", "secret_thing", "rules", "created_at"]);
    expect(attrs.user_name).toMatchObject({ required: true, description: "Set this or node_name." });
    expect(attrs.node_name).toMatchObject({ optional: true });
    expect(attrs.size).toMatchObject({ optional: true, computed: true });
    expect(attrs.secret_thing).toMatchObject({ optional: true, sensitive: true });
    expect(attrs.created_at).toMatchObject({ computed: true });
    expect(attrs.id).toMatchObject({ computed: true });
    expect(model.byKey.get("nodeName")!.forcesReplacement).toBe(true);
  });

  it("points diagnostics at attributes, list elements and nested attributes", () => {
    // Core text names fields structurally; Terraform spells them as attributes. Plain words stay words.
    const [d] = fromProblems(model, [{ field: "nodeName", message: text`use ${ref.field("nodeName")} or ${ref.field("userName")}` }]);
    expect(d).toMatchObject({ summary: "use node_name or user_name", attribute: { steps: [{ attributeName: "node_name" }] } });
    const issues = args.safeParse({ userName: "u", rules: [{ fromPort: "x" }] }).error!.issues;
    expect(fromArgIssues(model, issues)[0]!.attribute).toEqual({
      steps: [{ attributeName: "rules" }, { elementKeyInt: 0 }, { attributeName: "from_port" }],
    });
  });

  it("spells names like Terraform", () => {
    expect(["createdAt", "PreAuthKey", "aclTags", "userID", "ipAddresses", "name"].map(snakeCase)).toEqual([
      "created_at",
      "pre_auth_key",
      "acl_tags",
      "user_id",
      "ip_addresses",
      "name",
    ]);
  });
});

describe("server certificate", () => {
  it("is a self-signed ECDSA certificate for localhost, valid now", () => {
    const c = createServerCertificate();
    const x = new X509Certificate(c.der);
    expect(x.checkHost("localhost")).toBe("localhost");
    expect(x.subjectAltName).toBe("DNS:localhost");
    expect(x.verify(x.publicKey)).toBe(true);
    expect(new Date(x.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 86_400_000);
    expect(rawBase64(c.der)).not.toMatch(/=$/);
  });
});
