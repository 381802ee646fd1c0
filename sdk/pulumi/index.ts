// headscale-iac for Pulumi: `import * as headscale from "headscale-iac/pulumi"`.
export { User, Policy, PreAuthKey, NodeTags, type UserArgs, type PolicyArgs, type PreAuthKeyArgs, type NodeTagsArgs } from "./resources.js";
export { NodeRoutes, ApiKey, Node, type NodeRoutesArgs, type ApiKeyArgs, type NodeArgs } from "./resources.js";
export { getUsers, getUser, getNodes, getPolicy, getPreAuthKeys, getApiKeys } from "./lookups.js";
export type { PolicyObject } from "../../provider/resources/index.js";
