// Every failure the client reports is a HeadscaleError with a kind the resources can act on and a
// message a person can act on. Messages never contain the API key (see redact).
import { ref, render, text, type Message, type Spelling, type Text } from "./text.js";

export type ErrorKind =
  "not_found" | "conflict" | "invalid_argument" | "unauthorized" | "policy_file_mode" | "unsupported" | "unreachable" | "timeout" | "server";

export interface ErrorDetails {
  kind: ErrorKind;
  /** What was being done, e.g. `create user "alice"`. */
  operation: string;
  status?: number;
  grpcCode?: number;
  serverMessage?: string;
  /** What to do; names fields and settings structurally, so each frontend spells them (`render`). */
  hint?: Message;
  /**
   * A write whose request may have reached the server before the connection failed or timed out: it may
   * have been performed. Resources look for the object before they report a failure (see lostAnswer.ts).
   */
  mayHaveBeenPerformed?: boolean;
}

export class HeadscaleError extends Error {
  readonly kind: ErrorKind;
  readonly operation: string;
  readonly status?: number;
  readonly grpcCode?: number;
  readonly serverMessage?: string;
  readonly hint?: Message;
  readonly mayHaveBeenPerformed: boolean;
  private readonly details: ErrorDetails;

  constructor(d: ErrorDetails) {
    super(render(composeMessage(d)));
    this.details = d;
    this.name = "HeadscaleError";
    this.kind = d.kind;
    this.operation = d.operation;
    if (d.status !== undefined) this.status = d.status;
    if (d.grpcCode !== undefined) this.grpcCode = d.grpcCode;
    if (d.serverMessage !== undefined) this.serverMessage = d.serverMessage;
    if (d.hint !== undefined) this.hint = d.hint;
    this.mayHaveBeenPerformed = d.mayHaveBeenPerformed ?? false;
  }

  /** The message in one frontend's spelling (`message` is in the declarations' own). */
  render(spelling: Spelling): string {
    return render(this.toText(), spelling);
  }

  /** The message as text whose references a frontend spells (e.g. to report it as a Problem). */
  toText(): Text {
    return composeMessage(this.details);
  }
}

/** An error's message in a frontend's spelling: HeadscaleErrors are re-rendered, others kept. */
export function errorMessage(e: unknown, spelling: Spelling): string {
  if (e instanceof HeadscaleError) return e.render(spelling);
  return e instanceof Error ? e.message : String(e);
}

export const isNotFound = (e: unknown): boolean => e instanceof HeadscaleError && e.kind === "not_found";

const headline: Record<ErrorKind, string> = {
  not_found: "not found",
  conflict: "already exists",
  invalid_argument: "rejected as invalid",
  unauthorized: "the API key was refused",
  policy_file_mode: "the policy cannot be written through the API",
  unsupported: "not supported by this Headscale version",
  unreachable: "Headscale server unreachable",
  timeout: "timed out",
  server: "Headscale reported an error",
};

const defaultHint: Partial<Record<ErrorKind, Message>> = {
  unauthorized: text`check the API key (${ref.setting("apiKey")}); create one with \`headscale apikeys create --expiration 90d\``,
  policy_file_mode: "the server runs with `policy.mode: file`; set `policy.mode: database` in Headscale's config to manage the policy from code",
  unreachable: text`check the URL (${ref.setting("url")}) and that the server is running`,
};

function composeMessage(d: ErrorDetails): Text {
  const said = d.serverMessage ? ` (server said: ${d.serverMessage.trim()})` : "";
  const hint = d.hint ?? defaultHint[d.kind];
  return hint === undefined ? text`${d.operation}: ${headline[d.kind]}${said}` : text`${d.operation}: ${headline[d.kind]}${said}. ${hint}`;
}

const secretPatterns = [/hskey-(api|auth)-[A-Za-z0-9_-]+/g, /Bearer\s+\S+/gi];

/** Removes anything key-like, and the given secrets, from text that may reach a person or a log. */
export function redact(text: string, ...secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  for (const p of secretPatterns) out = out.replace(p, "[redacted]");
  return out;
}
