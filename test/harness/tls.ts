// TLS and plain-TCP fronts for tests of the connection settings: a tiny HTTPS server with a freshly made
// self-signed CA that answers like an empty Headscale 0.29 (for the client's own TLS options), and fronts
// that pass every byte on to a REAL Headscale — over TLS with such a CA, or over plain http on a
// non-loopback address of this machine (what `allowInsecureHttp` is about).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";

/** A self-signed certificate for 127.0.0.1 / localhost: it is its own CA. */
function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return { cert: readFileSync(path.join(dir, "cert.pem"), "utf8"), key: readFileSync(path.join(dir, "key.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Front {
  url: string;
  close(): Promise<void>;
}

function forwardTo(target: string): (socket: net.Socket) => void {
  const { hostname, port } = new URL(target);
  return (socket) => {
    const upstream = net.connect(Number(port), hostname);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", end);
    upstream.on("error", end);
  };
}

function closer(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
}

/** https://127.0.0.1:<port> in front of a real Headscale (`target`, http), with its own private CA. */
export async function startTlsFront(target: string): Promise<Front & { caPem: string }> {
  const { cert, key } = selfSigned();
  const server = tls.createServer({ cert, key }, forwardTo(target));
  const close = closer(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: cert, close };
}

/** The first IPv4 address of this machine that is not loopback (plain http there is "insecure"). */
export function nonLoopbackAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
  if (!address) throw new Error("this machine has no non-loopback IPv4 address to test plain http:// against");
  return address;
}

/** http://<non-loopback address>:<port> in front of a real Headscale (`target`). */
export async function startPlainFront(target: string): Promise<Front> {
  const host = nonLoopbackAddress();
  const server = net.createServer(forwardTo(target));
  const close = closer(server);
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, close };
}

export async function createTlsEchoServer(): Promise<{ url: string; caPem: string; close(): Promise<void> }> {
  const { cert, key } = selfSigned();
  const server = https.createServer({ cert, key }, (req, res) => {
    const body = req.url?.startsWith("/version") ? { version: "v0.29.2" } : { users: [] };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caPem: cert,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
