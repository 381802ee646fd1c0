// The typed Headscale API client: the only module that knows paths, payloads and version differences.
import { z } from "zod";
import { HeadscaleError, isNotFound, redact } from "./errors.js";
import { mapError } from "./mapError.js";
import { Transport, type CallObserver, type ConnectionOptions, type Request } from "./transport.js";
import {
  ApiKeySchema,
  NodeSchema,
  PolicyResponseSchema,
  PreAuthKeySchema,
  UserSchema,
  type ApiKey,
  type ApiKeyRef,
  type CreatePreAuthKeyInput,
  type CreateUserInput,
  type Node,
  type NodeExpiry,
  type PolicyDocument,
  type PreAuthKey,
  type PreAuthKeyRef,
  type User,
} from "./types.js";
import { detectServer, type ServerInfo } from "./detect.js";
import { apiKeyPrefixOf, compact, reject, safeJson, seg, withoutNulls } from "./wire.js";
import { checkNodeName, checkTag, checkUserName } from "../policy/naming.js";

export type { ServerInfo } from "./detect.js";
export { apiKeyPrefixOf } from "./wire.js";

export class HeadscaleClient {
  private readonly transport: Transport;
  private readonly apiKey: string;
  private info?: Promise<ServerInfo>;

  constructor(opts: ConnectionOptions) {
    this.transport = new Transport(opts);
    this.apiKey = opts.apiKey;
  }

  /** Counts or logs every HTTP attempt (benchmarks, call-count tests). */
  set onCall(observer: CallObserver | undefined) {
    this.transport.observer = observer;
  }

  get url(): string {
    return this.transport.url;
  }

  close(): void {
    this.transport.close();
  }

  /** Prefix of the API key this client authenticates with (to refuse expiring the key in use). */
  get apiKeyPrefix(): string {
    return apiKeyPrefixOf(this.apiKey);
  }

  // ---- server -------------------------------------------------------------------------------------

  /** Version and capabilities, detected once per client. */
  server(): Promise<ServerInfo> {
    this.info ??= detectServer(this.transport, this.apiKey, () =>
      this.call({ method: "GET", path: "/api/v1/user", query: { id: "0" }, idempotent: true, operation: "connect to Headscale" }, z.unknown()),
    ).catch((e: unknown) => {
      this.info = undefined; // let a later call try again
      throw e;
    });
    return this.info;
  }

  async health(): Promise<boolean> {
    const health: Request = { method: "GET", path: "/health", idempotent: true, anonymous: true, operation: "check Headscale health" };
    return (await this.transport.send(health)).status === 200;
  }

  // ---- users --------------------------------------------------------------------------------------

  async listUsers(filter: { id?: string; name?: string; email?: string } = {}): Promise<User[]> {
    const body = await this.call(
      { method: "GET", path: "/api/v1/user", query: filter, idempotent: true, operation: "list users" },
      z.object({ users: z.array(UserSchema).default([]) }),
    );
    return body.users;
  }

  async createUser(input: CreateUserInput): Promise<User> {
    const op = `create user "${input.name}"`;
    reject(op, "name", checkUserName(input.name));
    const body = await this.call(
      { method: "POST", path: "/api/v1/user", body: compact({ ...input }), idempotent: false, operation: op },
      z.object({ user: UserSchema }),
    );
    return body.user;
  }

  async renameUser(id: string, newName: string): Promise<User> {
    const op = `rename user ${id} to "${newName}"`;
    reject(op, "name", checkUserName(newName));
    const body = await this.call(
      { method: "POST", path: `/api/v1/user/${seg(id)}/rename/${seg(newName)}`, idempotent: false, operation: op },
      z.object({ user: UserSchema }),
    );
    return body.user;
  }

  async deleteUser(id: string): Promise<void> {
    await this.call({ method: "DELETE", path: `/api/v1/user/${seg(id)}`, idempotent: false, operation: `delete user ${id}` }, z.unknown());
  }

  // ---- pre-auth keys ------------------------------------------------------------------------------

  async createPreAuthKey(input: CreatePreAuthKeyInput): Promise<PreAuthKey> {
    const op = input.userId ? `create pre-auth key for user ${input.userId}` : `create pre-auth key for ${input.aclTags.join(", ") || "no owner"}`;
    for (const t of input.aclTags) reject(op, "aclTags", checkTag(t));
    if (!input.userId) {
      const { caps, version } = await this.server();
      if (!caps.tagOnlyKeys) reject(op, "user", `Headscale ${version} needs an owning user for every key (tag-only keys need 0.28+)`);
      if (input.aclTags.length === 0) reject(op, "user", "a key needs an owning user, tags, or both");
    }
    if (Number.isNaN(input.expiration.getTime())) reject(op, "expiration", "not a valid time");
    const body = await this.call(
      {
        method: "POST",
        path: "/api/v1/preauthkey",
        body: {
          ...(input.userId ? { user: input.userId } : {}),
          reusable: input.reusable,
          ephemeral: input.ephemeral,
          expiration: input.expiration.toISOString(),
          aclTags: input.aclTags,
        },
        idempotent: false,
        operation: op,
      },
      z.object({ preAuthKey: PreAuthKeySchema }),
    );
    return body.preAuthKey;
  }

  /** All keys (0.28+), or one user's keys. On ≤0.27 a user is required by the server. */
  async listPreAuthKeys(userId?: string): Promise<PreAuthKey[]> {
    const { caps, version } = await this.server();
    if (!userId && !caps.keyIdOperations) {
      reject("list pre-auth keys", "user", `Headscale ${version} lists keys per user only`);
    }
    const body = await this.call(
      {
        method: "GET",
        path: "/api/v1/preauthkey",
        query: caps.keyIdOperations ? {} : { user: userId },
        idempotent: true,
        operation: "list pre-auth keys",
      },
      z.object({ preAuthKeys: z.array(PreAuthKeySchema).default([]) }),
    );
    return userId && caps.keyIdOperations ? body.preAuthKeys.filter((k) => k.user?.id === userId) : body.preAuthKeys;
  }

  async expirePreAuthKey(ref: PreAuthKeyRef): Promise<void> {
    const { caps } = await this.server();
    const op = `expire pre-auth key ${ref.id ?? ""}`.trim();
    let body: unknown;
    if (caps.keyIdOperations) {
      if (!ref.id) reject(op, "id", "the key id is needed");
      body = { id: ref.id };
    } else {
      if (!ref.userId || !ref.key) reject(op, "key", "Headscale before 0.28 expires a key by owner and full key, and one of them is missing");
      body = { user: ref.userId, key: ref.key };
    }
    await this.call({ method: "POST", path: "/api/v1/preauthkey/expire", body, idempotent: true, operation: op }, z.unknown());
  }

  async deletePreAuthKey(id: string): Promise<void> {
    const { caps, version } = await this.server();
    const op = `delete pre-auth key ${id}`;
    if (!caps.keyIdOperations)
      throw new HeadscaleError({
        kind: "unsupported",
        operation: op,
        hint: `Headscale ${version} cannot delete keys (0.28+); expire it instead`,
      });
    await this.call({ method: "DELETE", path: "/api/v1/preauthkey", query: { id }, idempotent: true, operation: op }, z.unknown());
  }

  // ---- API keys -----------------------------------------------------------------------------------

  /** Creates an admin API key; the full key is returned only here (the server keeps a hash). */
  async createApiKey(expiration: Date): Promise<string> {
    const op = "create API key";
    if (Number.isNaN(expiration.getTime())) reject(op, "expiration", "not a valid time");
    const body = await this.call(
      { method: "POST", path: "/api/v1/apikey", body: { expiration: expiration.toISOString() }, idempotent: false, operation: op },
      z.object({ apiKey: z.string().min(1) }),
    );
    return body.apiKey;
  }

  async listApiKeys(): Promise<ApiKey[]> {
    const body = await this.call(
      { method: "GET", path: "/api/v1/apikey", idempotent: true, operation: "list API keys" },
      z.object({ apiKeys: z.array(ApiKeySchema).default([]) }),
    );
    return body.apiKeys;
  }

  async expireApiKey(ref: ApiKeyRef): Promise<void> {
    const { caps } = await this.server();
    const body = caps.apiKeyIdOperations && ref.id ? { id: ref.id } : { prefix: ref.prefix };
    await this.call({ method: "POST", path: "/api/v1/apikey/expire", body, idempotent: true, operation: `expire API key ${ref.prefix}` }, z.unknown());
  }

  /** By prefix on every version: up to 0.29 the route has the prefix in its path, and id + prefix is refused. */
  async deleteApiKey(ref: ApiKeyRef): Promise<void> {
    await this.call({ method: "DELETE", path: `/api/v1/apikey/${seg(ref.prefix)}`, idempotent: true, operation: `delete API key ${ref.prefix}` }, z.unknown());
  }

  // ---- nodes --------------------------------------------------------------------------------------

  async listNodes(userName?: string): Promise<Node[]> {
    const body = await this.call(
      { method: "GET", path: "/api/v1/node", query: { user: userName }, idempotent: true, operation: "list nodes" },
      z.object({ nodes: z.array(NodeSchema).default([]) }),
    );
    return body.nodes;
  }

  async getNode(id: string): Promise<Node> {
    const body = await this.call(
      { method: "GET", path: `/api/v1/node/${seg(id)}`, idempotent: true, operation: `get node ${id}` },
      z.object({ node: NodeSchema }),
    );
    return body.node;
  }

  async setNodeTags(id: string, tags: string[]): Promise<Node> {
    const op = `set tags of node ${id}`;
    for (const t of tags) reject(op, "tags", checkTag(t));
    const { caps } = await this.server();
    if (tags.length === 0 && caps.tagsAsIdentity) reject(op, "tags", "Headscale 0.28+ cannot remove all tags from a node");
    const body = await this.call(
      { method: "POST", path: `/api/v1/node/${seg(id)}/tags`, body: { tags }, idempotent: true, operation: op },
      z.object({ node: NodeSchema }),
    );
    return body.node;
  }

  async approveRoutes(id: string, routes: string[]): Promise<Node> {
    const body = await this.call(
      {
        method: "POST",
        path: `/api/v1/node/${seg(id)}/approve_routes`,
        body: { routes },
        idempotent: true,
        operation: `approve routes of node ${id}`,
      },
      z.object({ node: NodeSchema }),
    );
    return body.node;
  }

  async renameNode(id: string, newName: string): Promise<Node> {
    const op = `rename node ${id} to "${newName}"`;
    reject(op, "givenName", checkNodeName(newName));
    const body = await this.call(
      { method: "POST", path: `/api/v1/node/${seg(id)}/rename/${seg(newName)}`, idempotent: true, operation: op },
      z.object({ node: NodeSchema }),
    );
    return body.node;
  }

  /** Sets when a node's key expires: a time (0.27.1+) or never (0.29+). */
  async setNodeExpiry(id: string, expiry: NodeExpiry): Promise<Node> {
    const { caps, version } = await this.server();
    const op = `set key expiry of node ${id}`;
    if (expiry === "never" && !caps.nodeExpiryNever)
      throw new HeadscaleError({
        kind: "unsupported",
        operation: op,
        hint: `Headscale ${version} cannot disable a node's key expiry (0.29+): give a time`,
      });
    if (expiry !== "never" && !caps.nodeExpiryAt)
      throw new HeadscaleError({
        kind: "unsupported",
        operation: op,
        hint: `Headscale ${version} can only expire a node now (a chosen time needs 0.27.1+)`,
      });
    if (expiry !== "never" && Number.isNaN(expiry.getTime())) reject(op, "expiry", "not a valid time");
    // Up to 0.29 the expiry travels as query parameters (the gateway maps no body for this call); the Huma
    // API (main, 0.30) reads a JSON body. Each ignores the other form and expires the node now, silently.
    const options = expiry === "never" ? { disableExpiry: true } : { expiry: expiry.toISOString() };
    const form = caps.expireNodeJsonBody ? { body: options } : { query: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, String(v)])) };
    const body = await this.call(
      { method: "POST", path: `/api/v1/node/${seg(id)}/expire`, ...form, idempotent: true, operation: op },
      z.object({ node: NodeSchema }),
    );
    return body.node;
  }

  async deleteNode(id: string): Promise<void> {
    await this.call({ method: "DELETE", path: `/api/v1/node/${seg(id)}`, idempotent: false, operation: `delete node ${id}` }, z.unknown());
  }

  /** Test support: a pending registration (no real client) that registerNode then completes. */
  async debugCreateNode(userName: string, name: string, routes: string[] = []): Promise<string> {
    const { caps } = await this.server();
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const random = Array.from({ length: caps.registrationIdRandomLength }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
    const key = caps.registrationIdPrefix + random;
    await this.call(
      {
        method: "POST",
        path: "/api/v1/debug/node",
        body: { user: userName, key, name, routes },
        idempotent: false,
        operation: `create debug node "${name}"`,
      },
      z.unknown(),
    );
    return key;
  }

  async registerNode(userName: string, registrationKey: string): Promise<Node> {
    const body = await this.call(
      {
        method: "POST",
        path: "/api/v1/node/register",
        query: { user: userName, key: registrationKey },
        idempotent: false,
        operation: `register node for user "${userName}"`,
      },
      z.object({ node: NodeSchema }),
    );
    return body.node;
  }

  // ---- policy -------------------------------------------------------------------------------------

  async getPolicy(): Promise<PolicyDocument> {
    try {
      const body = await this.call({ method: "GET", path: "/api/v1/policy", idempotent: true, operation: "read policy" }, PolicyResponseSchema);
      return { text: body.policy, ...(body.updatedAt ? { updatedAt: body.updatedAt } : {}), mode: body.updatedAt ? "database" : "file" };
    } catch (e) {
      // A file-mode server whose file cannot be read says so; it is still a file-mode server.
      if (e instanceof HeadscaleError && /reading policy from/i.test(e.serverMessage ?? "")) return { text: "", mode: "file" };
      // A database-mode server that never had a policy says "acl policy not found": that is an empty policy.
      if (isNotFound(e)) return { text: "", mode: "database" };
      throw e;
    }
  }

  async setPolicy(text: string): Promise<Omit<PolicyDocument, "mode">> {
    const body = await this.call(
      { method: "PUT", path: "/api/v1/policy", body: { policy: text }, idempotent: true, operation: "set policy" },
      PolicyResponseSchema,
    );
    return { text: body.policy || text, ...(body.updatedAt ? { updatedAt: body.updatedAt } : {}) };
  }

  /**
   * Whether the policy can be written through the API (policy.mode: database). Read-only: the mode shows in
   * how the server answers a read (see PolicyDocument.mode), so finding out never attempts a write.
   */
  async policyWritable(): Promise<boolean> {
    return (await this.getPolicy()).mode === "database";
  }

  /** Server-side validation without applying (0.29+). Throws invalid_argument with the server's reason. */
  async checkPolicy(text: string): Promise<void> {
    const { caps, version } = await this.server();
    if (!caps.policyCheck)
      throw new HeadscaleError({
        kind: "unsupported",
        operation: "check policy",
        hint: `Headscale ${version} has no policy check endpoint (0.29+)`,
      });
    await this.call({ method: "POST", path: "/api/v1/policy/check", body: { policy: text }, idempotent: true, operation: "check policy" }, z.unknown());
  }

  // ---- plumbing -----------------------------------------------------------------------------------

  private async call<T extends z.ZodType>(req: Request, schema: T): Promise<z.infer<T>> {
    const res = await this.transport.send(req);
    if (res.status < 200 || res.status >= 300) throw mapError(res, req.operation, this.apiKey, !req.idempotent);
    const parsed = schema.safeParse(res.text ? withoutNulls(safeJson(res.text)) : {});
    if (!parsed.success) {
      throw new HeadscaleError({
        kind: "server",
        operation: req.operation,
        serverMessage: redact(`unexpected response: ${z.prettifyError(parsed.error)}`, this.apiKey),
        hint: "this Headscale version may not be supported yet; please report it",
      });
    }
    return parsed.data;
  }
}
