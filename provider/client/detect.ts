// Which Headscale answers, and what it can do: detected once per client from /version (0.27+), an
// authenticated probe (0.26 has no /version) or, for a build from source, the API it serves.
import { HeadscaleError } from "./errors.js";
import { mapError } from "./mapError.js";
import type { Transport } from "./transport.js";
import { VersionResponseSchema } from "./types.js";
import { capabilitiesOf, developmentBuild, inferredOldest, OLDEST_SUPPORTED_MINOR, parseVersion, type Capabilities, type ServerVersion } from "./version.js";
import { safeJson } from "./wire.js";

export interface ServerInfo extends ServerVersion {
  caps: Capabilities;
}

/** `authenticatedProbe`: a cheap authenticated read that fails unless the server is Headscale and takes the key. */
export async function detectServer(transport: Transport, apiKey: string, authenticatedProbe: () => Promise<unknown>): Promise<ServerInfo> {
  const res = await transport.send({ method: "GET", path: "/version", idempotent: true, anonymous: true, operation: "detect Headscale version" });
  let v: ServerVersion | undefined;
  if (res.status === 200) {
    const body = VersionResponseSchema.safeParse(safeJson(res.text));
    v = body.success ? parseVersion(body.data.version) : undefined;
    // A build from source reports e.g. "dev": what it serves tells the API apart (one more call, only then).
    v ??= developmentBuild(body.success ? body.data.version : "", await servesOpenApi(transport));
  } else if (res.status === 404) {
    // /version arrived in 0.27; 0.26 answers 404. Confirm it is Headscale at all with an authenticated call.
    await authenticatedProbe();
    v = inferredOldest();
  } else {
    throw mapError(res, "detect Headscale version", apiKey);
  }
  if (v.major === 0 && v.minor < OLDEST_SUPPORTED_MINOR) {
    throw new HeadscaleError({
      kind: "unsupported",
      operation: "connect to Headscale",
      hint: `server is ${v.version}; headscale-iac supports Headscale 0.${OLDEST_SUPPORTED_MINOR} and newer: upgrade one minor at a time`,
    });
  }
  return { ...v, caps: capabilitiesOf(v) };
}

/** The Huma API (0.30+, Headscale main) publishes its OpenAPI document without authentication; grpc-gateway does not. */
async function servesOpenApi(transport: Transport): Promise<boolean> {
  const res = await transport.send({ method: "GET", path: "/api/v1/openapi.yaml", idempotent: true, anonymous: true, operation: "detect Headscale API" });
  return res.status === 200 && /^openapi:\s*["']?3\./m.test(res.text);
}
