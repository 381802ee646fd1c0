// API calls per operation: the cost that matters for Headscale (every authenticated call is a bcrypt
// check, ~60 ms of server CPU). Counts what reaches a real server, through a counting proxy, while the
// real Pulumi engine previews and refreshes N users and N keys.
//   node dist/bench/api-calls.js [--n 25]
import { startHeadscale } from "../test/harness/headscale.js";
import { startFaultProxy } from "../test/harness/faultProxy.js";
import { expectOk, pulumiProject } from "../test/harness/pulumi.js";
import type { ProgramSpec } from "../test/programs/spec.js";

const n = Number(process.argv[process.argv.indexOf("--n") + 1] || 25) || 25;

function countBy(seen: string[]): string {
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s.replace(/\/\d+/g, "/{id}"), (counts.get(s.replace(/\/\d+/g, "/{id}")) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${v}× ${k}`).join(", ");
}

async function main(): Promise<void> {
  const server = await startHeadscale();
  const proxy = await startFaultProxy(server.url);
  const project = pulumiProject({ url: proxy.url, apiKey: server.apiKey, program: "spec" });
  const spec: ProgramSpec = {
    users: Array.from({ length: n }, (_, i) => ({ resource: `u${i}`, name: `user${i}` })),
    keys: Array.from({ length: n }, (_, i) => ({ resource: `k${i}`, userResource: `u${i}`, reusable: true, expiration: "30d" })),
  };
  try {
    process.stdout.write(`Headscale ${server.version}, ${n} users + ${n} pre-auth keys, real Pulumi engine\n\n`);
    process.stdout.write(`| operation | API calls | authenticated (bcrypt) | wall time | calls |\n|---|---|---|---|---|\n`);
    for (const op of ["up", "preview", "refresh", "destroy"] as const) {
      const before = proxy.seen.length;
      const started = Date.now();
      expectOk(await project.run([{ op, spec }]));
      const seen = proxy.seen.slice(before);
      const authed = seen.filter((s) => !s.endsWith(" /version") && !s.endsWith(" /health")).length;
      process.stdout.write(`| ${op} | ${seen.length} | ${authed} | ${((Date.now() - started) / 1000).toFixed(1)} s | ${countBy(seen)} |\n`);
    }
  } finally {
    project.dispose();
    await proxy.close();
    await server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
