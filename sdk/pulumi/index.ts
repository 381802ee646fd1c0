// headscale-iac for Pulumi: `import * as headscale from "headscale-iac/pulumi"`.
export { User, Policy, PreAuthKey, NodeTags, type UserArgs, type PolicyArgs, type PreAuthKeyArgs, type NodeTagsArgs } from "./resources.js";
export { getUsers, getUser, getNodes, getPolicy } from "./lookups.js";
export type { PolicyObject } from "../../provider/policy/index.js";
