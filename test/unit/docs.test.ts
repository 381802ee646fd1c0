import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { referenceDocs } from "../../provider/docs.js";
import { dataSources, resources } from "../../provider/resources/index.js";
import { dataSourceModel, resourceModel, type ObjectModel } from "../../provider/terraform/schema.js";
import type { CtyType } from "../../provider/terraform/types.js";

/** The docs' words for a Terraform type: what the reference must say for that attribute. */
const words = (t: CtyType): string => (typeof t === "string" ? (t === "bool" ? "boolean" : t) : t[0] === "object" ? "object" : `${t[0]} of ${words(t[1])}`);

describe("reference docs", () => {
  it("docs/resources.md is generated from the current declarations (run `npm run docs` if this fails)", () => {
    const docs = referenceDocs();
    expect(docs).toContain("`headscale_pre_auth_key`");
    expect(docs).toMatch(/\| `key` \| `key` \| string \| output \(secret\) \|/);
    expect(readFileSync(new URL("../../docs/resources.md", import.meta.url), "utf8")).toBe(docs);
  });

  it("says set of / list of exactly as the Terraform schema does, for every attribute", () => {
    const docs = referenceDocs();
    const models: ObjectModel[] = [...resources.map((d) => resourceModel("headscale", d)), ...dataSources.map((d) => dataSourceModel("headscale", d))];
    const collections = models.flatMap((m) => m.attributes.map((a) => ({ a, want: words(a.codec.type) }))).filter(({ want }) => / of /.test(want));
    expect(collections.map(({ want }) => want)).toContain("set of string"); // tags, routes
    expect(collections.map(({ want }) => want)).toContain("list of object"); // users, nodes
    for (const { a, want } of collections) expect(docs, `${a.key}`).toContain(`| \`${a.key}\` | \`${a.name}\` | ${want} |`);
  });

  it("documents every provider setting with its environment variable", () => {
    const docs = referenceDocs();
    for (const [pulumi, terraform, env] of [
      ["url", "url", "HEADSCALE_URL"],
      ["apiKey", "api_key", "HEADSCALE_API_KEY"],
      ["caCertificate", "ca_certificate", "HEADSCALE_CA_CERTIFICATE"],
      ["allowInsecureHttp", "allow_insecure_http", "HEADSCALE_ALLOW_INSECURE_HTTP"],
    ]) {
      expect(docs).toContain(`| \`headscale:${pulumi}\` | \`${terraform}\` | \`${env}\` |`);
    }
  });
});
