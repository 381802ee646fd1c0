// The write audit: a pass-through proxy in front of a REAL Headscale server that records which requests
// arrive while a preview, plan or refresh runs. Those must never write: every Pulumi project and Terraform
// workspace of the suites talks to its server through one, and fails a step that sent anything but a read.
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Requests a runner sends to say which step runs now: `GET /__audit/<step>` (never forwarded). */
export const AUDIT_PATH = "/__audit/";

/** Calls that are not GETs but change nothing: Headscale's policy check validates without storing. */
const CHECKS = new Set(["POST /api/v1/policy/check"]);

/** Steps during which nothing may be written. */
const READ_ONLY = /^(preview|plan|refresh|import)/;

export interface WriteAudit {
  url: string;
  /** Point the proxy at another server (the same database after an upgrade). */
  retarget(url: string): void;
  /** Starts a step by name (also what runners in other processes do through AUDIT_PATH). */
  begin(step: string): void;
  /** Writes ("METHOD /path") sent during read-only steps since the last call, with the step's name. */
  takeViolations(): string[];
  close(): Promise<void>;
}

export async function startWriteAudit(target: string): Promise<WriteAudit> {
  let upstream = new URL(target);
  let step = "";
  let violations: string[] = [];
  const server = http.createServer((req, res) => {
    const route = req.url?.split("?")[0] ?? "";
    if (route.startsWith(AUDIT_PATH)) {
      step = decodeURIComponent(route.slice(AUDIT_PATH.length));
      res.writeHead(204).end();
      req.resume();
      return;
    }
    const call = `${req.method} ${route}`;
    if (req.method !== "GET" && req.method !== "HEAD" && !CHECKS.has(call) && READ_ONLY.test(step)) violations.push(`${step}: ${call}`);
    const fwd = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on("error", () => res.writeHead(502).end());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    retarget: (url) => (upstream = new URL(url)),
    begin: (s) => (step = s),
    takeViolations() {
      const v = violations;
      violations = [];
      return v;
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Fails when a read-only step wrote anything: the assertion every preview/plan of the suites gets. */
export function assertNoWrites(audit: WriteAudit, what: string): void {
  const v = audit.takeViolations();
  if (v.length) throw new Error(`${what} sent writes while previewing/planning/refreshing (must be read-only):\n  ${v.join("\n  ")}`);
}
