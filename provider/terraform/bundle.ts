// Bundles the provider into two CommonJS files that bin/terraform-provider-headscale prefers:
//   bundle/launch.cjs  the handshake (launchBundled.ts): node:net, node:crypto and ~200 lines, nothing more
//   bundle/main.cjs    the server: grpc-js, zod, the declarations (resolving and reading ~300 small files
//                      costs ~90 ms per start), loaded with V8's code cache, primed here (codeCache.ts)
// usage (after tsc): node dist/provider/terraform/bundle.js — skipped with a note when esbuild is absent.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

async function main(): Promise<void> {
  let esbuild: Esbuild;
  try {
    esbuild = (await import("esbuild" as string)) as Esbuild;
  } catch {
    process.stderr.write("esbuild is not installed: no provider bundle (the provider still works, starting slower)\n");
    return;
  }
  rmSync(dist("./bundle"), { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // Only grpc-js's channelz/xds code loads .proto files through it, and the server uses neither.
    external: ["@grpc/proto-loader"],
    sourcemap: true,
    logLevel: "warning",
  };
  await esbuild.build({ ...common, entryPoints: [dist("./main.js")], outfile: dist("./bundle/main.cjs") });
  await esbuild.build({ ...common, entryPoints: [dist("./launchBundled.js")], outfile: dist("./bundle/launch.cjs") });
  // Prime the code cache in a process like the provider's (same Node, no flags).
  const prime = `import(${JSON.stringify(new URL("./codeCache.js", import.meta.url).href)}).then((m) => m.requireWithCodeCache(${JSON.stringify(dist("./bundle/main.cjs"))}, { writeCache: "always" }))`;
  const r = spawnSync(process.execPath, ["-e", prime], { stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`priming the code cache failed (exit ${r.status})`);
  process.stderr.write(`bundled the Terraform provider into ${dist("./bundle/")} (launch.cjs, main.cjs + code cache)\n`);
}

await main();
