// The literals `headscale-iac import` writes reproduce their values exactly, and resource names are
// valid identifiers in TypeScript and HCL.
import { describe, expect, it } from "vitest";
import { identifier } from "../../provider/cli/inventory.js";
import { hclHeredoc, hclString, tsTemplate } from "../../provider/cli/render/text.js";

const awkward = '// a `quoted` ${not} interpolation, a back\\slash\n{\n  "acls": [], // %{x} too\n}\nEOT\n';

describe("import rendering", () => {
  it("a TypeScript template literal evaluates to the text verbatim", () => {
    expect(new Function(`return ${tsTemplate(awkward)};`)()).toBe(awkward);
  });

  it("an HCL heredoc escapes template sequences and picks a marker the text does not contain", () => {
    const h = hclHeredoc(awkward);
    expect(h.startsWith("<<EOT2\n")).toBe(true);
    expect(h.endsWith("\nEOT2")).toBe(true);
    expect(h).toContain("$${not}");
    expect(h).toContain("%%{x}");
    expect(hclString('a "b" ${c}')).toBe('"a \\"b\\" $${c}"');
  });

  it("names: readable, valid identifiers, reserved words avoided", () => {
    expect(identifier("alice")).toBe("alice");
    expect(identifier("alice.smith@example.com")).toBe("alice_smith_example_com");
    expect(identifier("home-gw")).toBe("home_gw");
    expect(identifier("1st")).toBe("n1st");
    expect(identifier("default")).toBe("default_");
    expect(identifier("---")).toBe("object");
  });
});
