// Fault injection in front of a REAL Headscale server: forwards every request, except the ones a test
// tells it to fail or delay. Counts what reached it.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultProxy {
  url: string;
  /** Requests seen, as "METHOD /path". */
  seen: string[];
  /** Requests answered, as "METHOD /path STATUS" (STATUS 0: no answer from upstream). */
  answered: string[];
  /** Answer the next `count` requests with `status` instead of forwarding them. */
  failNext(count: number, status: number): void;
  /** Hold the next request for `ms` before forwarding it. */
  delayNext(ms: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let failures: { count: number; status: number } = { count: 0, status: 0 };
  let delay = 0;
  const seen: string[] = [];
  const answered: string[] = [];
  const server = http.createServer((req, res) => {
    const request = `${req.method} ${req.url?.split("?")[0]}`;
    seen.push(request);
    res.on("finish", () => answered.push(`${request} ${res.statusCode}`));
    if (failures.count > 0) {
      failures.count--;
      res.writeHead(failures.status, { "content-type": "text/plain" }).end("injected failure");
      req.resume();
      return;
    }
    const wait = delay;
    delay = 0;
    setTimeout(() => {
      const fwd = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.on("error", () => res.writeHead(502).end());
      req.pipe(fwd);
    }, wait);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    answered,
    failNext: (count, status) => (failures = { count, status }),
    delayNext: (ms) => (delay = ms),
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
