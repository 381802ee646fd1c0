// `npm run demo`: builds the tools on first use, starts a throwaway Headscale, runs `pulumi up` on
// examples/pulumi-basic through the real Pulumi engine, shows what now exists (keys masked), shows that a
// second preview has no changes, and cleans everything up.
import { HeadscaleClient } from "../provider/client/index.js";
import { startHeadscale } from "../test/harness/headscale.js";
import { expectOk, pulumiProject } from "../test/harness/pulumi.js";
import { ensureTools, newestHeadscale } from "../test/harness/tools.js";

const say = (s = "") => process.stdout.write(`${s}\n`);
const mask = (key: string) => `${key.replace(/^(hskey-auth-[^-]+)-.*$/, "$1")}-***`;

async function main(): Promise<void> {
  say("headscale-iac demo: Pulumi → Headscale\n");
  say("1. Tools (built from the Go module proxy on first use, ~10 min; cached afterwards)");
  process.env.HEADSCALE_VERSIONS = newestHeadscale();
  ensureTools("headscale", "pulumi");
  const server = await startHeadscale({ version: newestHeadscale() });
  const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
  const project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "example:pulumi-basic" });
  try {
    say(`\n2. Headscale ${server.version} running at ${server.url} (throwaway, sqlite, policy.mode: database)`);
    say("\n3. pulumi up  (examples/pulumi-basic)");
    const [up] = expectOk(await project.run([{ op: "up" }]));
    say(`   ${Object.entries(up!.changes ?? {}).map(([k, v]) => `${v} ${k}`).join(", ")}`);

    say("\n4. What Headscale has now (read back through the API)");
    for (const u of await api.listUsers()) say(`   user  ${u.name.padEnd(8)} id ${u.id}  ${u.displayName}${u.email ? ` <${u.email}>` : ""}`);
    for (const k of await api.listPreAuthKeys()) {
      say(`   key   ${mask(k.key)}  user ${k.user?.name ?? "-"}  tags ${k.aclTags.join(",") || "-"}  reusable ${k.reusable}  expires ${k.expiration}`);
    }
    const policy = (await api.getPolicy()).text;
    say(`   policy (${policy.split("\n").length} lines, comments kept):`);
    for (const line of policy.split("\n").slice(0, 6)) say(`     ${line}`);
    say("     …");
    const outputs = up!.outputs ?? {};
    say(`   stack output serverKey: ${outputs.serverKey?.secret ? "[secret]" : "NOT SECRET"}  prefix ${String(outputs.serverKeyPrefix?.value ?? "")}`);

    say("\n5. pulumi preview  (nothing to do)");
    const [preview] = expectOk(await project.run([{ op: "preview" }]));
    say(`   ${Object.entries(preview!.changes ?? {}).map(([k, v]) => `${v} ${k}`).join(", ")}`);

    say("\n6. pulumi destroy, stop Headscale");
    expectOk(await project.run([{ op: "destroy" }]));
  } finally {
    project.dispose();
    api.close();
    await server.stop();
  }
  say("   done: nothing left behind.");
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
