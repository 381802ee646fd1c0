// Comparisons shared by the resource declarations' diff functions.
import { isUnknown } from "./declaration.js";

const sameValue = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return (a ?? undefined) === (b ?? undefined);
};

/** Fields whose new value differs from the old one; an unknown new value counts as a change. */
export function changedFields<K extends string>(olds: Partial<Record<K, unknown>>, news: Partial<Record<K, unknown>>, fields: readonly K[]): K[] {
  return fields.filter((f) => isUnknown(news[f]) || !sameValue(olds[f], news[f]));
}

/** Same members, whatever the order (tags are sets). */
export function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = new Set(a ?? []);
  const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
