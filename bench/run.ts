// `npm run bench`: the Terraform provider's start-up, then N users + N keys + a policy through the real
// Terraform CLI and the real Pulumi engine (bench/scale.ts), printed as tables and merged into
// bench/results.json (which the README quotes).
//   npm run bench                         N = 10 and 100, 3 runs each, both frontends, start-up
//   npm run bench -- --n 1000 --runs 1    one size (N = 1,000 takes tens of minutes on two cores)
//   options: --frontends terraform,pulumi  --no-startup  --startup-runs 20  --headscale 0.29.3  --json FILE
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { root } from "../test/harness/tools.js";
import { measureScale, scaleTable, type Frontend, type ScaleFigures } from "./scale.js";
import { measureStartup, startupTable, type StartupFigures } from "./terraform-startup.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Results {
  machine?: string;
  startup?: StartupFigures & { at: string };
  scale: Record<string, ScaleFigures & { at: string }>;
}

async function main(): Promise<void> {
  const sizes = (arg("--n") ?? "10,100")
    .split(",")
    .map(Number)
    .filter((n) => n > 0);
  const runs = Number(arg("--runs") ?? 3);
  const frontends = (arg("--frontends") ?? "terraform,pulumi").split(",") as Frontend[];
  const jsonFile = path.resolve(arg("--json") ?? path.join(root, "bench", "results.json"));
  const results: Results = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, "utf8")) as Results) : { scale: {} };
  const at = new Date().toISOString();
  results.machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`;
  const save = () => writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);

  if (!process.argv.includes("--no-startup")) {
    const startup = await measureStartup(Number(arg("--startup-runs") ?? 20));
    process.stdout.write(`\n${startupTable(startup)}\n`);
    results.startup = { ...startup, at };
    save();
  }
  const measured: ScaleFigures[] = [];
  for (const n of sizes) {
    for (const frontend of frontends) {
      const f = await measureScale(frontend, n, runs, arg("--headscale"));
      measured.push(f);
      results.scale[`${frontend}-${n}`] = { ...f, at };
      save(); // keep what finished even if a later size fails
      process.stdout.write(`\n${scaleTable([f])}\n`);
    }
  }
  if (measured.length > 1) process.stdout.write(`\nAll sizes:\n\n${scaleTable(measured)}\n`);
  process.stdout.write(`\nwritten to ${path.relative(process.cwd(), jsonFile)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
