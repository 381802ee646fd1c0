// Turns a failed HTTP response into a HeadscaleError. ≤0.29 answer through grpc-gateway: mostly HTTP 500
// with {code, message}, where the gRPC code is often 2 (Unknown) and only the message tells what
// happened. 0.30 answers RFC 7807 problem+json with real statuses. Both are handled here, by status,
// gRPC code and message, in that order.
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

export function mapError(res: Response, operation: string, apiKey: string): HeadscaleError {
  const parsed = parseBody(res.text);
  const message = redact((parsed?.message ?? parsed?.detail ?? parsed?.title ?? res.text).trim(), apiKey).slice(0, 2000);
  let kind: ErrorKind | undefined;
  if (res.status === 401) kind = "unauthorized";
  if (!kind && parsed?.code !== undefined && parsed.code !== 2 && parsed.code !== 13) kind = grpcKinds[parsed.code];
  if (!kind) kind = messageKinds.find(([re]) => re.test(message))?.[1];
  if (!kind) kind = statusKinds[res.status];
  return new HeadscaleError({
    kind: kind ?? "server",
    operation,
    status: res.status,
    ...(parsed?.code !== undefined ? { grpcCode: parsed.code } : {}),
    ...(message && kind !== "unauthorized" ? { serverMessage: message } : {}),
  });
}

function parseBody(text: string) {
  try {
    const r = ErrorBodySchema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
