// Read-only lookups. Each is one list call (shared with the resources in the same run).
import { z } from "zod";
import { HeadscaleError, type ApiKey, type Node, type PreAuthKey, type User as ApiUser } from "../client/index.js";
import { normalRoutes } from "./cidr.js";
import { defineDataSource, field } from "./declaration.js";
import { findUser } from "./lookups.js";

const userShape = z.object({
  userId: field(z.string(), { description: "Numeric user id.", computed: true }),
  name: field(z.string(), { description: "User name.", computed: true }),
  displayName: field(z.string(), { description: "Display name.", computed: true }),
  email: field(z.string(), { description: "Email address.", computed: true }),
  provider: field(z.string(), { description: "Identity provider (oidc) or empty for local users.", computed: true }),
  createdAt: field(z.string(), { description: "Creation time.", computed: true }),
});
const toUser = (u: ApiUser): z.infer<typeof userShape> => ({
  userId: u.id,
  name: u.name,
  displayName: u.displayName,
  email: u.email,
  provider: u.provider,
  createdAt: u.createdAt ?? "",
});

const nodeShape = z.object({
  nodeId: field(z.string(), { description: "Numeric node id.", computed: true }),
  name: field(z.string(), { description: "Node name (given name).", computed: true }),
  hostname: field(z.string(), { description: "Hostname the node reported.", computed: true }),
  user: field(z.string(), { description: "Owning user's name (empty for tagged nodes on 0.28+).", computed: true }),
  tags: field(z.array(z.string()), { description: "The node's tags.", computed: true, set: true }),
  ipAddresses: field(z.array(z.string()), { description: "Tailnet addresses.", computed: true }),
  online: field(z.boolean(), { description: "Connected right now.", computed: true }),
  advertisedRoutes: field(z.array(z.string()), { description: "Routes the node advertises.", computed: true }),
  approvedRoutes: field(z.array(z.string()), { description: "Routes approved on the node.", computed: true }),
  servedRoutes: field(z.array(z.string()), { description: "Routes advertised and approved (served).", computed: true }),
});
const toNode = (n: Node): z.infer<typeof nodeShape> => ({
  nodeId: n.id,
  name: n.givenName || n.name,
  hostname: n.name,
  user: n.user?.name ?? "",
  tags: n.tags,
  ipAddresses: n.ipAddresses,
  online: n.online,
  advertisedRoutes: normalRoutes(n.availableRoutes),
  approvedRoutes: normalRoutes(n.approvedRoutes),
  servedRoutes: normalRoutes(n.approvedRoutes).filter((r) => normalRoutes(n.availableRoutes).includes(r)),
});

const usersArgs = z.object({
  name: field(z.string().optional(), { description: "Only the user with this name." }),
  email: field(z.string().optional(), { description: "Only users with this email." }),
});
export const UsersLookup = defineDataSource({
  name: "Users",
  description: "Users on the server, optionally filtered.",
  args: usersArgs,
  result: usersArgs.extend({ users: field(z.array(userShape), { description: "Matching users.", computed: true }) }),
  async read(ctx, f) {
    const users = (await ctx.lists.users()).filter((u) => (f.name === undefined || u.name === f.name) && (f.email === undefined || u.email === f.email));
    return { ...f, users: users.map(toUser) };
  },
});

const userArgs = z.object({ user: field(z.string(), { description: "User name or numeric id." }) });
export const UserLookup = defineDataSource({
  name: "User",
  description: "One user, by name or id; fails if it does not exist.",
  args: userArgs,
  result: userArgs.extend(userShape.shape),
  async read(ctx, { user }) {
    const u = await findUser(ctx, user);
    if (!u) throw new HeadscaleError({ kind: "not_found", operation: `look up user "${user}"`, hint: "no user has that name or id" });
    return { user, ...toUser(u) };
  },
});

const nodesArgs = z.object({
  user: field(z.string().optional(), { description: "Only nodes owned by this user (name)." }),
  tag: field(z.string().optional(), { description: "Only nodes with this tag." }),
  name: field(z.string().optional(), { description: "Only nodes with this name or hostname." }),
});
export const NodesLookup = defineDataSource({
  name: "Nodes",
  description: "Nodes on the server, optionally filtered by user, tag or name.",
  args: nodesArgs,
  result: nodesArgs.extend({ nodes: field(z.array(nodeShape), { description: "Matching nodes.", computed: true }) }),
  async read(ctx, f) {
    const nodes = (await ctx.lists.nodes()).filter(
      (n) =>
        (f.user === undefined || n.user?.name === f.user) &&
        (f.tag === undefined || n.tags.includes(f.tag)) &&
        (f.name === undefined || n.givenName === f.name || n.name === f.name),
    );
    return { ...f, nodes: nodes.map(toNode) };
  },
});

const preAuthKeyShape = z.object({
  keyId: field(z.string(), { description: "Key id (0.28+; empty before).", computed: true }),
  prefix: field(z.string(), { description: "Non-secret prefix of the key (never the secret).", computed: true }),
  user: field(z.string(), { description: "Owning user's name (empty for tag-only keys).", computed: true }),
  tags: field(z.array(z.string()), { description: "ACL tags of the key.", computed: true }),
  reusable: field(z.boolean(), { description: "Can register more than one node.", computed: true }),
  ephemeral: field(z.boolean(), { description: "Registers ephemeral nodes.", computed: true }),
  used: field(z.boolean(), { description: "A node has registered with it.", computed: true }),
  expiresAt: field(z.string(), { description: "Expiry (RFC 3339).", computed: true }),
});
/** The part of a key a listing may show: 0.28+ mask the secret; older servers list it in full, so cut it. */
const keyPrefix = (key: string) => /^(hskey-auth-[^-]+)-/.exec(key)?.[1] ?? key.slice(0, 8);
const toPreAuthKey = (k: PreAuthKey): z.infer<typeof preAuthKeyShape> => ({
  keyId: k.id ?? "",
  prefix: keyPrefix(k.key),
  user: k.user?.name ?? "",
  tags: k.aclTags,
  reusable: k.reusable,
  ephemeral: k.ephemeral,
  used: k.used,
  expiresAt: k.expiration ?? "",
});
const preAuthKeysArgs = z.object({ user: field(z.string().optional(), { description: "Only keys of this user (name or numeric id)." }) });
export const PreAuthKeysLookup = defineDataSource({
  name: "PreAuthKeys",
  description: "Pre-auth keys on the server (all, or one user's), without their secrets.",
  args: preAuthKeysArgs,
  result: preAuthKeysArgs.extend({ keys: field(z.array(preAuthKeyShape), { description: "Matching keys.", computed: true }) }),
  async read(ctx, f) {
    const user = f.user === undefined ? undefined : await findUser(ctx, f.user);
    if (f.user !== undefined && !user)
      throw new HeadscaleError({
        kind: "not_found",
        operation: `look up pre-auth keys of "${f.user}"`,
        hint: "no user has that name or id",
      });
    const keys = (await ctx.lists.preAuthKeys()).filter((k) => !user || k.user?.id === user.id);
    return { ...f, keys: keys.map(toPreAuthKey) };
  },
});

const apiKeyShape = z.object({
  keyId: field(z.string(), { description: "Key id.", computed: true }),
  prefix: field(z.string(), { description: "Non-secret prefix of the key.", computed: true }),
  expiresAt: field(z.string(), { description: "Expiry (RFC 3339).", computed: true }),
  createdAt: field(z.string(), { description: "Creation time.", computed: true }),
  lastSeen: field(z.string(), { description: "Last use.", computed: true }),
});
const toApiKey = (k: ApiKey): z.infer<typeof apiKeyShape> => ({
  keyId: k.id,
  prefix: k.prefix,
  expiresAt: k.expiration ?? "",
  createdAt: k.createdAt ?? "",
  lastSeen: k.lastSeen ?? "",
});
export const ApiKeysLookup = defineDataSource({
  name: "ApiKeys",
  description: "Admin API keys on the server (prefixes and times; the secrets are never readable).",
  args: z.object({}),
  result: z.object({ keys: field(z.array(apiKeyShape), { description: "All API keys.", computed: true }) }),
  async read(ctx) {
    return { keys: (await ctx.lists.apiKeys()).map(toApiKey) };
  },
});

const policyArgs = z.object({});
export const PolicyLookup = defineDataSource({
  name: "Policy",
  description: "The server's current policy text, as stored (empty if none).",
  args: policyArgs,
  result: z.object({
    policy: field(z.string(), { description: "Policy text as stored.", computed: true }),
    updatedAt: field(z.string(), { description: "Last update time.", computed: true }),
  }),
  async read(ctx) {
    const p = await ctx.lists.policy();
    return { policy: p.text, updatedAt: p.updatedAt ?? "" };
  },
});
