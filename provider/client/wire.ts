// Small pieces of the wire format the client shares: path segments, payload clean-up, lenient JSON,
// and the API key's prefix as the server lists it.
import { HeadscaleError } from "./errors.js";

/**
 * `hskey-api-<prefix>-<secret>` (0.28+; the prefix is 12 URL-safe characters, which may include '-') or
 * `<prefix>.<secret>` (older) → the prefix the server lists.
 */
export function apiKeyPrefixOf(key: string): string {
  return /^hskey-api-(.{12})-/.exec(key)?.[1] ?? key.split(".")[0] ?? "";
}

export function reject(operation: string, fieldName: string, problem: string | undefined): void {
  if (problem) throw new HeadscaleError({ kind: "invalid_argument", operation, hint: `${fieldName}: ${problem}` });
}

export function seg(s: string): string {
  return encodeURIComponent(s);
}

export function compact<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

/**
 * grpc-gateway writes `null` for unset fields (e.g. a node's expiry), and the Huma API (0.30+, main) Go's
 * zero time for unset timestamps (a file-mode policy's updatedAt, a key without expiry): both are absent.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== GO_ZERO_TIME)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  return value;
}
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
