// Expirations and rotation shared by the key resources (ApiKey; the same rules as PreAuthKey's).
import type { Problem } from "./declaration.js";
import { durationHelp, parseDuration, resolveTime } from "./duration.js";

/** An `expiration` input (a duration from now or an RFC 3339 time) that is unreadable or in the past. */
export function expirationProblems(value: string | undefined, fieldName: string): Problem[] {
  if (value === undefined) return [];
  const at = resolveTime(value, new Date());
  if (!at) return [{ field: fieldName, message: `"${value}" is not a duration or a time: ${durationHelp}` }];
  if (at.getTime() <= Date.now()) return [{ field: fieldName, message: `"${value}" is in the past: give a future time or a duration like "90d"` }];
  return [];
}

export function durationProblems(value: string | undefined, fieldName: string): Problem[] {
  return value !== undefined && parseDuration(value) === undefined ? [{ field: fieldName, message: `"${value}" is not a duration: ${durationHelp}` }] : [];
}

/** Less than `rotateBefore` is left before `expiresAt`. */
export function rotationDue(expiresAt: string | undefined, rotateBefore: string | undefined): boolean {
  const ms = rotateBefore ? parseDuration(rotateBefore) : undefined;
  return ms !== undefined && expiresAt !== undefined && new Date(expiresAt).getTime() - Date.now() < ms;
}

export const isPast = (time: string | undefined, now = Date.now()): boolean => time !== undefined && new Date(time).getTime() <= now;
