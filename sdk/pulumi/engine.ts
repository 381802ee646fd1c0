// Runs inside Pulumi's dynamic-provider host. Translates Pulumi's calls to the resource declarations; all
// behaviour lives in the declarations. Credentials are read here at run time (stack config, then env) and
// never captured into the serialized provider, so they never reach the state.
import { HeadscaleClient, HeadscaleError, redact } from "../../provider/client/index.js";
import { createContext, isUnknown, planChange, resources, Unknown, type Context, type ResourceDeclaration } from "../../provider/resources/index.js";

/** Pulumi's marker for a value not known during preview. */
const PULUMI_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const PROVIDER_KEY = "__provider";

interface ConfigSource {
  get(key: string): string | undefined;
}

let settings: { url?: string; apiKey?: string; caCertificate?: string; allowInsecureHttp?: boolean } = {};
let context: Context | undefined;

export function configure(config: ConfigSource | undefined): void {
  const get = (key: string, env: string) => config?.get(`headscale:${key}`) ?? process.env[env];
  const next = {
    url: get("url", "HEADSCALE_URL"),
    apiKey: get("apiKey", "HEADSCALE_API_KEY"),
    caCertificate: get("caCertificate", "HEADSCALE_CA_CERTIFICATE"),
    allowInsecureHttp: /^(1|true|yes)$/i.test(get("allowInsecureHttp", "HEADSCALE_ALLOW_INSECURE_HTTP") ?? ""),
  };
  // Pulumi configures each resource type's provider separately: keep one context (and its shared lists)
  // for the whole run unless the settings really differ.
  if (JSON.stringify(next) === JSON.stringify(settings)) return;
  settings = next;
  context = undefined;
}

function ctx(): Context {
  if (context) return context;
  const { url, apiKey } = settings.url ? settings : (configure(undefined), settings);
  if (!url) throw new HeadscaleError({ kind: "invalid_argument", operation: "configure headscale", hint: "no server URL: run `pulumi config set headscale:url https://…` or set HEADSCALE_URL" });
  if (!apiKey) throw new HeadscaleError({ kind: "unauthorized", operation: "configure headscale", hint: "no API key: run `pulumi config set --secret headscale:apiKey …` or set HEADSCALE_API_KEY" });
  const client = new HeadscaleClient({ url, apiKey, ...(settings.caCertificate ? { caCertificate: settings.caCertificate } : {}), allowInsecureHttp: settings.allowInsecureHttp ?? false });
  context = createContext(client, (m) => console.error(`headscale: ${m}`));
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
    const message = redact(e instanceof Error ? e.message : String(e), settings.apiKey);
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
    const known = Object.fromEntries(Object.entries(inputs).filter(([, v]) => !isUnknown(v)));
    const shape = d.args.partial().safeParse(known);
    if (!shape.success) {
      for (const issue of shape.error.issues) fail(issue.path.map(String).join("."), issue.message);
    } else {
      const required = Object.entries(d.args.shape).filter(([k, s]) => !(s as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success && !(k in inputs));
      for (const [k] of required) fail(k, "is required");
      if (failures.length === 0) {
        const existing = Object.keys(previous).length > 0 ? previous : undefined;
        for (const p of await d.check(ctx(), inputs as never, existing as never)) {
          if (p.severity === "warning") console.error(`headscale: warning: ${name}${p.field ? `.${p.field}` : ""}: ${p.message}`);
          else if (p.field) fail(p.field, p.message);
          else failures.push({ property: "", reason: `${name}: ${p.message}` });
        }
      }
    }
    // Outputs known before apply (a policy's access pairs) join the checked inputs: previews show their diff.
    const predicted = failures.length === 0 && d.predict ? toPulumi(await d.predict(ctx(), inputs as never, Object.keys(previous).length > 0 ? previous : undefined)) : {};
    return { inputs: { ...news, ...predicted }, failures };
  });
}

export function diff(name: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  return guarded(async () => {
    const r = await planChange(declaration(name), ctx(), id, fromPulumi(olds), fromPulumi(news));
    for (const [field, why] of Object.entries(r.reasons ?? {})) console.error(`headscale: ${name} ${id}: ${field}: ${why}`);
    return {
      changes: r.updates.length + r.replaces.length > 0,
      replaces: r.replaces,
      deleteBeforeReplace: r.replaces.length > 0 && r.createBeforeDelete === false,
    };
  });
}

export function create(name: string, inputs: Record<string, unknown>) {
  return guarded(async () => {
    const r = await declaration(name).create(ctx(), fromPulumi(inputs) as never);
    return { id: r.id, outs: toPulumi(r.state) };
  });
}

export function read(name: string, id: string, props: Record<string, unknown>) {
  return guarded(async () => {
    const r = await declaration(name).read(ctx(), id, fromPulumi(props) as never);
    // An empty id tells Pulumi the object is gone: refresh drops it and the next up creates it again.
    return r ? { id: r.id, props: toPulumi(r.state) } : { id: "", props: {} };
  });
}

export function update(name: string, id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  return guarded(async () => ({ outs: toPulumi(await declaration(name).update(ctx(), id, fromPulumi(olds) as never, fromPulumi(news) as never)) }));
}

export function remove(name: string, id: string, props: Record<string, unknown>) {
  return guarded(async () => {
    const d = declaration(name);
    const olds = fromPulumi(props);
    const problems = (await d.checkDelete?.(ctx(), id, olds as never)) ?? [];
    if (problems.length) throw new Error(problems.map((p) => `${name} ${id}${p.field ? ` (${p.field})` : ""}: ${p.message}`).join("\n"));
    await d.delete(ctx(), id, olds as never);
  });
}
