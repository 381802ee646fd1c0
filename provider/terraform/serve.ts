// Serves the provider the way Terraform/OpenTofu expect a go-plugin: gRPC over mutual TLS on the port
// the handshake (handshake.ts) announced, until told to stop.
import * as grpc from "@grpc/grpc-js";
import type { ProviderDefinition } from "./definition.js";
import { handshake, type Handshake } from "./handshake.js";
import { providerHandlers } from "./provider.js";
import { controllerRpcs, providerRpcs, type Rpc } from "./protocol/tfplugin6.js";
import { decode, encode } from "./protocol/wire.js";

/** As Go providers: large schemas and states must not hit gRPC's 4 MB default. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Logs go to stderr: Terraform shows them with TF_LOG=debug; "[LEVEL]" prefixes set their level. */
export const log = (message: string): void => void process.stderr.write(`${message}\n`);

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

/**
 * Serves `definition` on the handshake's port. launch.ts makes the handshake before this module is even
 * loaded (the line reaches Terraform sooner); without one, it is made here.
 */
export async function serve(definition: ProviderDefinition, early?: Handshake): Promise<void> {
  const hs = early ?? (await handshake(definition.name));

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
        setImmediate(() => {
          hs.close();
          server.tryShutdown(() => process.exit(0));
        });
        setTimeout(() => process.exit(0), 1000).unref();
        return {};
      },
    }),
  );

  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(hs.clientCertPem),
    [{ private_key: Buffer.from(hs.cert.keyPem), cert_chain: Buffer.from(hs.cert.certPem) }],
    true,
  );
  // grpc-js does TLS and HTTP/2 on sockets accepted by the handshake's listener.
  const injector = server.createConnectionInjector(credentials);
  hs.take((socket) => injector.injectConnection(socket));
  exitWithParent();
}
