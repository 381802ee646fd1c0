// A throwaway Headscale server per test file: temp dir, sqlite, database policy mode, embedded DERP on
// loopback, free ports, no update checks. Its log is kept and shown when a test fails.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freeTcpPort, freeUdpPort } from "./ports.js";
import { startLogged, stopProcess, waitFor } from "./processes.js";
import { headscaleBinary, headscaleMinor, newestHeadscale } from "./tools.js";

const run = promisify(execFile);

export interface HeadscaleServer {
  url: string;
  apiKey: string;
  version: string;
  dir: string;
  configPath: string;
  /** Runs the headscale CLI against this server (through its unix socket: no API key needed). */
  cli(args: string[]): Promise<string>;
  /** Mints another API key. */
  createApiKey(): Promise<string>;
  logTail(lines?: number): string;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server process: a hung server that still accepts connections. */
  freeze(frozen: boolean): void;
  /** Kills the server process outright (SIGKILL: a crash); stop() still cleans up. */
  crash(): void;
  stop(): Promise<void>;
}

export interface StartOptions {
  version?: string;
  policyMode?: "database" | "file";
  /** Only with policyMode "file". */
  policyFile?: string;
  /** Reuse a data directory (upgrade tests): the server keeps its database. */
  dir?: string;
}

/** Config for one Headscale minor (or "main"). Keys removed in a newer minor are fatal there, so they differ by version. */
export function headscaleConfig(
  version: string,
  p: { dir: string; httpPort: number; metricsPort: number; grpcPort: number; stunPort: number; policyMode: string; policyFile?: string },
): object {
  const minor = headscaleMinor(version);
  const config: Record<string, unknown> = {
    server_url: `http://127.0.0.1:${p.httpPort}`,
    listen_addr: `127.0.0.1:${p.httpPort}`,
    metrics_listen_addr: `127.0.0.1:${p.metricsPort}`,
    // 0.30 (main) removed gRPC: the CLI talks HTTP over the unix socket, and the grpc keys are ignored there.
    ...(minor < 30 ? { grpc_listen_addr: `127.0.0.1:${p.grpcPort}`, grpc_allow_insecure: false } : {}),
    noise: { private_key_path: path.join(p.dir, "noise_private.key") },
    prefixes: { v4: "100.64.0.0/10", v6: "fd7a:115c:a1e0::/48", allocation: "sequential" },
    derp: {
      server: {
        enabled: true,
        region_id: 999,
        region_code: "test",
        region_name: "test",
        stun_listen_addr: `127.0.0.1:${p.stunPort}`,
        private_key_path: path.join(p.dir, "derp_server_private.key"),
        automatically_add_embedded_derp_region: true,
        ipv4: "127.0.0.1",
      },
      urls: [],
      paths: [],
      auto_update_enabled: false,
    },
    disable_check_updates: true,
    database: { type: "sqlite", sqlite: { path: path.join(p.dir, "db.sqlite"), write_ahead_log: true } },
    log: { level: "info", format: "text" },
    policy: { mode: p.policyMode, path: p.policyFile ?? "" },
    dns: { magic_dns: false, override_local_dns: false, base_domain: "hs.test", nameservers: { global: [] } },
    unix_socket: path.join(p.dir, "headscale.sock"),
    unix_socket_permission: "0770",
    logtail: { enabled: false },
  };
  // 0.29 renamed the ephemeral inactivity setting (the old key only warns there, but keep configs clean).
  if (minor >= 29) config.node = { ephemeral: { inactivity_timeout: "30m" } };
  else config.ephemeral_node_inactivity_timeout = "30m";
  return config;
}

export async function startHeadscale(opts: StartOptions = {}): Promise<HeadscaleServer> {
  const version = opts.version ?? newestHeadscale();
  const bin = headscaleBinary(version);
  if (!existsSync(bin)) throw new Error(`headscale ${version} is not built: run scripts/install-tools.sh headscale`);
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), `headscale-${version}-`));
  const [httpPort, metricsPort, grpcPort, stunPort] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort(), await freeUdpPort()];
  const configPath = path.join(dir, "config.yaml");
  // JSON is valid YAML: no YAML library needed.
  writeFileSync(
    configPath,
    JSON.stringify(
      headscaleConfig(version, {
        dir,
        httpPort,
        metricsPort,
        grpcPort,
        stunPort,
        policyMode: opts.policyMode ?? "database",
        ...(opts.policyFile ? { policyFile: opts.policyFile } : {}),
      }),
      null,
      2,
    ),
  );
  const logFile = path.join(dir, "headscale.log");
  const child = startLogged(bin, ["serve", "-c", configPath], logFile);
  const url = `http://127.0.0.1:${httpPort}`;
  const logTail = (lines = 40) => (existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n") : "");

  try {
    await waitFor(
      `headscale ${version} to become healthy`,
      async () => {
        if (child.exitCode !== null) throw new Error(`headscale exited with ${child.exitCode}:\n${logTail()}`);
        const res = await fetch(`${url}/health`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      30_000,
    );
  } catch (e) {
    await stopProcess(child);
    throw new Error(`${(e as Error).message}\n--- headscale log ---\n${logTail()}`);
  }

  const cli = async (args: string[]) => (await run(bin, ["-c", configPath, ...args], { encoding: "utf8" })).stdout;
  const createApiKey = async () => {
    const out = await cli(["apikeys", "create", "--expiration", "2h"]);
    const key = out.trim().split("\n").filter(Boolean).at(-1)?.trim();
    if (!key) throw new Error(`headscale apikeys create printed no key:\n${out}`);
    return key;
  };
  const apiKey = await createApiKey();

  let stopped = false;
  return {
    url,
    apiKey,
    version,
    dir,
    configPath,
    cli,
    createApiKey,
    logTail,
    freeze: (frozen) => void child.kill(frozen ? "SIGSTOP" : "SIGCONT"),
    crash: () => void child.kill("SIGKILL"),
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill("SIGCONT"); // a frozen process cannot act on SIGTERM
      await stopProcess(child);
      if (!opts.dir && !process.env.KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
    },
  };
}
