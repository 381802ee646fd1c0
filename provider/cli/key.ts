// `headscale-iac key create` / `key revoke`: a short-lived key for one CI pipeline. Creation goes through
// the PreAuthKey declaration (check, then create), so tags are checked against tagOwners exactly as the
// providers check them; revocation through its delete (expire, then delete on 0.28+).
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { PreAuthKey, type ServerPreAuthKey as ApiKey } from "../resources/index.js";
import { prefixOf } from "../resources/preAuthKey.js";
import { CliError, connect, connectionHelp, connectionOptions, EXIT, exitCodesHelp, parse, rejectProblems, usageError, type Connection } from "./common.js";

export const keyHelp = `Usage: headscale-iac key create --tags TAG[,TAG…] [--user USER] [options]
       headscale-iac key revoke PREFIX | --last

Run \`headscale-iac key create --help\` or \`headscale-iac key revoke --help\` for the options.

${exitCodesHelp}`;

export const keyCreateHelp = `Usage: headscale-iac key create [--tags TAG[,TAG…]] [--user USER] [options]

Creates a pre-auth key. The tags are checked against the live policy's tagOwners before anything is created
(the providers' own check); a key needs tags, a user, or both. Defaults as \`headscale preauthkeys create\`:
single-use, not ephemeral, valid 1 hour.

Options:
  --tags TAGS          comma-separated ACL tags, e.g. tag:ci,tag:deploy
  --user USER          owning user (name or id); omit for a tag-only key (Headscale 0.28+)
  --expiration DUR     "30m", "1h" (default), "7d", or an RFC 3339 time
  --reusable           the key can register more than one node (default: single-use)
  --ephemeral          nodes joining with it are removed when they go offline (default with --ci)
  --no-ephemeral       not ephemeral, even with --ci
  --output FORMAT      what to print: raw (the key; default), env (NAME=key) or json
  --env-name NAME      variable name for env output and --append-env (default TS_AUTHKEY)
  --append-env FILE    append NAME=key to FILE (e.g. "$GITHUB_ENV", or a GitLab dotenv file) instead of
                       printing the key
  --ci SYSTEM          github, gitlab or auto (GITHUB_ACTIONS / GITLAB_CI):
                         github: prints ::add-mask::<key> before anything else, so the log masks it
                         gitlab: never prints the key; --append-env is required
  --state-file FILE    where \`key revoke --last\` finds this key (prefix and id only, never the secret;
                       default ~/.local/state/headscale-iac/last-key.json, or $XDG_STATE_HOME)
${connectionHelp}
  -h, --help           this help

${exitCodesHelp}`;

export const keyRevokeHelp = `Usage: headscale-iac key revoke PREFIX | --last [options]

Expires a pre-auth key (and deletes it on Headscale 0.28+), found by its prefix (hskey-auth-…, as
\`headscale preauthkeys list\` and \`key create\` show it) or its id. --last revokes the key the last
\`key create\` made (read from the state file); a key that is already gone is then not an error.

Options:
  --last               the key the last \`key create\` made
  --state-file FILE    as for key create
${connectionHelp}
  -h, --help           this help

${exitCodesHelp}`;

const stateFileDefault = () => path.join(process.env.XDG_STATE_HOME || path.join(homedir(), ".local", "state"), "headscale-iac", "last-key.json");

interface LastKey {
  url: string;
  prefix: string;
  keyId?: string;
}

type Io = { log: (m: string) => void; out: (m: string) => void; setConnection: (c: Connection) => void };

export async function runKey(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "create") return create(rest, io);
  if (sub === "revoke") return revoke(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.out(keyHelp);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw usageError(`unknown key subcommand "${sub}": use create or revoke`, "key");
}

async function create(argv: string[], io: Io): Promise<number> {
  const { values } = parse(
    argv,
    {
      ...connectionOptions,
      tags: { type: "string" },
      user: { type: "string" },
      expiration: { type: "string" },
      reusable: { type: "boolean" },
      ephemeral: { type: "boolean" },
      "no-ephemeral": { type: "boolean" },
      output: { type: "string" },
      "env-name": { type: "string" },
      "append-env": { type: "string" },
      ci: { type: "string" },
      "state-file": { type: "string" },
    },
    "key create",
  );
  if (values.help) {
    io.out(keyCreateHelp);
    return EXIT.ok;
  }
  const output = values.output ?? "raw";
  if (!["raw", "env", "json"].includes(output)) throw usageError(`--output ${output}: use raw, env or json`, "key create");
  const ci = resolveCi(values.ci);
  if (ci === "gitlab" && !values["append-env"])
    throw usageError("--ci gitlab never prints the key: give --append-env FILE (a dotenv file the job reads)", "key create");
  if (values.ephemeral && values["no-ephemeral"]) throw usageError("--ephemeral and --no-ephemeral contradict each other", "key create");
  const envName = values["env-name"] ?? "TS_AUTHKEY";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(envName)) throw usageError(`--env-name ${envName}: not a variable name`, "key create");
  const tags =
    values.tags === undefined
      ? []
      : values.tags
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean);
  const args = {
    ...(values.user !== undefined ? { user: values.user } : {}),
    tags,
    reusable: values.reusable ?? false,
    ephemeral: values["no-ephemeral"] ? false : (values.ephemeral ?? ci !== undefined),
    expiration: values.expiration ?? "1h",
  };

  // Nothing goes to stdout or stderr before the mask line (GitHub masks only what follows it).
  const conn = connect(values, "key create", () => undefined);
  io.setConnection(conn);
  try {
    rejectProblems("key create", await PreAuthKey.check(conn.ctx, args));
    const { id, state } = await PreAuthKey.create(conn.ctx, args);
    if (ci === "github") io.out(`::add-mask::${state.key}`);
    if (values["append-env"]) appendFileSync(values["append-env"], `${envName}=${state.key}\n`, { mode: 0o600 });
    else if (output === "raw") io.out(state.key);
    else if (output === "env") io.out(`${envName}=${state.key}`);
    else
      io.out(
        JSON.stringify({
          key: state.key,
          prefix: state.prefix,
          id,
          user: state.userId ?? null,
          tags: state.tags ?? [],
          reusable: state.reusable,
          ephemeral: state.ephemeral,
          expiresAt: state.expiresAt,
        }),
      );
    const stateFile = values["state-file"] ?? stateFileDefault();
    const last: LastKey = { url: conn.client.url, prefix: state.prefix, ...(state.keyId ? { keyId: state.keyId } : {}) };
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, `${JSON.stringify(last)}\n`);
    const flags = [args.reusable ? "reusable" : "single-use", ...(args.ephemeral ? ["ephemeral"] : [])].join(", ");
    io.log(
      `created pre-auth key ${state.prefix} (${[state.userId ? `user ${values.user}` : "", tags.length ? `tags ${tags.join(",")}` : ""].filter(Boolean).join(", ")}; ${flags}; expires ${state.expiresAt})${values["append-env"] ? `; ${envName} appended to ${values["append-env"]}` : ""}`,
    );
    return EXIT.ok;
  } finally {
    conn.client.close();
  }
}

function resolveCi(ci: string | undefined): "github" | "gitlab" | undefined {
  if (ci === undefined) return undefined;
  if (ci === "github" || ci === "gitlab") return ci;
  if (ci === "auto") return process.env.GITHUB_ACTIONS === "true" ? "github" : process.env.GITLAB_CI === "true" ? "gitlab" : undefined;
  throw usageError(`--ci ${ci}: use github, gitlab or auto`, "key create");
}

async function revoke(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { ...connectionOptions, last: { type: "boolean" }, "state-file": { type: "string" } }, "key revoke", true);
  if (values.help) {
    io.out(keyRevokeHelp);
    return EXIT.ok;
  }
  if (positionals.length > 1 || (positionals.length === 1) === Boolean(values.last)) throw usageError("give one key prefix (or id), or --last", "key revoke");
  const stateFile = values["state-file"] ?? stateFileDefault();
  let wanted: string;
  if (values.last) {
    let last: LastKey;
    try {
      last = JSON.parse(readFileSync(stateFile, "utf8")) as LastKey;
    } catch {
      throw new CliError(EXIT.usage, `key revoke --last: no key recorded in ${stateFile}: run \`headscale-iac key create\` first, or give the key's prefix`);
    }
    wanted = last.keyId ?? last.prefix;
  } else wanted = positionals[0]!;

  const conn = connect(values, "key revoke", io.log);
  io.setConnection(conn);
  try {
    const keys = await conn.ctx.lists.preAuthKeys();
    const matches = keys.filter((k) => k.id === wanted || prefixOf(k.key) === wanted);
    if (matches.length > 1)
      throw new CliError(EXIT.failed, `key revoke: ${matches.length} keys match "${wanted}": give the key's id (${matches.map((k) => k.id).join(", ")})`);
    const k = matches[0];
    if (!k) {
      if (values.last) {
        io.log(`pre-auth key ${wanted} is already gone`);
        return EXIT.ok;
      }
      throw new CliError(
        EXIT.failed,
        `key revoke: no pre-auth key has prefix or id "${wanted}"; keys now: ${keys.map((x) => prefixOf(x.key)).join(", ") || "none"}`,
      );
    }
    const { caps } = await conn.client.server();
    const state = stateOf(k);
    if (state.expired && !caps.keyIdOperations) {
      io.log(`pre-auth key ${state.prefix} is already expired`);
      return EXIT.ok;
    }
    await PreAuthKey.delete(conn.ctx, k.id ?? state.prefix, state);
    io.log(`revoked pre-auth key ${state.prefix}${caps.keyIdOperations ? " (expired and deleted)" : " (expired)"}`);
    return EXIT.ok;
  } finally {
    conn.client.close();
  }
}

/** The declaration's state for a listed key: what its delete needs (id on 0.28+; owner and key before). */
function stateOf(k: ApiKey): Parameters<typeof PreAuthKey.delete>[2] {
  const expired = k.expiration !== undefined && new Date(k.expiration).getTime() <= Date.now();
  return {
    key: k.key,
    ...(k.id ? { keyId: k.id } : {}),
    prefix: prefixOf(k.key),
    ...(k.user ? { userId: k.user.id } : {}),
    tags: k.aclTags,
    reusable: k.reusable,
    ephemeral: k.ephemeral,
    expiresAt: k.expiration ?? "",
    used: k.used,
    expired,
  };
}
