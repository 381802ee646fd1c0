// The hand-written tfplugin6 codec (provider/terraform/protocol/) against upstream's definition: the
// tfplugin6.proto of the Go module github.com/hashicorp/terraform-plugin-go, at the exact version pinned in
// scripts/tool-versions (scripts/install-tools.sh takes it from the Go module proxy, cached). Every RPC the
// server implements, every message it encodes or decodes and every field number must be upstream's.
// (go-plugin's controller service, `Shutdown`, is not part of tfplugin6 and is not checked here.)
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Severity, providerRpcs } from "../../provider/terraform/protocol/tfplugin6.js";
import type { FieldSpec, MessageType } from "../../provider/terraform/protocol/wire.js";
import { cacheDir, ensureTools, pinnedVersions } from "../harness/tools.js";
import { parseProto, type ProtoFile } from "./protoFile.js";

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

let proto: ProtoFile;
let version: string;

beforeAll(() => {
  ensureTools("terraform-plugin-go");
  version = pinnedVersions("terraform-plugin-go")[0]!;
  proto = parseProto(readFileSync(path.join(cacheDir, "proto", `tfplugin6-v${version}.proto`), "utf8"));
});

/** Differences between one of our message tables and the upstream message it stands for. */
function compare(ours: MessageType, upstream: string, seen: Set<string>, problems: string[], counted: { fields: number }): void {
  const key = `${ours.name}=${upstream}`;
  if (seen.has(key)) return;
  seen.add(key);
  const fields = proto.messages.get(upstream);
  if (!fields) {
    problems.push(`${ours.name}: upstream has no message ${upstream}`);
    return;
  }
  // Our names are upstream's where we name a message at all ("Empty" stands for any message we send no field of).
  if (ours.name !== upstream && Object.keys(ours.fields).length > 0) problems.push(`${ours.name}: upstream calls this message ${upstream}`);
  for (const [name, spec] of Object.entries(ours.fields) as Array<[string, FieldSpec]>) {
    counted.fields++;
    // Upstream spells fields snake_case, with one exception (StopProvider.Response's `Error`).
    const theirs = fields.get(snake(name)) ?? [...fields.values()].find((f) => f.name.toLowerCase() === snake(name));
    const where = `${upstream}.${snake(name)}`;
    if (!theirs) {
      problems.push(`${where}: no such field upstream`);
      continue;
    }
    if (theirs.no !== spec.no) problems.push(`${where}: field number ${spec.no}, upstream ${theirs.no}`);
    if (theirs.map !== (spec.map === true)) problems.push(`${where}: map ${spec.map === true}, upstream ${theirs.map}`);
    else if (!theirs.map && theirs.repeated !== (spec.repeated === true))
      problems.push(`${where}: repeated ${spec.repeated === true}, upstream ${theirs.repeated}`);
    if (typeof spec.kind === "string") {
      const resolved = proto.resolve(theirs.type, theirs.scope);
      const kind = spec.kind === "enum" ? (resolved && proto.enums.has(resolved) ? "enum" : theirs.type) : theirs.type;
      if (kind !== spec.kind) problems.push(`${where}: kind ${spec.kind}, upstream ${theirs.type}`);
    } else {
      const resolved = proto.resolve(theirs.type, theirs.scope);
      if (!resolved || !proto.messages.has(resolved)) problems.push(`${where}: message ${spec.kind.name}, upstream type ${theirs.type}`);
      else compare(spec.kind, resolved, seen, problems, counted);
    }
  }
}

describe(`tfplugin6 codec against terraform-plugin-go's tfplugin6.proto`, () => {
  it("every implemented RPC, message and field number is upstream's", () => {
    const problems: string[] = [];
    const counted = { fields: 0 };
    const seen = new Set<string>();
    for (const [name, rpc] of Object.entries(providerRpcs)) {
      const upstream = proto.rpcs.get(name);
      if (!upstream || upstream.service !== "Provider") {
        problems.push(`rpc ${name}: not in upstream's Provider service`);
        continue;
      }
      compare(rpc.request as MessageType, upstream.request, seen, problems, counted);
      compare(rpc.response as MessageType, upstream.response, seen, problems, counted);
    }
    expect(problems).toEqual([]);
    // The check has teeth: it compared the fields of every RPC (a reader that found nothing would pass).
    expect(Object.keys(providerRpcs).length).toBe(12);
    expect(counted.fields).toBeGreaterThan(60);
  });

  it("diagnostic severities are upstream's enum values", () => {
    expect(proto.enums.get("Diagnostic.Severity")).toEqual(
      new Map([
        ["INVALID", 0],
        ["ERROR", Severity.ERROR],
        ["WARNING", Severity.WARNING],
      ]),
    );
  });

  it("reads upstream's file as it is (a sanity check of the reader)", () => {
    expect(proto.messages.get("AttributePath.Step")?.get("element_key_int")).toMatchObject({ no: 3, type: "int64" });
    expect(proto.rpcs.get("PlanResourceChange")).toMatchObject({
      request: "PlanResourceChange.Request",
      response: "PlanResourceChange.Response",
    });
    expect(proto.messages.get("GetProviderSchema.Response")?.get("resource_schemas")).toMatchObject({ no: 2, map: true, type: "Schema" });
  });
});
