// The provider's settings, declared once: how to reach the server. The Terraform provider block, the
// Pulumi stack config and environment, and the reference docs are all derived from this list, and
// `connect` is the one place that turns settings into a client and the run's context.
import { z } from "zod";
import { HeadscaleClient, HeadscaleError, ref, render, text, type Message } from "../client/index.js";
import { createContext } from "./context.js";
import type { Context, Problem } from "./declaration.js";
import { field } from "./fields.js";

export interface SettingDeclaration {
  /** The setting's name in the declarations' spelling (Pulumi `headscale:<key>`, Terraform snake_case). */
  key: keyof Settings;
  /** Environment variables read when the frontend's own configuration leaves the setting out, in order. */
  env: readonly string[];
  description: string;
  type: "string" | "boolean";
  /** Never shown or stored in clear: sensitive in every frontend, set as a secret. */
  secret?: boolean;
  /** The value when neither the configuration nor the environment sets it. */
  default?: boolean;
}

export interface Settings {
  url?: string;
  apiKey?: string;
  caCertificate?: string;
  allowInsecureHttp?: boolean;
}

export const providerSettings: readonly SettingDeclaration[] = [
  {
    key: "url",
    env: ["HEADSCALE_URL"],
    type: "string",
    description: "Base URL of the Headscale server, e.g. https://headscale.example.com.",
  },
  {
    key: "apiKey",
    env: ["HEADSCALE_API_KEY"],
    type: "string",
    secret: true,
    description: "Headscale API key (`headscale apikeys create`).",
  },
  {
    key: "caCertificate",
    env: ["HEADSCALE_CA_CERTIFICATE"],
    type: "string",
    description: "PEM certificate(s) of a CA to trust in addition to the system store (self-signed or private CA).",
  },
  {
    key: "allowInsecureHttp",
    env: ["HEADSCALE_ALLOW_INSECURE_HTTP"],
    type: "boolean",
    default: false,
    description: "Allow plain http:// to a host other than loopback; the API key then travels in clear.",
  },
];

export const settingNamed = (key: string): SettingDeclaration | undefined => providerSettings.find((s) => s.key === key);

/** "Defaults to $HEADSCALE_URL." / "Defaults to $HEADSCALE_ALLOW_INSECURE_HTTP, else false." */
export function settingDescription(s: SettingDeclaration): string {
  const fallback = s.default === undefined ? "" : `, else ${s.default}`;
  return `${s.description} Defaults to ${s.env.map((e) => `$${e}`).join(", then ")}${fallback}.`;
}

/** The settings as a zod object with field metadata: what a frontend's configuration block accepts. */
export const settingsSchema = z.object(
  Object.fromEntries(
    providerSettings.map((s) => [
      s.key,
      field(s.type === "boolean" ? z.boolean().optional() : z.string().optional(), {
        description: settingDescription(s),
        ...(s.secret ? { secret: true } : {}),
      }),
    ]),
  ),
);

/** A value as a frontend read it: Terraform gives typed values, Pulumi's stack config gives text. */
export type SettingValues = Partial<Record<keyof Settings, string | boolean | undefined>>;

const truthy = (v: string) => /^(1|true|yes)$/i.test(v.trim());

/** Each setting from the frontend's configuration, else its environment variables, else its default. */
export function resolveSettings(given: SettingValues, env: NodeJS.ProcessEnv = process.env): Settings {
  const out: Record<string, string | boolean> = {};
  for (const s of providerSettings) {
    const raw = given[s.key] ?? s.env.map((e) => env[e]).find((v) => v !== undefined && v !== "");
    if (raw === undefined || raw === "") {
      if (s.default !== undefined) out[s.key] = s.default;
    } else if (s.type === "boolean") out[s.key] = typeof raw === "boolean" ? raw : truthy(raw);
    else out[s.key] = String(raw);
  }
  return out as Settings;
}

/** Settings that cannot make a client, each on the setting it is about; nothing was contacted. */
export class SettingsProblems extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => render(p.message)).join("; "));
    this.name = "SettingsProblems";
  }
}

/**
 * The run's context: one client for the resolved settings, and the per-run list cache. Throws
 * SettingsProblems for a missing URL or key, a malformed URL, or plain http:// not allowed.
 */
export function connect(given: SettingValues, log: (message: Message) => void = () => {}, env: NodeJS.ProcessEnv = process.env): Context {
  const s = resolveSettings(given, env);
  const problems: Problem[] = [];
  if (!s.url) problems.push({ field: "url", message: text`the Headscale URL is not set: set ${ref.setting("url")}` });
  if (!s.apiKey) problems.push({ field: "apiKey", message: text`the API key is not set: set ${ref.setting("apiKey")}` });
  if (problems.length) throw new SettingsProblems(problems);
  try {
    const client = new HeadscaleClient({
      url: s.url!,
      apiKey: s.apiKey!,
      ...(s.caCertificate ? { caCertificate: s.caCertificate } : {}),
      allowInsecureHttp: s.allowInsecureHttp ?? false,
    });
    return createContext(client, log);
  } catch (e) {
    // The client checks the URL and the TLS settings up front: report that on the url setting.
    if (e instanceof HeadscaleError) throw new SettingsProblems([{ field: "url", message: e.toText() }]);
    throw e;
  }
}
