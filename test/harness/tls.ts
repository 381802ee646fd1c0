// A tiny HTTPS server with a freshly made self-signed CA, to test the client's TLS options.
// It answers like an empty Headscale 0.29 (no real Headscale needed to test certificate trust).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export async function createTlsEchoServer(): Promise<{ url: string; caPem: string; close(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), "tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
    const cert = readFileSync(path.join(dir, "cert.pem"), "utf8");
    const key = readFileSync(path.join(dir, "key.pem"), "utf8");
    const server = https.createServer({ cert, key }, (req, res) => {
      const body = req.url?.startsWith("/version") ? { version: "v0.29.2" } : { users: [] };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      caPem: cert,
      close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
