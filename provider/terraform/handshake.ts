// The go-plugin handshake, done before the server's code is loaded: check the magic cookie and the
// protocol, make the TLS certificate, listen on a loopback port and print the handshake line. Only
// node:net and node:crypto are loaded by then, so Terraform gets its line about as soon as Node itself
// is up (Terraform starts the provider ~4 times per command). Connections that arrive while grpc-js and
// the declarations load wait, paused, until serve.ts takes them. Imports nothing heavy: keep it so.
import net from "node:net";
import { createServerCertificate, rawBase64, type ServerCertificate } from "./certificate.js";

const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
export const APP_PROTOCOL_VERSION = 6;

export interface Handshake {
  /** Terraform's client certificate (PEM): the only one the server accepts. */
  clientCertPem: string;
  cert: ServerCertificate;
  port: number;
  /** Hands every connection (those that waited, and later ones) to `accept`. */
  take(accept: (socket: net.Socket) => void): void;
  /** Stops accepting connections. */
  close(): void;
}

function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Checks the environment Terraform sets, listens and prints the handshake line. */
export async function handshake(providerName: string): Promise<Handshake> {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    refuse(
      `This is the ${providerName} provider plugin for Terraform and OpenTofu; it is started by them, not by hand.\n` +
        `Install it (node dist/provider/terraform/install.js) and run \`terraform init\` in your configuration.`,
    );
  }
  const offered = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? String(APP_PROTOCOL_VERSION)).split(",").map((v) => v.trim());
  if (!offered.includes(String(APP_PROTOCOL_VERSION))) {
    refuse(`This provider speaks plugin protocol ${APP_PROTOCOL_VERSION} (Terraform >= 1.0, OpenTofu); the caller offers ${offered.join(", ")}.`);
  }
  const clientCertPem = process.env.PLUGIN_CLIENT_CERT;
  if (!clientCertPem) refuse("PLUGIN_CLIENT_CERT is not set: this provider needs Terraform's automatic mutual TLS.");

  const cert = createServerCertificate();
  let waiting: net.Socket[] | undefined = [];
  let accept: ((socket: net.Socket) => void) | undefined;
  // pauseOnConnect: nothing is read from a socket until the TLS server that takes it reads it.
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => (accept ? accept(socket) : waiting?.push(socket)));
  const port = await new Promise<number>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(0, "127.0.0.1", () => resolve((listener.address() as net.AddressInfo).port));
  });
  // The first and only line Terraform reads from stdout before talking gRPC.
  process.stdout.write(`${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc|${rawBase64(cert.der)}\n`);
  return {
    clientCertPem,
    cert,
    port,
    take(fn) {
      accept = fn;
      for (const s of waiting ?? []) fn(s);
      waiting = undefined;
    },
    close: () => void listener.close(),
  };
}
