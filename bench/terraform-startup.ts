// Cold start of the Terraform provider: Terraform starts it ~4 times per `terraform apply`, so every
// millisecond here is paid four times. Over N rounds, each round starts `node -e 0` (the floor: Node
// itself) and then the provider, one after the other, so a machine that slows down or speeds up moves
// both; the ratio is taken round by round. Measures spawn → handshake line, spawn → GetProviderSchema
// answered, and spawn → exited after Shutdown (what a schema-only start costs).
//
// usage: node dist/bench/terraform-startup.js [--runs N] [--command PATH] [--json FILE]
//   default command: bin/terraform-provider-headscale (build first: npm run build)
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { controllerClient, exited, providerClient, startPlugin } from "./pluginClient.js";
import { spread, type Spread } from "./stats.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function provider(command: string): Promise<{ handshake: number; schema: number; total: number }> {
  const started = performance.now();
  const plugin = await startPlugin(command);
  const res = (await providerClient(plugin).GetProviderSchema!({})) as { resourceSchemas: Record<string, unknown> };
  if (!Object.keys(res.resourceSchemas).length) throw new Error("GetProviderSchema returned no resources");
  const schema = performance.now() - started;
  await controllerClient(plugin).Shutdown!({}).catch(() => undefined); // the process may exit before replying
  await exited(plugin.child);
  return { handshake: plugin.handshakeMs, schema, total: performance.now() - started };
}

async function bareNode(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  await exited(child);
  return performance.now() - started;
}

export interface StartupFigures {
  node: string;
  runs: number;
  nodeE0Ms: Spread;
  handshakeMs: Spread;
  schemaMs: Spread;
  exitMs: Spread;
  /** handshake / `node -e 0`, round by round. */
  handshakeRatio: Spread;
  schemaRatio: Spread;
}

export async function measureStartup(runs: number, command = path.join(root, "bin", "terraform-provider-headscale")): Promise<StartupFigures> {
  await provider(command); // warm the file system cache: Terraform's starts after the first are warm too
  await bareNode();
  const rounds: { node: number; handshake: number; schema: number; total: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const node = await bareNode();
    rounds.push({ node, ...(await provider(command)) });
  }
  return {
    node: process.version,
    runs,
    nodeE0Ms: spread(rounds.map((r) => r.node)),
    handshakeMs: spread(rounds.map((r) => r.handshake)),
    schemaMs: spread(rounds.map((r) => r.schema)),
    exitMs: spread(rounds.map((r) => r.total)),
    handshakeRatio: spread(
      rounds.map((r) => r.handshake / r.node),
      2,
    ),
    schemaRatio: spread(
      rounds.map((r) => r.schema / r.node),
      2,
    ),
  };
}

export function startupTable(f: StartupFigures): string {
  const row = (what: string, s: Spread, unit = " ms") => `| ${what} | ${s.median}${unit} | ${s.min}–${s.max}${unit} |`;
  return [
    `Terraform provider start-up, ${f.runs} rounds (node ${f.node}); each round runs \`node -e 0\` then the provider`,
    "",
    "| | median | min–max |",
    "|---|---|---|",
    row("`node -e 0` (spawn → exit)", f.nodeE0Ms),
    row("provider: spawn → handshake line", f.handshakeMs),
    row("provider: spawn → GetProviderSchema answered", f.schemaMs),
    row("provider: spawn → exited after Shutdown", f.exitMs),
    row("handshake ÷ `node -e 0` (per round)", f.handshakeRatio, "×"),
    row("schema answered ÷ `node -e 0` (per round)", f.schemaRatio, "×"),
  ].join("\n");
}

async function main(): Promise<void> {
  const runs = Number(arg("--runs") ?? 15);
  const command = arg("--command");
  const figures = await measureStartup(runs, command ? path.resolve(command) : undefined);
  process.stdout.write(`${startupTable(figures)}\n`);
  const json = arg("--json");
  if (json) writeFileSync(json, `${JSON.stringify(figures, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
