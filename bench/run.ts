// `npm run bench`: every benchmark, one after the other.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
for (const [name, args] of [["api-calls.js", ["--n", "25"]], ["terraform-startup.js", []]] as const) {
  process.stdout.write(`\n== ${name} ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, [path.join(here, name), ...args], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
