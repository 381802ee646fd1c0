// What the Policy resource writes: its own text merged with its fragments (provider/policy/compose.ts), and
// the concurrency guard's comparison of what the server holds with what the resource last wrote.
import { composePolicy, diffPolicySections, parsePolicyText, policiesEqual, validatePolicy, type Composition, type PolicyDialect } from "../policy/index.js";
import { isUnknown, type Problem } from "./declaration.js";

export interface PolicyInputs {
  policy?: string | undefined;
  fragments?: Record<string, string> | undefined;
}

/** Neither the text nor any fragment is still unknown (preview/plan with values from other resources). */
export function inputsKnown(a: { policy?: unknown; fragments?: unknown }): boolean {
  if (isUnknown(a.policy) || isUnknown(a.fragments)) return false;
  return !a.fragments || Object.values(a.fragments as Record<string, unknown>).every((t) => typeof t === "string");
}

export function composed(a: PolicyInputs): Composition {
  return composePolicy(a.policy, a.fragments && Object.keys(a.fragments).length ? a.fragments : undefined);
}

/** The merged text; throws when it cannot be merged (the check reports that at preview/plan already). */
export function desiredText(a: PolicyInputs): string {
  const c = composed(a);
  if (!c.ok) throw new Error(`policy: ${c.problems.map((p) => p.message).join("; ")}`);
  return c.text;
}

/** The merged text of stored inputs, or undefined when they do not merge (state of an older version). */
export function storedText(a: PolicyInputs): string | undefined {
  const c = composed(a);
  return c.ok ? c.text : undefined;
}

/** Same fragment names, each meaning the same policy (formatting and comments aside). */
export function fragmentsEqual(a: unknown, b: unknown): boolean {
  const x = (a ?? {}) as Record<string, string>;
  const y = (b ?? {}) as Record<string, string>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && policiesEqual(String(x[k]), String(y[k])));
}

/**
 * Composition problems and the validation of the merged policy, each on the field (and fragment) at fault,
 * with the line and column in that source's own text.
 */
export function compositionProblems(a: PolicyInputs, dialect: PolicyDialect): Problem[] {
  const c = composed(a);
  if (!c.ok) return c.problems.map((p) => ({ field: p.fragment === undefined ? "policy" : "fragments", message: p.message }));
  const fragments = Boolean(a.fragments && Object.keys(a.fragments).length);
  return validatePolicy(c.value, { dialect }).map((p): Problem => {
    // Paths point into the merged policy: report them in the source the entry came from.
    const origin = c.originOf(p.path);
    const path = origin?.path ?? p.path;
    const body = p.message.startsWith(p.path) ? `${path}${p.message.slice(p.path.length)}` : `${path}: ${p.message}`;
    const message = `${origin?.line === undefined ? "" : `line ${origin.line}, column ${origin.column}: `}${body}`;
    if (!fragments) return { field: "policy", message, severity: p.severity };
    return {
      field: origin?.fragment === undefined ? "policy" : "fragments",
      message: origin ? `in ${origin.label}: ${message}` : message,
      severity: p.severity,
    };
  });
}

/**
 * The guard's refusal: the server's policy is no longer what this resource last wrote. Says what changed
 * outside (semantically) and the two ways on.
 */
export function outOfBandRefusal(lastWritten: string, live: string): Error {
  const a = parsePolicyText(lastWritten);
  const b = live.trim() === "" ? ({ ok: true, value: {} } as const) : parsePolicyText(live);
  const changes = a.ok && b.ok ? diffPolicySections(a.value, b.value).map((c) => c.summary) : [];
  const what = live.trim() === "" ? "the policy was cleared" : changes.join("; ") || "its text changed";
  return new Error(
    `update policy: refused, the server's policy was changed outside this program since this resource last wrote it (${what}); applying would discard that change. ` +
      'To keep it, add it to the policy or a fragment (the server\'s text: `headscale policy get`, the getPolicy lookup or data "headscale_policy") and apply again: a policy that already matches is not written. ' +
      "To replace it, set overwrite: true for this apply (and remove it afterwards: it turns this check off).",
  );
}

/** Whether the server's policy still is what this resource last wrote (semantically). */
export function unchangedSince(lastWritten: string, live: string): boolean {
  if (live.trim() === "" || lastWritten.trim() === "") return live.trim() === lastWritten.trim();
  return policiesEqual(lastWritten, live);
}
