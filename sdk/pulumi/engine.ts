// Runs inside Pulumi's dynamic-provider host. Translates Pulumi's calls to the resource declarations; all
// behaviour lives in the declarations. Credentials are read here at run time (stack config, then env) and
// never captured into the serialized provider, so they never reach the state.
import {
  connect,
  errorMessage,
  isUnknown,
  knownArgs,
  planChange,
  plannedArgs,
  redact,
  resolveSettings,
  resources,
  SettingsProblems,
  Unknown,
  type Context,
  type ResourceDeclaration,
  type Settings,
} from "../../provider/resources/index.js";
import { PROVIDER_KEY } from "./provider.js";
import { configValues, pulumiSpelling, renderPulumi } from "./spelling.js";

/** Pulumi's marker for a value not known during preview. */
const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface ConfigSource {
  get(key: string): string | undefined;
}

let settings: Settings = {};
let context: Context | undefined;

export function configure(config: ConfigSource | undefined): void {
  const next = resolveSettings(configValues((key) => config?.get(`headscale:${key}`)));
  // Pulumi configures each resource type's provider separately: keep one context (and its shared lists)
  // for the whole run unless the settings really differ.
  if (context && JSON.stringify(next) === JSON.stringify(settings)) return;
  settings = next;
  context = undefined;
}

function ctx(): Context {
  if (context) return context;
  if (!settings.url) configure(undefined);
  try {
    context = connect(settings, (m) => console.error(`headscale: ${renderPulumi(m)}`));
  } catch (e) {
    if (e instanceof SettingsProblems) throw new Error(e.problems.map((p) => `headscale:${p.field}: ${renderPulumi(p.message)}`).join("\n"));
    throw e;
  }
  return context;
}

function declaration(name: string): ResourceDeclaration {
  const d = resources.find((r) => r.name === name);
  if (!d) throw new Error(`headscale-iac has no resource named ${name}`);
  return d;
}

/** Drops Pulumi's bookkeeping and undefined values; maps Pulumi's unknown marker to ours. */
function fromPulumi(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    if (k === PROVIDER_KEY || v === undefined || v === null) continue;
    const holdsUnknown = Array.isArray(v) ? v.includes(PULUMI_UNKNOWN) : typeof v === "object" && Object.values(v).includes(PULUMI_UNKNOWN);
    out[k] = v === PULUMI_UNKNOWN || holdsUnknown ? Unknown : v;
  }
  return out;
}

/** Pulumi's struct encoding has no `undefined`: leave such fields out. */
function toPulumi(state: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state as Record<string, unknown>).filter(([, v]) => v !== undefined));
}

/**
 * Errors reach the CLI output: no secret of ours in them, and no stack trace of ours either (the host
 * prints an error's stack, which would bury the one line that says what to fix).
 */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const message = redact(errorMessage(e, pulumiSpelling), settings.apiKey);
    const clean = new Error(message);
    clean.stack = message;
    throw clean;
  }
}

/**
 * Pulumi prints a failure on a property as "property p value {<the whole value>} has a problem": for a
 * policy that repeats kilobytes of text per problem. Long values are reported on the resource instead, with
 * the field named in the reason.
 */
function failureOn(property: string, value: unknown): string {
  return (typeof value === "string" && value.length > 60) || (typeof value === "object" && value !== null) ? "" : property;
}

export function check(name: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  return guarded(async () => {
    const d = declaration(name);
    const inputs = fromPulumi(news);
    const previous = fromPulumi(olds);
    const failures: Array<{ property: string; reason: string }> = [];
    const fail = (field: string, reason: string) => failures.push({ property: failureOn(field, inputs[field]), reason: `${name}.${field}: ${reason}` });
    const { args, issues } = plannedArgs(d.args, inputs);
    for (const issue of issues) fail(issue.path.map(String).join("."), issue.message);
    if (failures.length === 0) {
      const existing = Object.keys(previous).length > 0 ? previous : undefined;
      for (const p of await d.check(ctx(), args, existing)) {
        const message = renderPulumi(p.message);
        if (p.severity === "warning") console.error(`headscale: warning: ${name}${p.field ? `.${p.field}` : ""}: ${message}`);
        else if (p.field) fail(p.field, message);
        else failures.push({ property: "", reason: `${name}: ${message}` });
      }
    }
    // Values the parse changed (zod defaults and transforms) become the inputs diff, create and update
    // see; everything else (Pulumi's bookkeeping, unknowns, secrets) stays exactly as Pulumi sent it.
    const parsed = Object.fromEntries(Object.entries(args).filter(([k, v]) => !isUnknown(v) && JSON.stringify(v) !== JSON.stringify(inputs[k])));
    // Outputs known before apply (a policy's access pairs) join the checked inputs: previews show their diff.
    const existing = Object.keys(previous).length > 0 ? previous : undefined;
    const predicted = failures.length === 0 && d.predict ? toPulumi(await d.predict(ctx(), args, existing)) : {};
    return { inputs: failures.length ? news : { ...news, ...parsed, ...predicted }, failures };
  });
}

/** Inputs of a create or update: every value known, parsed as at check. */
function knownInputs(d: ResourceDeclaration, props: Record<string, unknown>): Record<string, unknown> {
  const { args, issues } = knownArgs(d.args, fromPulumi(props));
  if (issues.length) throw new Error(issues.map((i) => `${d.name}.${i.path.map(String).join(".")}: ${i.message}`).join("\n"));
  return args;
}

export function diff(name: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  return guarded(async () => {
    const r = await planChange(declaration(name), ctx(), id, fromPulumi(olds), fromPulumi(news));
    for (const [field, why] of Object.entries(r.reasons ?? {})) console.error(`headscale: ${name} ${id}: ${field}: ${renderPulumi(why)}`);
    return {
      changes: r.updates.length + r.replaces.length > 0,
      replaces: r.replaces,
      deleteBeforeReplace: r.replaces.length > 0 && r.createBeforeDelete === false,
    };
  });
}

export function create(name: string, inputs: Record<string, unknown>) {
  return guarded(async () => {
    const d = declaration(name);
    const r = await d.create(ctx(), knownInputs(d, inputs));
    return { id: r.id, outs: toPulumi(r.state) };
  });
}

export function read(name: string, id: string, props: Record<string, unknown>) {
  return guarded(async () => {
    const r = await declaration(name).read(ctx(), id, fromPulumi(props));
    // An empty id tells Pulumi the object is gone: refresh drops it and the next up creates it again.
    return r ? { id: r.id, props: toPulumi(r.state) } : { id: "", props: {} };
  });
}

export function update(name: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  return guarded(async () => {
    const d = declaration(name);
    return { outs: toPulumi(await d.update(ctx(), id, fromPulumi(olds), knownInputs(d, news))) };
  });
}

export function remove(name: string, id: string, props: Record<string, unknown>) {
  return guarded(async () => {
    const d = declaration(name);
    const olds = fromPulumi(props);
    const problems = (await d.checkDelete?.(ctx(), id, olds)) ?? [];
    if (problems.length) throw new Error(problems.map((p) => `${name} ${id}${p.field ? ` (${p.field})` : ""}: ${renderPulumi(p.message)}`).join("\n"));
    await d.delete(ctx(), id, olds);
  });
}
