// A real Tailscale node (tailscaled in userspace networking: no root, no TUN) joining a test server.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startLogged, stopProcess, waitFor } from "./processes.js";
import { binDir } from "./tools.js";

const run = promisify(execFile);

export interface TailscaleNode {
  hostname: string;
  /** `tailscale status --json` of the node itself. */
  status(): Promise<{ BackendState: string; Self?: { HostName?: string; Online?: boolean } }>;
  logTail(lines?: number): string;
  /** Logs in again with another key (e.g. after the node was deleted, to join as another user). */
  rejoin(authKey: string): Promise<void>;
  stop(opts?: { logout?: boolean }): Promise<void>;
}

export interface JoinOptions {
  serverUrl: string;
  authKey: string;
  hostname: string;
  /** `--advertise-routes`: subnets this node offers to route. */
  advertiseRoutes?: string[];
  /** `--advertise-exit-node`. */
  advertiseExitNode?: boolean;
  timeoutMs?: number;
  /** Extra `tailscale up` flags. */
  upArgs?: string[];
}

export async function joinNode(opts: JoinOptions): Promise<TailscaleNode> {
  const dir = mkdtempSync(path.join(tmpdir(), `tsnode-${opts.hostname}-`));
  const socket = path.join(dir, "tailscaled.sock");
  const logFile = path.join(dir, "tailscaled.log");
  const daemon = startLogged(
    path.join(binDir, "tailscaled"),
    ["--tun=userspace-networking", `--statedir=${path.join(dir, "state")}`, `--socket=${socket}`, "--port=0"],
    logFile,
    {
      env: { ...process.env, TS_LOGS_DIR: dir, TS_NO_LOGS_NO_SUPPORT: "true" },
    },
  );
  const cli = (args: string[]) => run(path.join(binDir, "tailscale"), [`--socket=${socket}`, ...args], { encoding: "utf8", timeout: opts.timeoutMs ?? 60_000 });
  const logTail = (lines = 40) => (existsSync(logFile) ? readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n") : "");
  const stop = async ({ logout = false } = {}) => {
    if (logout) await cli(["logout"]).catch(() => undefined);
    await stopProcess(daemon);
    if (!process.env.KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  };
  const up = async (authKey: string, extra: string[] = []) => {
    try {
      await cli([
        "up",
        `--login-server=${opts.serverUrl}`,
        `--authkey=${authKey}`,
        `--hostname=${opts.hostname}`,
        "--accept-dns=false",
        ...(opts.advertiseRoutes?.length ? [`--advertise-routes=${opts.advertiseRoutes.join(",")}`] : []),
        ...(opts.advertiseExitNode ? ["--advertise-exit-node"] : []),
        ...(opts.upArgs ?? []),
        ...extra,
      ]);
    } catch (e) {
      // The auth key is part of the command line in the error: never show it.
      throw new Error(
        `node ${opts.hostname} could not join: ${String((e as Error).message)
          .split(authKey)
          .join("[redacted]")}\n${logTail()}`,
      );
    }
  };
  try {
    await waitFor("tailscaled socket", async () => (existsSync(socket) ? true : undefined), 20_000);
    await up(opts.authKey);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    hostname: opts.hostname,
    status: async () => JSON.parse((await cli(["status", "--json", "--self=true", "--peers=false"])).stdout),
    logTail,
    // Log out first (the server may have deleted the node already): a fresh login uses the key once.
    rejoin: async (authKey) => {
      await cli(["logout"]).catch(() => undefined);
      await up(authKey);
    },
    stop,
  };
}
