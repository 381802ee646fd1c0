// Cold start of the Terraform provider: Terraform starts it ~4 times per `terraform apply`, so every
// millisecond here is paid four times. Measures, over N runs: spawn → handshake line, and spawn →
// GetProviderSchema answered → process exited after Shutdown (what a schema-only start costs).
//
// usage: node dist/bench/terraform-startup.js [--runs N] [--command PATH]
//   default command: bin/terraform-provider-headscale (build first: npx tsc -p tsconfig.json)
import path from "node:path";
import { fileURLToPath } from "node:url";
import { controllerClient, exited, providerClient, startPlugin } from "./pluginClient.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

async function once(command: string): Promise<{ handshake: number; schema: number; total: number }> {
  const started = performance.now();
  const plugin = await startPlugin(command);
  const res = (await providerClient(plugin).GetProviderSchema!({})) as { resourceSchemas: Record<string, unknown> };
  if (!Object.keys(res.resourceSchemas).length) throw new Error("GetProviderSchema returned no resources");
  const schema = performance.now() - started;
  await controllerClient(plugin).Shutdown!({}).catch(() => undefined); // the process may exit before replying
  await exited(plugin.child);
  return { handshake: plugin.handshakeMs, schema, total: performance.now() - started };
}

async function main(): Promise<void> {
  const runs = Number(arg("--runs") ?? 15);
  const command = path.resolve(arg("--command") ?? path.join(root, "bin", "terraform-provider-headscale"));
  await once(command); // warm the file system cache: Terraform's starts after the first are warm too
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once(command));
  console.log(`terraform provider start-up, ${runs} runs of ${path.relative(process.cwd(), command) || command} (node ${process.version})`);
  console.log(`  spawn → handshake line:               ${fmt(results.map((r) => r.handshake))}`);
  console.log(`  spawn → GetProviderSchema answered:   ${fmt(results.map((r) => r.schema))}`);
  console.log(`  spawn → exited after Shutdown:        ${fmt(results.map((r) => r.total))}`);
}

await main();
