// Turns a failed HTTP response into a HeadscaleError. ≤0.29 answer through grpc-gateway: mostly HTTP 500
// with {code, message}, where the gRPC code is often 2 (Unknown) and only the message tells what
// happened: mapped by gRPC code, then message, then status. 0.30 (and Headscale main) answer RFC 7807
// problem+json with real 400/404/409: mapped by status, and by message only where the status is 500.
// Which world an answer comes from is read from the answer itself, so no version is needed here.
import { ErrorBodySchema } from "./types.js";
import { HeadscaleError, redact, type ErrorKind } from "./errors.js";
import type { Response } from "./transport.js";

const grpcKinds: Record<number, ErrorKind> = {
  3: "invalid_argument", // InvalidArgument
  5: "not_found", // NotFound
  6: "conflict", // AlreadyExists
  7: "unauthorized", // PermissionDenied
  9: "invalid_argument", // FailedPrecondition
  12: "unsupported", // Unimplemented
  16: "unauthorized", // Unauthenticated
};

const statusKinds: Record<number, ErrorKind> = {
  400: "invalid_argument",
  401: "unauthorized",
  403: "unauthorized",
  404: "not_found",
  409: "conflict",
  412: "conflict",
  422: "invalid_argument",
  501: "unsupported",
};

// Message patterns seen from Headscale 0.26–0.29 when the gRPC code says nothing useful.
const messageKinds: Array<[RegExp, ErrorKind]> = [
  // 0.26 answers a refused API key with HTTP 500 and a plain-text "Unauthorized".
  [/^unauthorized\b/i, "unauthorized"],
  [/update is disabled for modes other than|policy.*mode.*(file|database)|policy updates are disabled/i, "policy_file_mode"],
  [/UNIQUE constraint failed|already exists|duplicate key/i, "conflict"],
  [/\bnot found\b|record not found|no such/i, "not_found"],
  [/invalid|parsing|unmarshal|unknown field|must |cannot |not defined|not valid|unsupported/i, "invalid_argument"],
];

export function mapError(res: Response, operation: string, apiKey: string, write = false): HeadscaleError {
  const parsed = parseBody(res.text);
  const problem = isProblem(res, parsed);
  const message = redact((problem ? problemMessage(parsed!) : (parsed?.message ?? parsed?.detail ?? parsed?.title ?? res.text)).trim(), apiKey).slice(0, 2000);
  const byMessage = () => messageKinds.find(([re]) => re.test(message))?.[1];
  let kind: ErrorKind | undefined;
  if (res.status === 401) kind = "unauthorized";
  if (problem) {
    // Real statuses: a 4xx means what it says, except a policy write refused for the mode (a 400 too).
    if (!kind && res.status >= 400 && res.status < 500) kind = byMessage() === "policy_file_mode" ? "policy_file_mode" : statusKinds[res.status];
  } else if (!kind && parsed?.code !== undefined && parsed.code !== 2 && parsed.code !== 13) kind = grpcKinds[parsed.code];
  if (!kind) kind = byMessage();
  if (!kind) kind = statusKinds[res.status];
  return new HeadscaleError({
    kind: kind ?? "server",
    operation,
    status: res.status,
    ...(parsed?.code !== undefined ? { grpcCode: parsed.code } : {}),
    ...(message && kind !== "unauthorized" ? { serverMessage: message } : {}),
    // A gateway in front of Headscale (nginx, Caddy) answers 502/504 when the server's answer did not come
    // back: a write may have been performed behind it.
    mayHaveBeenPerformed: write && (res.status === 502 || res.status === 504),
  });
}

type ErrorBody = NonNullable<ReturnType<typeof parseBody>>;

function isProblem(res: Response, body: ErrorBody | undefined): boolean {
  return (
    body !== undefined &&
    (/application\/problem\+json/i.test(res.contentType) || (body.code === undefined && body.status !== undefined && body.title !== undefined))
  );
}

/** "setting policy: <why>": Huma puts the operation in `detail` and the underlying errors in `errors`. */
function problemMessage(body: ErrorBody): string {
  const reasons = (body.errors ?? []).map((e) => e.message).filter((m): m is string => !!m);
  const head = body.detail ?? body.title ?? "";
  return [head, ...reasons.filter((r) => r !== head)].filter(Boolean).join(": ");
}

function parseBody(text: string) {
  try {
    const r = ErrorBodySchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
