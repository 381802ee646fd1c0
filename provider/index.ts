// headscale-iac engine: the API client, the resource declarations and the policy tooling.
export { HeadscaleClient, HeadscaleError, isNotFound, redact, checkUrl, type ConnectionOptions, type ErrorKind, type ServerInfo } from "./client/index.js";
export * as api from "./client/index.js";
export * from "./resources/index.js";
export * as policy from "./policy/index.js";
