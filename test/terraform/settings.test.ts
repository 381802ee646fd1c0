// Terraform honours every provider setting the core declares (provider/resources/settings.ts), from the
// environment as from the provider block: one test per environment variable, against a real Headscale
// (directly, behind a TLS front with a private CA, or behind plain http on a non-loopback address).
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { providerSettings } from "../../provider/resources/index.js";
import { PROVIDER_SOURCE } from "../../provider/terraform/install.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { startPlainFront, startTlsFront, type Front } from "../harness/tls.js";
import { HeadscaleWorkspace } from "./headscaleWorkspace.js";

const USER = "settings-user";
const config = (providerBlock: string) => `terraform {
  required_providers {
    headscale = { source = "${PROVIDER_SOURCE}" }
  }
}
provider "headscale" {
${providerBlock}}
data "headscale_users" "all" {}
output "names" { value = [for u in data.headscale_users.all.users : u.name] }
`;

describe("terraform: provider settings from the environment", () => {
  let server: HeadscaleServer;
  let ws: HeadscaleWorkspace;
  let tlsFront: Front & { caPem: string };
  let plainFront: Front;

  beforeAll(async () => {
    server = await startHeadscale();
    const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    await api.createUser({ name: USER });
    api.close();
    [tlsFront, plainFront] = await Promise.all([startTlsFront(server.url), startPlainFront(server.url)]);
    ws = new HeadscaleWorkspace("terraform", server);
    ws.write("main.tf", config(""));
    await ws.expect([0], ["init"]);
  });
  afterAll(async () => {
    ws?.cleanup();
    await Promise.all([tlsFront?.close(), plainFront?.close()]);
    await server?.stop();
  });

  /** A plan reads the users through the data source: it shows the user, or fails with the error. */
  async function plan(env: Record<string, string | undefined>): Promise<{ code: number; output: string }> {
    onTestFailed(() => console.error(server.logTail()));
    const r = await ws.run(["plan"], env);
    // Terraform wraps diagnostics at 78 columns: compare the words.
    return { code: r.code, output: r.output.replace(/\s+/g, " ") };
  }

  it("covers every setting the core declares", () => {
    expect(providerSettings.flatMap((s) => s.env)).toEqual(["HEADSCALE_URL", "HEADSCALE_API_KEY", "HEADSCALE_CA_CERTIFICATE", "HEADSCALE_ALLOW_INSECURE_HTTP"]);
  });

  it("HEADSCALE_URL: the server to use; without it the plan says how to set it", async () => {
    const ok = await plan({ HEADSCALE_URL: server.url });
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain(`"${USER}"`);
    const missing = await plan({ HEADSCALE_URL: undefined });
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/the Headscale URL is not set: set url in the provider block or HEADSCALE_URL/);
  });

  it("HEADSCALE_API_KEY: the key to use; without it the plan says how to set it", async () => {
    const missing = await plan({ HEADSCALE_URL: server.url, HEADSCALE_API_KEY: undefined });
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/the API key is not set: set api_key in the provider block or HEADSCALE_API_KEY/);
    const wrong = await plan({ HEADSCALE_URL: server.url, HEADSCALE_API_KEY: `${server.apiKey.slice(0, -4)}xxxx` });
    expect(wrong.code).toBe(1);
    expect(wrong.output).toMatch(/API key was refused/);
  });

  it("HEADSCALE_CA_CERTIFICATE: a private CA is trusted only when given", async () => {
    const untrusted = await plan({ HEADSCALE_URL: tlsFront.url });
    expect(untrusted.code).toBe(1);
    expect(untrusted.output).toMatch(/TLS to https:\/\/127\.0\.0\.1:\d+ failed.*ca_certificate in the provider block or HEADSCALE_CA_CERTIFICATE/);
    const trusted = await plan({ HEADSCALE_URL: tlsFront.url, HEADSCALE_CA_CERTIFICATE: tlsFront.caPem });
    expect(trusted.code, trusted.output).toBe(0);
    expect(trusted.output).toContain(`"${USER}"`);
  });

  it("HEADSCALE_ALLOW_INSECURE_HTTP: plain http:// to another host only when allowed", async () => {
    const refused = await plan({ HEADSCALE_URL: plainFront.url });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(
      /refusing plain http:\/\/ to [\d.]+: the API key would travel in clear.*allow_insecure_http in the provider block or HEADSCALE_ALLOW_INSECURE_HTTP/,
    );
    const allowed = await plan({ HEADSCALE_URL: plainFront.url, HEADSCALE_ALLOW_INSECURE_HTTP: "true" });
    expect(allowed.code, allowed.output).toBe(0);
    expect(allowed.output).toContain(`"${USER}"`);
  });

  it("the provider block wins over the environment", async () => {
    ws.write("main.tf", config(`  url = "${plainFront.url}"\n  allow_insecure_http = true\n`));
    try {
      // The environment names an unreachable server and forbids plain http: the block's values are used.
      const r = await plan({ HEADSCALE_URL: "http://127.0.0.1:9", HEADSCALE_ALLOW_INSECURE_HTTP: "false" });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain(`"${USER}"`);
    } finally {
      ws.write("main.tf", config(""));
    }
  });
});
