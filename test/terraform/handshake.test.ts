// The go-plugin contract of the real provider executable, played from Terraform's side: handshake line,
// mutual TLS, GetProviderSchema, Shutdown, refusal when run by hand, exit when the parent dies.
import { execFile, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { controllerClient, exited, MAGIC_COOKIE, providerClient, startPlugin } from "../../bench/pluginClient.js";
import { createServerCertificate } from "../../provider/terraform/certificate.js";
import { root } from "../harness/tools.js";

const provider = path.join(root, "bin", "terraform-provider-headscale");

describe("the provider executable", () => {
  it("hands its certificate to Terraform, serves the schema over mutual TLS, and exits on Shutdown", async () => {
    const plugin = await startPlugin(provider);
    try {
      const cert = new X509Certificate(plugin.serverCertPem);
      expect(cert.checkHost("localhost")).toBe("localhost");
      const schema = (await providerClient(plugin).GetProviderSchema!({})) as {
        provider: { block: { attributes: { name: string; sensitive?: boolean }[] } };
        resourceSchemas: Record<string, unknown>;
        dataSourceSchemas: Record<string, unknown>;
      };
      expect(Object.keys(schema.resourceSchemas)).toEqual(
        expect.arrayContaining(["headscale_user", "headscale_pre_auth_key", "headscale_node_tags", "headscale_policy"]),
      );
      expect(schema.provider.block.attributes.map((a) => a.name)).toEqual(["url", "api_key", "ca_certificate", "allow_insecure_http"]);
      expect(schema.provider.block.attributes.find((a) => a.name === "api_key")?.sensitive).toBe(true);

      const stopping = Date.now();
      await controllerClient(plugin).Shutdown!({}).catch(() => undefined);
      expect(await exited(plugin.child)).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(1500); // go-plugin SIGKILLs after 2 s
    } finally {
      plugin.child.kill("SIGKILL");
    }
  });

  it("rejects a client without the certificate Terraform announced", async () => {
    const plugin = await startPlugin(provider);
    try {
      const stranger = { ...plugin, clientCert: createServerCertificate() };
      await expect(providerClient(stranger).GetProviderSchema!({})).rejects.toThrow();
    } finally {
      plugin.child.kill("SIGKILL");
    }
  });

  it("explains itself when run by hand", async () => {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile(provider, [], { env: { PATH: process.env.PATH } }, (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr })),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("started by them, not by hand");
  });

  it("refuses a Terraform that cannot speak protocol 6", async () => {
    await expect(startPlugin(provider, [], { PLUGIN_PROTOCOL_VERSIONS: "5" })).rejects.toThrow(/plugin protocol 6/);
  });

  it("exits when its parent dies", async () => {
    // A stand-in for Terraform that starts the provider, reports its pid, and is then SIGKILLed.
    const parentScript = `
      const c = require("node:child_process").spawn(${JSON.stringify(provider)}, [], { stdio: ["ignore", "ignore", "inherit"] });
      console.log(c.pid);
      setInterval(() => {}, 1000);`;
    const client = createServerCertificate();
    const parent = spawn(process.execPath, ["-e", parentScript], {
      env: { ...process.env, ...MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS: "6", PLUGIN_CLIENT_CERT: client.certPem },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = Number(await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once("line", resolve)));
    await new Promise((r) => setTimeout(r, 1500)); // let it start serving
    expect(isRunning(pid)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 5000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const stillRunning = isRunning(pid);
    if (stillRunning) process.kill(pid, "SIGKILL");
    expect(stillRunning).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
