// What every subcommand shares: the connection settings (the same ones the providers read), exit codes a
// script can rely on, and error reporting that never shows the API key.
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { connect as connectCore, HeadscaleError, redact, render, SettingsProblems, type Context, type Problem } from "../resources/index.js";

/** Exit codes, documented in `headscale-iac --help` and the README. */
export const EXIT = {
  ok: 0,
  /** The server reported an error, or something unexpected failed. */
  failed: 1,
  /** Unknown subcommand or option, a malformed value, no URL or no API key: nothing was contacted. */
  usage: 2,
  /** The input fails the checks the providers run at plan time (tags missing from tagOwners, bad duration, unknown user): nothing was written. */
  rejected: 3,
  /** The server refused the API key. */
  unauthorized: 4,
  /** The server could not be reached (URL, TLS, network). */
  unreachable: 5,
} as const;

export const exitCodesHelp = `Exit codes:
  0  success
  1  the server reported an error, or something unexpected failed
  2  usage: unknown subcommand or option, a malformed value, no URL or no API key (nothing contacted)
  3  rejected before writing: the input fails the providers' plan-time checks (nothing written)
  4  the server refused the API key
  5  the server could not be reached`;

export const connectionHelp = `Connection (as for the providers):
  --url URL                 Headscale server (default: $HEADSCALE_URL)
  --api-key-file FILE       read the API key from FILE (default: $HEADSCALE_API_KEY; never printed)
  --ca-certificate FILE     PEM of a private CA to trust (default: $HEADSCALE_CA_CERTIFICATE, PEM text)
  --allow-insecure-http     allow plain http:// to a non-loopback host (default: $HEADSCALE_ALLOW_INSECURE_HTTP)`;

export const connectionOptions = {
  url: { type: "string" },
  "api-key-file": { type: "string" },
  "ca-certificate": { type: "string" },
  "allow-insecure-http": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** A failure with its exit code; main() prints the message and exits. */
export class CliError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, command: string) => new CliError(EXIT.usage, `${message}\nRun \`headscale-iac ${command} --help\` for usage.`);

/** node:util parseArgs, with its errors turned into usage errors naming the subcommand. */
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;
type Options = NonNullable<ParseArgsConfig["options"]>;
export function parse<O extends Options>(argv: string[], options: O, command: string, allowPositionals = false): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: allowPositionals as true, strict: true });
  } catch (e) {
    throw usageError((e as Error).message, command);
  }
}

export interface Connection {
  client: Context["client"];
  ctx: Context;
  apiKey: string;
}

/** The client and per-run context, configured from flags, then the providers' environment variables. */
export function connect(
  values: { url?: string; "api-key-file"?: string; "ca-certificate"?: string; "allow-insecure-http"?: boolean },
  command: string,
  log: (m: string) => void,
): Connection {
  const url = values.url ?? process.env.HEADSCALE_URL;
  if (!url) throw usageError("no Headscale URL: pass --url https://headscale.example.com or set HEADSCALE_URL", command);
  let apiKey = process.env.HEADSCALE_API_KEY;
  if (values["api-key-file"]) apiKey = readText(values["api-key-file"], "--api-key-file", command).trim();
  if (!apiKey)
    throw usageError("no API key: set HEADSCALE_API_KEY (or pass --api-key-file FILE); create one with `headscale apikeys create --expiration 90d`", command);
  const caCertificate = values["ca-certificate"] ? readText(values["ca-certificate"], "--ca-certificate", command) : undefined;
  try {
    // Flags first; what they leave out comes from the providers' settings (environment, defaults).
    const ctx = connectCore({ url, apiKey, caCertificate, allowInsecureHttp: values["allow-insecure-http"] }, (m) => log(render(m)));
    return { client: ctx.client, ctx, apiKey };
  } catch (e) {
    // The client checks the URL and TLS settings up front.
    if (e instanceof SettingsProblems) throw new CliError(EXIT.usage, redact(e.message, apiKey));
    throw e;
  }
}

function readText(file: string, flag: string, command: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw usageError(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`, command);
  }
}

/** Problems from a declaration's check, as one error (exit 3) that names the field and the fix. */
export function rejectProblems(what: string, problems: Problem[]): void {
  const errors = problems.filter((p) => p.severity !== "warning");
  if (errors.length === 0) return;
  const lines = errors.map((p) => `  ${p.field ? `${p.field}: ` : ""}${render(p.message)}`);
  throw new CliError(EXIT.rejected, `${what}: nothing was created:\n${lines.join("\n")}`);
}

/** Exit code and message for any failure; secrets removed. */
export function describeFailure(e: unknown, apiKey: string | undefined): { code: number; message: string } {
  const message = redact(e instanceof Error ? e.message : String(e), apiKey);
  if (e instanceof CliError) return { code: e.code, message };
  if (e instanceof HeadscaleError) {
    if (e.kind === "unauthorized") return { code: EXIT.unauthorized, message };
    if (e.kind === "unreachable" || e.kind === "timeout") return { code: EXIT.unreachable, message };
    if (e.kind === "invalid_argument" && e.status === undefined) return { code: EXIT.rejected, message };
  }
  return { code: EXIT.failed, message };
}
