import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("README", () => {
  it("shows examples/pulumi-basic/index.ts exactly as the tests run it", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../../examples/pulumi-basic/index.ts", import.meta.url), "utf8");
    expect(readme).toContain("```ts\n" + example.trimEnd() + "\n```");
  });

  it("shows examples/pulumi-tailnet/index.ts and examples/terraform-tailnet/main.tf exactly as the tests run them", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const pulumi = readFileSync(new URL("../../examples/pulumi-tailnet/index.ts", import.meta.url), "utf8");
    const terraform = readFileSync(new URL("../../examples/terraform-tailnet/main.tf", import.meta.url), "utf8");
    expect(readme).toContain("```ts\n" + pulumi.trimEnd() + "\n```");
    expect(readme).toContain("```hcl\n" + terraform.trimEnd() + "\n```");
  });

  it("shows examples/terraform-policy (main.tf and its module) exactly as the tests run it", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    for (const file of ["main.tf", "modules/web-service/main.tf"]) {
      const text = readFileSync(new URL(`../../examples/terraform-policy/${file}`, import.meta.url), "utf8");
      expect(readme).toContain("```hcl\n" + text.trimEnd() + "\n```");
    }
  });
});
