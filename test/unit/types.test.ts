// Type tests: test/types/ is compiled with the project's settings. Its `@ts-expect-error` lines must each
// meet a type error (a misspelt lookup argument, a wrongly typed result), or tsc fails.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { root } from "../harness/tools.js";

const run = promisify(execFile);

describe("types", () => {
  it("lookups and resources keep their argument and result types (getUsers({ nmae }) does not compile)", async () => {
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", path.join(root, "test", "types", "tsconfig.json")], { cwd: root }).then(
      () => ({ code: 0, output: "" }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` }),
    );
    expect(result.output).toBe("");
    expect(result.code).toBe(0);
  }, 180_000);
});
