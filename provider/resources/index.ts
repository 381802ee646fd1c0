// The registry the frontends serve: every resource and data source, declared once.
import type { DataSourceDeclaration, ResourceDeclaration } from "./declaration.js";
import { User } from "./user.js";
import { PreAuthKey } from "./preAuthKey.js";
import { NodeTags } from "./nodeTags.js";
import { Policy } from "./policy.js";
import { NodeRoutes } from "./nodeRoutes.js";
import { ApiKey } from "./apiKey.js";
import { Node } from "./node.js";
import { ApiKeysLookup, NodesLookup, PolicyLookup, PreAuthKeysLookup, UserLookup, UsersLookup } from "./dataSources.js";

export { User, PreAuthKey, NodeTags, Policy, NodeRoutes, ApiKey, Node, NodesLookup, PolicyLookup, UserLookup, UsersLookup, PreAuthKeysLookup, ApiKeysLookup };
export const resources: ResourceDeclaration[] = [User, PreAuthKey, NodeTags, Policy, NodeRoutes, ApiKey, Node];
export const dataSources: DataSourceDeclaration[] = [UserLookup, UsersLookup, NodesLookup, PolicyLookup, PreAuthKeysLookup, ApiKeysLookup];
export * from "./declaration.js";
export { createContext } from "./context.js";
export { planChange, derivedDiff, sameField } from "./diffing.js";
export * from "./fields.js";
export { containsUnknown, knownArgs, plannedArgs, type ArgIssue, type PreparedArgs } from "./prepare.js";
export {
  connect,
  providerSettings,
  resolveSettings,
  settingDescription,
  settingNamed,
  settingsSchema,
  SettingsProblems,
  type SettingDeclaration,
  type Settings,
  type SettingValues,
} from "./settings.js";
// What frontends render and report, so they need not reach into the client or the policy package.
export {
  declarationSpelling,
  errorMessage,
  HeadscaleError,
  isNotFound,
  redact,
  ref,
  render,
  text,
  type AdoptWays,
  type Message,
  type Ref,
  type Spelling,
  type Text,
} from "../client/index.js";
export { policyToText, type PolicyObject } from "../policy/index.js";
export { storedText } from "./policyText.js";
export type { ApiKey as ServerApiKey, Node as ServerNode, PreAuthKey as ServerPreAuthKey, User as ServerUser } from "../client/index.js";
