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
export const resources: ResourceDeclaration[] = [User, PreAuthKey, NodeTags, Policy, NodeRoutes, ApiKey, Node] as unknown as ResourceDeclaration[];
export const dataSources: DataSourceDeclaration[] = [UserLookup, UsersLookup, NodesLookup, PolicyLookup, PreAuthKeysLookup, ApiKeysLookup];
export * from "./declaration.js";
export { createContext } from "./context.js";
export { planChange, derivedDiff, sameField } from "./diffing.js";
