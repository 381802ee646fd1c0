// Loads a CommonJS file with V8's code cache (vm.Script cachedData): the provider's bundle is ~1.6 MB of
// JavaScript, and compiling it was the largest cost of a start after the handshake. Node 22.1+ has
// module.enableCompileCache(); Node 20, which many machines run, has only this. The cache sits next to the
// file (bundle.ts writes it at build time); a cache V8 rejects (another Node version) is rebuilt on the
// spot and written back if the directory is writable, else the file is simply compiled as usual.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";

export const cacheFileOf = (file: string): string => `${file}.v8cache`;

export function requireWithCodeCache(file: string, opts: { writeCache?: "if-rejected" | "always" } = {}): unknown {
  const source = readFileSync(file, "utf8");
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFileOf(file));
  } catch {
    // no cache yet: compiled as usual, and written below
  }
  const script = new vm.Script((Module as unknown as { wrap(s: string): string }).wrap(source), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...a: unknown[]) => void)(module.exports, createRequire(file), module, file, path.dirname(file));
  if (opts.writeCache === "always" || !cachedData || script.cachedDataRejected) {
    // After running: the cache then holds the functions the start-up compiled, not just the top level.
    const tmp = `${cacheFileOf(file)}.${process.pid}`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFileOf(file)); // atomic: Terraform may start several providers at once
    } catch {
      // read-only install: no cache, still correct
    }
  }
  return module.exports;
}
