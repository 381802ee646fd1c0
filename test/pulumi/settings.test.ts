// Pulumi honours every provider setting the core declares (provider/resources/settings.ts), from the stack
// config and from the environment, in the dynamic provider (sdk/pulumi/engine.ts, what the provider host
// runs) and in the lookups (which run in the program). One test per environment variable, against a real
// Headscale (directly, behind a TLS front with a private CA, or behind plain http on a non-loopback
// address). The engine and lookups are driven in this process: what is tested is how they read settings.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HeadscaleClient } from "../../provider/client/index.js";
import { providerSettings } from "../../provider/resources/index.js";
import * as engine from "../../sdk/pulumi/engine.js";
import { getUsers } from "../../sdk/pulumi/lookups.js";
import { startHeadscale, type HeadscaleServer } from "../harness/headscale.js";
import { startPlainFront, startTlsFront, type Front } from "../harness/tls.js";

const USER = "settings-user";
const ENV = providerSettings.flatMap((s) => s.env);

describe("pulumi: provider settings from the stack config and the environment", () => {
  let server: HeadscaleServer;
  let userId: string;
  let tlsFront: Front & { caPem: string };
  let plainFront: Front;
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

  beforeAll(async () => {
    server = await startHeadscale();
    const api = new HeadscaleClient({ url: server.url, apiKey: server.apiKey });
    userId = (await api.createUser({ name: USER })).id;
    api.close();
    [tlsFront, plainFront] = await Promise.all([startTlsFront(server.url), startPlainFront(server.url)]);
  });
  afterEach(() => {
    for (const k of ENV) saved[k] === undefined ? delete process.env[k] : (process.env[k] = saved[k]);
  });
  afterAll(async () => {
    await Promise.all([tlsFront?.close(), plainFront?.close()]);
    await server?.stop();
  });

  /** Sets exactly these settings variables (the others unset), as the provider host would see them. */
  function environment(env: Record<string, string>): void {
    for (const k of ENV) delete process.env[k];
    Object.assign(process.env, env);
  }

  /** The user through the dynamic provider's read (configured as Pulumi does) and through a lookup. */
  async function readUser(config: Record<string, string> = {}): Promise<string[]> {
    engine.configure({ get: (key) => config[key] });
    const read = await engine.read("User", userId, { name: USER, userId });
    const looked = await getUsers({ name: USER });
    return [String(read.props.name), ...looked.users.map((u) => u.name)];
  }

  it("covers every setting the core declares", () => {
    expect(ENV).toEqual(["HEADSCALE_URL", "HEADSCALE_API_KEY", "HEADSCALE_CA_CERTIFICATE", "HEADSCALE_ALLOW_INSECURE_HTTP"]);
  });

  it("HEADSCALE_URL: the server to use; without it the error says how to set it", async () => {
    environment({ HEADSCALE_URL: server.url, HEADSCALE_API_KEY: server.apiKey });
    expect(await readUser()).toEqual([USER, USER]);
    environment({ HEADSCALE_API_KEY: server.apiKey });
    await expect(readUser()).rejects.toThrow(/headscale:url: the Headscale URL is not set: set `pulumi config set headscale:url …` or HEADSCALE_URL/);
    // The stack config, as `pulumi config set headscale:url` leaves it, works without the variable (in the
    // provider; the lookups read it through pulumi.Config in a program, which this process is not).
    engine.configure({ get: (key) => ({ "headscale:url": server.url })[key] });
    expect((await engine.read("User", userId, { name: USER, userId })).props.name).toBe(USER);
  });

  it("HEADSCALE_API_KEY: the key to use; without it the error says how to set it", async () => {
    environment({ HEADSCALE_URL: server.url });
    await expect(readUser()).rejects.toThrow(/the API key is not set: set `pulumi config set --secret headscale:apiKey …` or HEADSCALE_API_KEY/);
    environment({ HEADSCALE_URL: server.url, HEADSCALE_API_KEY: server.apiKey });
    expect(await readUser()).toEqual([USER, USER]);
  });

  it("HEADSCALE_CA_CERTIFICATE: a private CA is trusted only when given", async () => {
    environment({ HEADSCALE_URL: tlsFront.url, HEADSCALE_API_KEY: server.apiKey });
    await expect(readUser()).rejects.toThrow(
      /TLS to https:\/\/127\.0\.0\.1:\d+ failed.*`pulumi config set headscale:caCertificate …` or HEADSCALE_CA_CERTIFICATE/,
    );
    environment({ HEADSCALE_URL: tlsFront.url, HEADSCALE_API_KEY: server.apiKey, HEADSCALE_CA_CERTIFICATE: tlsFront.caPem });
    expect(await readUser()).toEqual([USER, USER]);
  });

  it("HEADSCALE_ALLOW_INSECURE_HTTP: plain http:// to another host only when allowed", async () => {
    environment({ HEADSCALE_URL: plainFront.url, HEADSCALE_API_KEY: server.apiKey });
    await expect(readUser()).rejects.toThrow(/refusing plain http:\/\/ to [\d.]+: the API key would travel in clear.*HEADSCALE_ALLOW_INSECURE_HTTP/);
    environment({ HEADSCALE_URL: plainFront.url, HEADSCALE_API_KEY: server.apiKey, HEADSCALE_ALLOW_INSECURE_HTTP: "true" });
    expect(await readUser()).toEqual([USER, USER]);
  });
});
