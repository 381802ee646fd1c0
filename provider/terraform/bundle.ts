// Bundles the provider server into one ES module (dist/provider/terraform/bundle/main.mjs), which
// launch.ts prefers: resolving and reading ~300 small files of zod and grpc-js costs ~90 ms per start.
// usage (after tsc): node dist/provider/terraform/bundle.js — skipped with a note when esbuild is absent.
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("./main.js", import.meta.url));
const outfile = fileURLToPath(new URL("./bundle/main.mjs", import.meta.url));

// CommonJS dependencies (grpc-js) call require() and read __dirname; an ES module has neither.
const banner = [
  'import { createRequire as __createRequire } from "node:module";',
  'import { fileURLToPath as __fileURLToPath } from "node:url";',
  "const require = __createRequire(import.meta.url);",
  "const __filename = __fileURLToPath(import.meta.url);",
  'const __dirname = __fileURLToPath(new URL(".", import.meta.url));',
].join("\n");

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

async function main(): Promise<void> {
  let esbuild: Esbuild;
  try {
    esbuild = (await import("esbuild" as string)) as Esbuild;
  } catch {
    process.stderr.write("esbuild is not installed: no provider bundle (the provider still works, starting ~90 ms slower)\n");
    return;
  }
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: banner },
    // Only grpc-js's channelz/xds code loads .proto files through it, and the server uses neither.
    external: ["@grpc/proto-loader"],
    sourcemap: true,
    logLevel: "warning",
  });
  process.stderr.write(`bundled the Terraform provider into ${outfile}\n`);
}

await main();
