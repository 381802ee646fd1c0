// The diff of a resource, derived from its field metadata; a declaration's own diff() only adds what is
// special about it. Both frontends call `planChange`, so Pulumi and Terraform see the same result.
import type { z } from "zod";
import { isUnknown, metaOf, type Context, type DiffResult, type FieldMeta, type ResourceDeclaration } from "./declaration.js";

const sameValue = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return (a ?? undefined) === (b ?? undefined);
};

/** Same members, whatever the order or repetition (tags, routes). */
export function sameSet(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  const x = new Set(a ?? []);
  const y = new Set(b ?? []);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** Whether a field's old and new values mean the same, as its metadata defines sameness. */
export function sameField(meta: FieldMeta | undefined, olds: unknown, news: unknown): boolean {
  if (isUnknown(news)) return false;
  if ((olds ?? undefined) === undefined || (news ?? undefined) === undefined) return (olds ?? undefined) === (news ?? undefined);
  if (meta?.equivalent) return meta.equivalent(olds, news);
  if (meta?.set && Array.isArray(olds) && Array.isArray(news)) return sameSet(olds, news);
  return sameValue(olds, news);
}

/** The diff the metadata implies: every input compared by its own rule; forcesReplacement → replace. */
export function derivedDiff(
  args: z.ZodObject,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  replaceOrder: ResourceDeclaration["replaceOrder"],
): DiffResult {
  const updates: string[] = [];
  const replaces: string[] = [];
  for (const [key, schema] of Object.entries(args.shape as Record<string, z.ZodType>)) {
    const meta = metaOf(schema);
    if (meta?.computed || meta?.checkOnly) continue;
    // A value the provider fills in when the user leaves it out is no change while left out.
    if (meta?.defaulted && news[key] === undefined) continue;
    if (sameField(meta, olds[key], news[key])) continue;
    (meta?.forcesReplacement ? replaces : updates).push(key);
  }
  return { updates, replaces, createBeforeDelete: replaceOrder !== "delete-first", reasons: {} };
}

/** The change from stored state to new inputs: derived from the metadata, then the declaration's own rules. */
export async function planChange(
  decl: ResourceDeclaration,
  ctx: Context,
  id: string,
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): Promise<DiffResult> {
  const derived = derivedDiff(decl.args, olds, news, decl.replaceOrder);
  return decl.diff ? decl.diff(ctx, id, olds, news, derived) : derived;
}
