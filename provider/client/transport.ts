// The only place that speaks HTTP. Timeouts per attempt; retries with backoff only for calls marked safe
// to repeat, or when the connection failed before the request could reach the server.
import http from "node:http";
import https from "node:https";
import { HeadscaleError, redact } from "./errors.js";
import { ref, text } from "./text.js";

export interface ConnectionOptions {
  /** Base URL of the Headscale server, e.g. https://headscale.example.com */
  url: string;
  apiKey: string;
  /** PEM of a CA to trust in addition to the system store (self-signed or private CA). */
  caCertificate?: string;
  /** Allow plain http:// to a host other than loopback (the API key then travels in clear). */
  allowInsecureHttp?: boolean;
  /** Per-attempt timeout; a call that times out is not sent again (a server that hangs keeps hanging). */
  timeoutMs?: number;
  /** Extra attempts for calls that are safe to repeat. */
  retries?: number;
  /** First backoff delay; doubles per attempt, with jitter. */
  backoffMs?: number;
}

export interface Request {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Safe to send twice (reads, and writes whose repetition has the same effect). */
  idempotent: boolean;
  /** No API key needed (/health, /version). */
  anonymous?: boolean;
  operation: string;
}

export interface Response {
  status: number;
  contentType: string;
  text: string;
}

/** Called once per HTTP attempt; used by benchmarks and tests to count API calls. */
export type CallObserver = (method: string, path: string, status: number | "error") => void;

/** What a failed connection means, in words. */
const networkCauses: Record<string, string> = {
  ECONNREFUSED: "connection refused: nothing listens there",
  ECONNRESET: "the connection was reset",
  ENOTFOUND: "the host name does not resolve",
  EHOSTUNREACH: "the host is unreachable",
  ETIMEDOUT: "the connection timed out",
};

const loopbackHosts = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export function checkUrl(raw: string, allowInsecureHttp = false): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HeadscaleError({
      kind: "invalid_argument",
      operation: "configure provider",
      hint: `url "${raw}" is not a valid URL; use e.g. https://headscale.example.com`,
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new HeadscaleError({
      kind: "invalid_argument",
      operation: "configure provider",
      hint: `url must start with https:// or http:// (got ${url.protocol}//)`,
    });
  }
  const loopback = loopbackHosts.has(url.hostname) || url.hostname.startsWith("127.");
  if (url.protocol === "http:" && !loopback && !allowInsecureHttp) {
    throw new HeadscaleError({
      kind: "invalid_argument",
      operation: "configure provider",
      hint: text`refusing plain http:// to ${url.hostname}: the API key would travel in clear. Use https://, or set ${ref.setting("allowInsecureHttp")} if the network is trusted`,
    });
  }
  return url;
}

export class Transport {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  observer: CallObserver | undefined;
  /**
   * Set when a call timed out: the server accepts connections but does not answer. Later calls of the run
   * fail at once with the same error instead of each waiting out the timeout again (one clear failure
   * within the timeout, not minutes of them). Cleared after a cool-down so a long run can recover.
   */
  private hungSince: number | undefined;

  constructor(private readonly opts: ConnectionOptions) {
    this.base = checkUrl(opts.url, opts.allowInsecureHttp);
    if (!opts.apiKey) {
      throw new HeadscaleError({
        kind: "unauthorized",
        operation: "configure provider",
        hint: "no API key given: set HEADSCALE_API_KEY, the headscale:apiKey secret, or api_key",
      });
    }
    // 15 s: Headscale answers any single call in well under a second; a run against a hung server then fails
    // within ~20 s instead of minutes.
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.retries = opts.retries ?? 4;
    this.backoffMs = opts.backoffMs ?? 250;
    this.agent =
      this.base.protocol === "https:"
        ? new https.Agent({ keepAlive: true, ...(opts.caCertificate ? { ca: opts.caCertificate } : {}) })
        : new http.Agent({ keepAlive: true });
  }

  get url(): string {
    return this.base.toString();
  }

  async send(req: Request): Promise<Response> {
    if (this.hungSince !== undefined && Date.now() - this.hungSince < this.timeoutMs) throw this.hungError(req);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.attempt(req);
        this.hungSince = undefined;
        const retriable = req.idempotent && (res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504);
        if (!retriable || attempt >= this.retries) return res;
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { sentRequest?: boolean };
        if (e.code === "ETIMEDOUT_REQUEST") {
          this.hungSince = Date.now();
          throw this.hungError(req, !req.idempotent);
        }
        // A refused connection never reached Headscale, so even a create is safe to send again.
        const safe = req.idempotent || e.code === "ECONNREFUSED";
        const transient =
          e.code !== "ENOTFOUND" && e.code !== "CERT_HAS_EXPIRED" && !String(e.code ?? "").startsWith("ERR_TLS") && !/certificate|self.signed/i.test(e.message);
        if (!safe || !transient || attempt >= this.retries) throw this.networkError(req, e);
      }
      const delay = this.backoffMs * 2 ** attempt;
      await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
    }
  }

  private hungError(req: Request, mayHaveBeenPerformed = false): HeadscaleError {
    return new HeadscaleError({
      kind: "timeout",
      operation: req.operation,
      mayHaveBeenPerformed,
      hint: `${this.base.origin} accepted the connection but sent no answer within ${this.timeoutMs % 1000 ? `${this.timeoutMs} ms` : `${this.timeoutMs / 1000} s`}: the server is overloaded or hung; check its process and logs`,
    });
  }

  /** The connection itself failed: nothing came from the server, so nothing is quoted as if it had. */
  private networkError(req: Request, e: NodeJS.ErrnoException): HeadscaleError {
    const tls = /certificate|self.signed|TLS|SSL/i.test(`${e.code} ${e.message}`);
    const cause = redact(networkCauses[e.code ?? ""] ?? `${e.code ?? ""} ${e.message}`.trim(), this.opts.apiKey);
    // Only a write cut after its connection was open may have reached the server (a refused connection or a
    // failed TLS handshake never did).
    const neverSent = e.code === "ECONNREFUSED" || e.code === "ENOTFOUND" || tls;
    return new HeadscaleError({
      kind: "unreachable",
      operation: req.operation,
      mayHaveBeenPerformed: !req.idempotent && !neverSent,
      hint: tls
        ? text`TLS to ${this.base.origin} failed (${cause}); if the server uses a private CA, pass its PEM as ${ref.setting("caCertificate")}`
        : text`could not connect to ${this.base.origin} (${cause}); check the URL (${ref.setting("url")}) and that the server is running`,
    });
  }

  private attempt(req: Request): Promise<Response> {
    const url = new URL(req.path, this.base);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = { accept: "application/json" };
    if (!req.anonymous) headers.authorization = `Bearer ${this.opts.apiKey}`;
    if (payload) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(payload.length);
    }
    const lib = url.protocol === "https:" ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const r = lib.request(url, { method: req.method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          this.observer?.(req.method, url.pathname, res.statusCode ?? 0);
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
        res.on("error", reject);
      });
      r.setTimeout(this.timeoutMs, () => {
        const e = new Error(`timed out after ${this.timeoutMs} ms`) as NodeJS.ErrnoException;
        e.code = "ETIMEDOUT_REQUEST";
        r.destroy(e);
      });
      r.on("error", (e) => {
        this.observer?.(req.method, url.pathname, "error");
        reject(e);
      });
      r.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
