// Plays Terraform's side of the go-plugin handshake: start the provider with the handshake environment,
// read the first stdout line, and talk gRPC over mutual TLS to it. Used by the start-up benchmark and
// the handshake tests.
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { createServerCertificate, type ServerCertificate } from "../provider/terraform/certificate.js";
import { controllerRpcs, providerRpcs, type Rpc } from "../provider/terraform/protocol/tfplugin6.js";
import { decode, encode } from "../provider/terraform/protocol/wire.js";

export const MAGIC_COOKIE = { TF_PLUGIN_MAGIC_COOKIE: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2" };

export interface RunningPlugin {
  child: ChildProcess;
  /** Milliseconds from spawn to the handshake line. */
  handshakeMs: number;
  address: string;
  serverCertPem: string;
  clientCert: ServerCertificate;
  stderr: () => string;
}

/** Starts `command` as Terraform does and waits for its handshake line. */
export function startPlugin(command: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningPlugin> {
  const clientCert = createServerCertificate(); // go-plugin's client certificate has the same shape
  const started = performance.now();
  const child = spawn(command, args, {
    env: { ...process.env, ...MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS: "5,6", PLUGIN_CLIENT_CERT: clientCert.certPem, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    child.once("exit", (code) => reject(new Error(`plugin exited (${code}) before the handshake:\n${stderr}`)));
    lines.once("line", (line) => {
      const handshakeMs = performance.now() - started;
      const [core, proto, network, address, kind, cert] = line.split("|");
      if (core !== "1" || proto !== "6" || network !== "tcp" || kind !== "grpc" || !address || !cert) {
        reject(new Error(`unexpected handshake line: ${line}`));
        return;
      }
      const der = Buffer.from(cert, "base64");
      const serverCertPem = `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`;
      resolve({ child, handshakeMs, address, serverCertPem, clientCert, stderr: () => stderr });
    });
  });
}

type Unary = (req: unknown) => Promise<unknown>;

function clientFor(service: string, rpcs: Record<string, Rpc<unknown, unknown>>, p: RunningPlugin): Record<string, Unary> {
  const definition: grpc.ServiceDefinition = Object.fromEntries(
    Object.entries(rpcs).map(([name, rpc]) => [
      name,
      {
        path: `/${service}/${name}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (v: unknown) => encode(rpc.request, v),
        requestDeserialize: (b: Buffer) => decode(rpc.request, b),
        responseSerialize: (v: unknown) => encode(rpc.response, v),
        responseDeserialize: (b: Buffer) => decode(rpc.response, b),
      },
    ]),
  );
  const Client = grpc.makeGenericClientConstructor(definition, service);
  // Like Terraform: trust only the certificate from the handshake, present our own, expect "localhost".
  const credentials = grpc.credentials.createSsl(Buffer.from(p.serverCertPem), Buffer.from(p.clientCert.keyPem), Buffer.from(p.clientCert.certPem));
  const client = new Client(p.address, credentials, { "grpc.ssl_target_name_override": "localhost" }) as unknown as Record<
    string,
    (req: unknown, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void
  >;
  return Object.fromEntries(
    Object.keys(rpcs).map((name) => [
      name,
      (req: unknown) => new Promise((resolve, reject) => client[name]!.call(client, req, (err, res) => (err ? reject(err) : resolve(res)))),
    ]),
  );
}

export const providerClient = (p: RunningPlugin) => clientFor("tfplugin6.Provider", providerRpcs, p);
export const controllerClient = (p: RunningPlugin) => clientFor("plugin.GRPCController", controllerRpcs, p);

/** Resolves with the exit code once the process has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}
