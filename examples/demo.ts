// `npm run demo`: builds the tools on first use, starts a throwaway Headscale, runs `pulumi up` on
// examples/pulumi-basic through the real Pulumi engine, shows what now exists (keys masked), shows that a
// second preview has no changes, and cleans everything up. It runs on the current lane (Node 24, the
// newest @pulumi/pulumi and CLI; test/harness/lanes.ts); PULUMI_LANE=floor runs it on the machine's Node.
import { HeadscaleClient } from "../provider/client/index.js";
import { startHeadscale } from "../test/harness/headscale.js";
import { removeLaneDirs } from "../test/harness/laneDriver.js";
import { expectOk, pulumiProject } from "../test/harness/pulumi.js";
import { lane, type LaneName } from "../test/harness/lanes.js";
import { ensureTools, newestHeadscale } from "../test/harness/tools.js";

const say = (s = "") => process.stdout.write(`${s}\n`);
const mask = (key: string) => `${key.replace(/^(hskey-auth-[^-]+)-.*$/, "$1")}-***`;

async function main(): Promise<void> {
  say("headscale-iac demo: Pulumi → Headscale\n");
  say("1. Tools (built from the Go module proxy on first use, ~10 min; cached afterwards)");
  process.env.HEADSCALE_VERSIONS = newestHeadscale();
  process.env.PULUMI_LANE ??= "current";
  ensureTools("headscale", "pulumi", ...(process.env.PULUMI_LANE === "current" ? ["node"] : []));
  const server = await startHeadscale({ version: newestHeadscale() });
  say(`   lane: ${lane(process.env.PULUMI_LANE as LaneName).label}`);
  const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
  const project = pulumiProject({ url: server.url, apiKey: server.apiKey, program: "example:pulumi-basic" });
  try {
    say(`\n2. Headscale ${server.version} running at ${server.url} (throwaway, sqlite, policy.mode: database)`);
    say("\n3. pulumi up  (examples/pulumi-basic)");
    const [up] = expectOk(await project.run([{ op: "up" }]));
    say(
      `   ${Object.entries(up!.changes ?? {})
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`,
    );

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
    say(
      `   ${Object.entries(preview!.changes ?? {})
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")}`,
    );

    say("\n6. pulumi destroy, stop Headscale");
    expectOk(await project.run([{ op: "destroy" }]));
  } finally {
    removeLaneDirs(process.pid);
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
