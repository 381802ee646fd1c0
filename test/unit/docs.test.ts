import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { referenceDocs } from "../../provider/docs.js";

describe("reference docs", () => {
  it("docs/resources.md is generated from the current declarations (run `npm run docs` if this fails)", () => {
    const docs = referenceDocs();
    expect(docs).toContain("`headscale_pre_auth_key`");
    expect(docs).toMatch(/\| `key` \| `key` \| string \| output \(secret\) \|/);
    expect(readFileSync(new URL("../../docs/resources.md", import.meta.url), "utf8")).toBe(docs);
  });
});
