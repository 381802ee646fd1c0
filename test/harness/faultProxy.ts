// Fault injection in front of a REAL Headscale server: forwards every request, except the ones a test
// tells it to fail, delay or cut. Counts what reached it.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** What to do with one request instead of (or on top of) forwarding it. */
export type Fault =
  /** Answer with this status; the server never sees the request. */
  | { status: number }
  /** Cut the connection. "before": the server never sees the request; "after": it acts, the answer is lost. */
  | { reset: "before" | "after" }
  /** Forward after this delay. */
  | { delayMs: number };

/** Decides the fault (or none) for the n-th request (from 0) since the rule was set. */
export type FaultRule = (n: number, request: { method: string; path: string }) => Fault | undefined;

export interface FaultProxy {
  url: string;
  /** Requests seen, as "METHOD /path". */
  seen: string[];
  /** Requests answered, as "METHOD /path STATUS" (STATUS 0: no answer from upstream). */
  answered: string[];
  /** When each of `seen` arrived (Date.now()). */
  seenAt: number[];
  /** Requests whose fault was applied, as "METHOD /path: fault". */
  injected: string[];
  /** Answer the next `count` requests with `status` instead of forwarding them. */
  failNext(count: number, status: number): void;
  /** Hold the next request for `ms` before forwarding it. */
  delayNext(ms: number): void;
  /** Apply `rule` to every request from now on (undefined: forward everything). */
  setRule(rule: FaultRule | undefined): void;
  /** Forward to another server from now on (a restarted server on new ports). */
  setTarget(url: string): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let upstream = new URL(target);
  let failures: { count: number; status: number } = { count: 0, status: 0 };
  let delay = 0;
  let rule: FaultRule | undefined;
  let ruleCount = 0;
  const seen: string[] = [];
  const answered: string[] = [];
  const seenAt: number[] = [];
  const injected: string[] = [];

  function forward(req: http.IncomingMessage, res: http.ServerResponse, cutAnswer: boolean): void {
    const fwd = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      if (cutAnswer) {
        up.resume();
        up.on("end", () => res.socket?.destroy());
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    // The server is gone (killed, restarting): what a client sees from a reverse proxy.
    fwd.on("error", () => (res.headersSent ? res.socket?.destroy() : res.writeHead(502).end()));
    req.pipe(fwd);
  }

  const server = http.createServer((req, res) => {
    const path = req.url?.split("?")[0] ?? "";
    const request = `${req.method} ${path}`;
    seen.push(request);
    seenAt.push(Date.now());
    res.on("finish", () => answered.push(`${request} ${res.statusCode}`));
    if (failures.count > 0) {
      failures.count--;
      res.writeHead(failures.status, { "content-type": "text/plain" }).end("injected failure");
      req.resume();
      return;
    }
    const fault = rule?.(ruleCount++, { method: req.method ?? "", path });
    if (fault) injected.push(`${req.method} ${path}: ${JSON.stringify(fault)}`);
    if (fault && "status" in fault) {
      res.writeHead(fault.status, { "content-type": "text/plain" }).end("injected failure");
      req.resume();
      return;
    }
    if (fault && "reset" in fault && fault.reset === "before") {
      req.socket.destroy();
      return;
    }
    const wait = delay + (fault && "delayMs" in fault ? fault.delayMs : 0);
    delay = 0;
    const cut = !!fault && "reset" in fault;
    if (wait > 0) setTimeout(() => forward(req, res, cut), wait);
    else forward(req, res, cut);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    answered,
    seenAt,
    injected,
    failNext: (count, status) => (failures = { count, status }),
    delayNext: (ms) => (delay = ms),
    setRule: (r) => {
      rule = r;
      ruleCount = 0;
    },
    setTarget: (url) => (upstream = new URL(url)),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
