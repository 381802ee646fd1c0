import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("README", () => {
  it("shows examples/pulumi-basic/index.ts exactly as the tests run it", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../../examples/pulumi-basic/index.ts", import.meta.url), "utf8");
    expect(readme).toContain("```ts\n" + example.trimEnd() + "\n```");
  });
});
