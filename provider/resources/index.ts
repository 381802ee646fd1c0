// The registry the frontends serve: every resource and data source, declared once.
import type { DataSourceDeclaration, ResourceDeclaration } from "./declaration.js";
import { User } from "./user.js";
import { PreAuthKey } from "./preAuthKey.js";
import { NodeTags } from "./nodeTags.js";
import { Policy } from "./policy.js";
import { NodesLookup, PolicyLookup, UserLookup, UsersLookup } from "./dataSources.js";

export { User, PreAuthKey, NodeTags, Policy, NodesLookup, PolicyLookup, UserLookup, UsersLookup };
export const resources: ResourceDeclaration[] = [User, PreAuthKey, NodeTags, Policy] as unknown as ResourceDeclaration[];
export const dataSources: DataSourceDeclaration[] = [UserLookup, UsersLookup, NodesLookup, PolicyLookup];
export * from "./declaration.js";
export { createContext } from "./context.js";
export { planChange, derivedDiff, sameField } from "./diffing.js";
