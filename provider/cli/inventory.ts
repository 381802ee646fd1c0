// What `import` reads from a live server, as project objects every output format renders the same way.
// Each resource kind is one entry in `kinds`: its declaration, how to find the live objects (through
// the declaration's own import/read and the run's shared lists: one list call per kind), and how a Pulumi
// program adopts it. Adding a kind (e.g. approved routes) is one entry here; the renderers are generic.
import {
  isNotFound,
  NodeTags,
  Policy,
  PreAuthKey,
  User,
  type Context,
  type ResourceDeclaration,
  type ServerNode as Node,
  type ServerPreAuthKey as ApiKey,
} from "../resources/index.js";
import { prefixOf } from "../resources/preAuthKey.js";
import { POLICY_ID } from "../resources/policy.js";

export interface LiveObject {
  /** Readable base for the resource name (a user's name, a node's name). */
  baseName: string;
  /** The id a Terraform `import` block adopts it by. */
  importId: string;
  /** The declaration's state as read from the server. */
  state: Record<string, unknown>;
  /** Base names of other objects this one is written after (e.g. users the policy names). */
  after?: (all: ProjectObject[]) => ProjectObject[];
  /** A short line shown above the resource. */
  comment?: string;
}

export interface ResourceKind {
  declaration: ResourceDeclaration;
  /** Suffix of the resource name, so a node and a user of the same name do not collide. */
  nameSuffix?: string;
  read(ctx: Context): Promise<LiveObject[]>;
  /** Inputs a Pulumi program adds so its first `up` adopts the live object instead of creating one (Pulumi's dynamic resources cannot be imported). */
  pulumiAdoption: Record<string, unknown>;
}

export interface ProjectObject {
  kind: ResourceKind;
  /** Resource name, unique in the project, a valid identifier in every format (`alice`, `web1_tags`). */
  name: string;
  importId: string;
  /** Declaration inputs (camelCase) that reproduce the live object. */
  args: Record<string, unknown>;
  after: ProjectObject[];
  comment?: string;
}

export interface KeyNote {
  prefix: string;
  owner?: ProjectObject;
  ownerName?: string;
  tags: string[];
  reusable: boolean;
  ephemeral: boolean;
  used: boolean;
  expiresAt?: string;
}

export interface Inventory {
  server: { url: string; version: string };
  objects: ProjectObject[];
  /** Live, unexpired keys (listed as comments: they cannot be adopted). */
  keys: KeyNote[];
  expiredKeys: number;
  /** What the server has that this version cannot bring into code (said in the project and the summary). */
  notImported: string[];
}

const userKind: ResourceKind = {
  declaration: User,
  async read(ctx) {
    const users = await ctx.lists.users();
    return Promise.all(
      users.map(async (u) => {
        const { id, state } = await User.import!(ctx, u.id);
        return { baseName: u.name, importId: id, state, ...(u.provider ? { comment: `signs in through ${u.provider}` } : {}) };
      }),
    );
  },
  pulumiAdoption: { adoptExisting: true },
};

const policyKind: ResourceKind = {
  declaration: Policy,
  async read(ctx) {
    try {
      const { id, state } = await Policy.import!(ctx, POLICY_ID);
      const text = state.policy ?? "";
      // Written after the users it names (a from-scratch run must create them first).
      const named = (user: string) => text.includes(`"${user}@"`) || (user.includes("@") && text.includes(`"${user}"`));
      const after = (all: ProjectObject[]) => all.filter((o) => o.kind === userKind && named(String(o.args.name)));
      return [{ baseName: "policy", importId: id, state, after }];
    } catch (e) {
      if (isNotFound(e)) return []; // no policy set
      throw e;
    }
  },
  pulumiAdoption: { overwrite: true },
};

const nodeTagsKind: ResourceKind = {
  declaration: NodeTags,
  nameSuffix: "_tags",
  async read(ctx) {
    const tagged = (await ctx.lists.nodes()).filter((n) => n.tags.length > 0);
    return Promise.all(
      tagged.map(async (n) => {
        // read() resolves through the shared node list (one call for all nodes) and returns the live tags.
        const r = await NodeTags.read(ctx, n.id, { nodeId: n.id, tags: [], resolvedNodeId: n.id, givenName: n.givenName });
        if (!r) throw new Error(`node ${n.id} disappeared while reading`);
        const { resolvedNodeId: _r, givenName: _g, ...state } = r.state;
        return {
          baseName: n.givenName || n.name,
          importId: n.id,
          state,
          comment: `node ${n.givenName || n.name} (id ${n.id})`,
          after: (all: ProjectObject[]) => all.filter((o) => o.kind === policyKind),
        };
      }),
    );
  },
  pulumiAdoption: {},
};

/** Every kind import brings into code, in the order they are written. */
export const kinds: ResourceKind[] = [userKind, policyKind, nodeTagsKind];

/** Reads the whole server: one list call per object kind. */
export async function readInventory(ctx: Context, progress: (m: string) => void): Promise<Inventory> {
  const { version } = await ctx.client.server();
  progress(`connected to Headscale ${version} at ${ctx.client.url}`);
  const taken = new Set<string>();
  const objects: ProjectObject[] = [];
  const pending: Array<{ object: ProjectObject; after?: LiveObject["after"] }> = [];
  for (const kind of kinds) {
    const live = await kind.read(ctx);
    progress(`read ${live.length} ${kind.declaration.name} object(s)`);
    for (const l of live) {
      const object: ProjectObject = {
        kind,
        name: uniqueName(identifier(l.baseName) + (kind.nameSuffix ?? ""), taken),
        importId: l.importId,
        args: inputsOf(kind.declaration, l.state),
        after: [],
        ...(l.comment ? { comment: l.comment } : {}),
      };
      objects.push(object);
      pending.push({ object, after: l.after });
    }
  }
  for (const p of pending) p.object.after = p.after?.(objects) ?? [];

  const users = objects.filter((o) => o.kind === userKind);
  const allKeys: ApiKey[] = await ctx.lists.preAuthKeys();
  const now = Date.now();
  const live = allKeys.filter((k) => !(k.expiration && new Date(k.expiration).getTime() <= now));
  progress(`read ${allKeys.length} pre-auth key(s), ${live.length} unexpired`);
  const keys: KeyNote[] = live.map((k) => {
    const owner = k.user ? users.find((u) => u.importId === k.user!.id) : undefined;
    return {
      prefix: prefixOf(k.key),
      ...(owner ? { owner } : {}),
      ...(k.user ? { ownerName: k.user.name } : {}),
      tags: k.aclTags,
      reusable: k.reusable,
      ephemeral: k.ephemeral,
      used: k.used,
      ...(k.expiration ? { expiresAt: k.expiration } : {}),
    };
  });

  const nodes: Node[] = await ctx.lists.nodes();
  const notImported = nodes
    .filter((n) => n.approvedRoutes.length > 0)
    .map(
      (n) =>
        `approved routes of node ${n.givenName || n.name} (id ${n.id}): ${n.approvedRoutes.join(", ")} (no resource for routes in this version; approve them with \`headscale nodes approve-routes\`)`,
    );
  return {
    server: { url: ctx.client.url.replace(/\/$/, ""), version },
    objects,
    keys,
    expiredKeys: allKeys.length - live.length,
    notImported,
  };
}

/** The declaration's inputs (not its computed outputs) that the state sets. */
function inputsOf(decl: ResourceDeclaration, state: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(decl.args.shape)
      .filter((k) => state[k] !== undefined)
      .map((k) => [k, state[k]]),
  );
}

const reserved = new Set(
  "abstract await boolean break byte case catch char class const continue debugger default delete do double else enum export extends false final finally float for function goto if implements import in instanceof int interface let long module native new null package private protected public return short static super switch synchronized this throw throws transient true try typeof var void volatile while with yield data locals output provider resource terraform variable count each self path app stack program headscale pulumi users".split(
    " ",
  ),
);

/** A name valid as a TypeScript identifier and a Terraform resource name: `alice.smith` → `alice_smith`. */
export function identifier(name: string): string {
  let id = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (id === "") id = "object";
  if (/^[0-9]/.test(id)) id = `n${id}`;
  if (reserved.has(id)) id = `${id}_`;
  return id;
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

export const isUserKind = (k: ResourceKind) => k === userKind;
export const isPolicyKind = (k: ResourceKind) => k === policyKind;
export { PreAuthKey };
