// Durations as operators write them ("90d", "1h30m", "2w"), and times given either way.
const units: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?[smhdw])+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

/** A duration from `from`, or an absolute RFC 3339 time; undefined when it is neither. */
export function resolveTime(text: string, from: Date): Date | undefined {
  const d = parseDuration(text);
  if (d !== undefined) return new Date(from.getTime() + d);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text.trim())) return undefined;
  const abs = new Date(text);
  return Number.isNaN(abs.getTime()) ? undefined : abs;
}

export const durationHelp = 'use a duration like "1h", "90d", "1h30m" (units s, m, h, d, w) or an RFC 3339 time like "2027-01-31T00:00:00Z"';
