// Starts the provider the way Terraform/OpenTofu expect a go-plugin: check the magic cookie, serve gRPC
// over mutual TLS on a loopback port, print the handshake line, and stay until told to stop.
import * as grpc from "@grpc/grpc-js";
import { createServerCertificate, rawBase64 } from "./certificate.js";
import type { ProviderDefinition } from "./definition.js";
import { providerHandlers } from "./provider.js";
import { controllerRpcs, providerRpcs, type Rpc } from "./protocol/tfplugin6.js";
import { decode, encode } from "./protocol/wire.js";

const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
const APP_PROTOCOL_VERSION = 6;
/** As Go providers: large schemas and states must not hit gRPC's 4 MB default. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Logs go to stderr: Terraform shows them with TF_LOG=debug; "[LEVEL]" prefixes set their level. */
export const log = (message: string): void => void process.stderr.write(`${message}\n`);

function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The grpc-js service table for a set of RPCs, with the project's own protobuf codec. */
function serviceDefinition(service: string, rpcs: Record<string, Rpc<unknown, unknown>>): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(rpcs).map(([name, rpc]) => [
      name,
      {
        path: `/${service}/${name}`,
        requestStream: false,
        responseStream: false,
        originalName: name,
        requestSerialize: (v: unknown) => encode(rpc.request, v),
        requestDeserialize: (b: Buffer) => decode(rpc.request, b),
        responseSerialize: (v: unknown) => encode(rpc.response, v),
        responseDeserialize: (b: Buffer) => decode(rpc.response, b),
      },
    ]),
  );
}

/** Adapts `async (request) => response` functions to grpc-js unary handlers. */
function unary(handlers: Record<string, (req: never) => Promise<unknown>>): grpc.UntypedServiceImplementation {
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handle]) => [
      name,
      (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        handle(call.request as never).then(
          (res) => callback(null, res),
          (e: unknown) => {
            // Handlers turn user errors into diagnostics; reaching here is a bug worth a stack trace.
            log(`[ERROR] ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
            callback({ code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) });
          },
        );
      },
    ]),
  );
}

/** Exit when Terraform goes away without saying so (killed, crashed): never linger as an orphan. */
function exitWithParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
}

export async function serve(definition: ProviderDefinition): Promise<void> {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    refuse(
      `This is the ${definition.name} provider plugin for Terraform and OpenTofu; it is started by them, not by hand.\n` +
        `Install it (node dist/provider/terraform/install.js) and run \`terraform init\` in your configuration.`,
    );
  }
  const offered = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? String(APP_PROTOCOL_VERSION)).split(",").map((v) => v.trim());
  if (!offered.includes(String(APP_PROTOCOL_VERSION))) {
    refuse(`This provider speaks plugin protocol ${APP_PROTOCOL_VERSION} (Terraform >= 1.0, OpenTofu); the caller offers ${offered.join(", ")}.`);
  }
  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  if (!clientCert) refuse("PLUGIN_CLIENT_CERT is not set: this provider needs Terraform's automatic mutual TLS.");

  // Terraform forwards Ctrl-C to the whole process group and then asks politely with StopProvider.
  process.on("SIGINT", () => log("[INFO] interrupt received; waiting for Terraform's StopProvider"));
  process.on("unhandledRejection", (e) => log(`[ERROR] unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));

  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  server.addService(serviceDefinition("tfplugin6.Provider", providerRpcs), unary(providerHandlers(definition, log)));
  server.addService(
    serviceDefinition("plugin.GRPCController", controllerRpcs),
    unary({
      Shutdown: async () => {
        // Reply first, then leave: without this go-plugin SIGKILLs the process after 2 s.
        setImmediate(() => server.tryShutdown(() => process.exit(0)));
        setTimeout(() => process.exit(0), 1000).unref();
        return {};
      },
    }),
  );

  const cert = createServerCertificate();
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(clientCert),
    [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  exitWithParent();
  // The handshake: the first and only line Terraform reads from stdout before talking gRPC.
  process.stdout.write(`${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${rawBase64(cert.der)}\n`);
}
