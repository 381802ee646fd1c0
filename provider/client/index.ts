export { HeadscaleClient, apiKeyPrefixOf, type ServerInfo } from "./client.js";
export { HeadscaleError, isNotFound, redact, type ErrorKind } from "./errors.js";
export { checkUrl, type ConnectionOptions, type CallObserver } from "./transport.js";
export type { User, PreAuthKey, Node, PolicyDocument, CreateUserInput, CreatePreAuthKeyInput, PreAuthKeyRef, ApiKey, ApiKeyRef, NodeExpiry } from "./types.js";
export { capabilitiesOf, parseVersion, type Capabilities, type ServerVersion } from "./version.js";
// Naming rules live with the policy tooling (dependency-free), shared with the policy checks and resources.
export { checkNodeName, checkTag, checkUserName } from "../policy/naming.js";
