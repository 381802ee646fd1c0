// Headscale user. Tracked by id, so an out-of-band rename is drift that the next apply renames back.
// Headscale can rename a user but cannot update its display name, email or picture: those replace it.
import { z } from "zod";
import { checkUserName, HeadscaleError, isNotFound, ref, text, type Node, type User as ApiUser } from "../client/index.js";
import { defineResource, field, isUnknown, type Context, type Problem } from "./declaration.js";
import { createSurvivingLostAnswer } from "./lostAnswer.js";

const cannotUpdate = (what: string) => `Headscale cannot update a user's ${what}: the user is deleted and created again (its nodes and keys must go first)`;

const KEYS_WIPED =
  "Headscale 0.28 deletes every pre-auth key on the server (of all users) when it deletes a user (fixed in 0.29): keys managed here are re-created by the next refresh + apply; upgrade to 0.29 to avoid it";

const args = z.object({
  name: field(z.string(), { description: "User name (unique). Changing it renames the user in place." }),
  displayName: field(z.string().optional(), {
    description: "Display name. Headscale cannot change it: a change replaces the user.",
    forcesReplacement: true,
  }),
  email: field(z.string().optional(), {
    description: "Email address. Headscale cannot change it: a change replaces the user.",
    forcesReplacement: true,
  }),
  pictureUrl: field(z.string().optional(), {
    description: "Profile picture URL. Headscale cannot change it: a change replaces the user.",
    forcesReplacement: true,
  }),
  deleteNodesOnDestroy: field(z.boolean().optional(), {
    description:
      "When the user is destroyed or replaced, delete the nodes it still owns first (Headscale refuses to delete a user that owns nodes). Default false: the operation fails and names the nodes.",
  }),
  adoptExisting: field(z.boolean().optional(), {
    description: "If a user with this name already exists, manage it instead of failing (the way to adopt an existing user where the tool cannot import it).",
  }),
});

const state = args.extend({
  userId: field(z.string(), { description: "Headscale's numeric user id.", computed: true }),
  createdAt: field(z.string().optional(), { description: "Creation time (RFC 3339).", computed: true }),
});
type Args = z.infer<typeof args>;
type State = z.infer<typeof state>;

function toState(u: ApiUser, inputs: Pick<Args, "deleteNodesOnDestroy" | "adoptExisting">): State {
  return {
    name: u.name,
    ...(u.displayName ? { displayName: u.displayName } : {}),
    ...(u.email ? { email: u.email } : {}),
    ...(u.profilePicUrl ? { pictureUrl: u.profilePicUrl } : {}),
    ...(inputs.deleteNodesOnDestroy !== undefined ? { deleteNodesOnDestroy: inputs.deleteNodesOnDestroy } : {}),
    ...(inputs.adoptExisting !== undefined ? { adoptExisting: inputs.adoptExisting } : {}),
    userId: u.id,
    ...(u.createdAt ? { createdAt: u.createdAt } : {}),
  };
}

async function nodesOf(ctx: Context, userId: string): Promise<Node[]> {
  return (await ctx.lists.nodes()).filter((n) => n.user?.id === userId);
}

const nodeList = (nodes: Node[]) => nodes.map((n) => `${n.givenName || n.name} (id ${n.id})`).join(", ");

const ownsNodesText = (name: string, nodes: Node[]) =>
  text`user "${name}" still owns ${nodes.length} node(s): ${nodeList(nodes)}. Headscale cannot delete a user that owns nodes: delete or move them first, or set ${ref.field("deleteNodesOnDestroy")} to delete them`;

function ownsNodesError(operation: string, name: string, nodes: Node[]): HeadscaleError {
  return new HeadscaleError({ kind: "invalid_argument", operation, hint: ownsNodesText(name, nodes) });
}

export const User = defineResource({
  name: "User",
  description: "A Headscale user. Renames happen in place; display name, email and picture changes replace the user.",
  args,
  state,

  async check(ctx, a) {
    const problems: Problem[] = [];
    if (!isUnknown(a.name)) {
      const p = checkUserName(a.name);
      if (p)
        problems.push({
          field: "name",
          message: a.name.trim() === "" ? `${p}: give a name like "alice" (letters, digits, '-', '.', '_')` : p,
        });
    }
    if (typeof a.email === "string" && a.email !== "" && !/^[^@\s]+@[^@\s]+$/.test(a.email))
      problems.push({
        field: "email",
        message: `"${a.email}" is not an email address: write it like "alice@example.com", or leave email out`,
      });
    if (typeof a.pictureUrl === "string" && a.pictureUrl !== "" && !URL.canParse(a.pictureUrl))
      problems.push({
        field: "pictureUrl",
        message: `"${a.pictureUrl}" is not a URL: give a full URL like "https://example.com/alice.png", or leave pictureUrl out`,
      });
    return problems;
  },

  replaceOrder: "delete-first", // names are unique: the new user can only be created once the old one is gone

  async diff(ctx, _id, olds, news, derived) {
    const { replaces } = derived;
    if (replaces.length === 0) return derived;
    const reasons: Record<string, string> = Object.fromEntries(
      replaces.map((f) => [f, cannotUpdate(f === "pictureUrl" ? "picture" : f === "displayName" ? "display name" : f)]),
    );
    if ((await ctx.client.server()).caps.userDeleteRemovesAllKeys) reasons.userDelete = KEYS_WIPED;
    // A replacement deletes the user first: say now, not half-way through, if its nodes would stop it.
    if (news.deleteNodesOnDestroy !== true) {
      const owned = await nodesOf(ctx, olds.userId);
      if (owned.length > 0) throw ownsNodesError(`replace user "${olds.name}" (${replaces.join(", ")} changed)`, olds.name, owned);
    }
    return { ...derived, reasons };
  },

  async checkDelete(ctx, id, olds) {
    if (olds.deleteNodesOnDestroy) return [];
    const owned = await nodesOf(ctx, id);
    return owned.length > 0 ? [{ field: "deleteNodesOnDestroy", message: ownsNodesText(olds.name, owned) }] : [];
  },

  async create(ctx, a) {
    const existing = a.adoptExisting ? (await ctx.client.listUsers({ name: a.name }))[0] : undefined;
    if (existing) {
      ctx.log(`adopting existing user "${a.name}" (id ${existing.id})`);
      return { id: existing.id, state: toState(existing, a) };
    }
    const created = (u: ApiUser) => {
      ctx.lists.putUser(u);
      return { id: u.id, state: toState(u, a) };
    };
    try {
      return await createSurvivingLostAnswer(
        ctx,
        `user "${a.name}"`,
        async () =>
          created(
            await ctx.client.createUser({
              name: a.name,
              ...(a.displayName ? { displayName: a.displayName } : {}),
              ...(a.email ? { email: a.email } : {}),
              ...(a.pictureUrl ? { pictureUrl: a.pictureUrl } : {}),
            }),
          ),
        // Names are unique: a user of this name right after our lost create is the one it made.
        async () => (await ctx.client.listUsers({ name: a.name }))[0],
        async (u) => created(u),
      );
    } catch (e) {
      if (e instanceof HeadscaleError && e.kind === "conflict") {
        throw new HeadscaleError({
          kind: "conflict",
          operation: `create user "${a.name}"`,
          hint: text`a user with this name exists already: ${ref.adopt("User", { field: "adoptExisting" })} to manage it, or choose another name`,
        });
      }
      throw e;
    }
  },

  async read(ctx, id, olds) {
    const u = (await ctx.lists.users()).find((x) => x.id === id);
    return u ? { id, state: toState(u, olds) } : null;
  },

  async update(ctx, id, olds, news) {
    let u: ApiUser | undefined;
    if (news.name !== olds.name) {
      u = await ctx.client.renameUser(id, news.name);
      ctx.lists.putUser(u);
    }
    return {
      ...olds,
      ...(u ? { name: u.name } : {}),
      deleteNodesOnDestroy: news.deleteNodesOnDestroy,
      adoptExisting: news.adoptExisting,
    } as State;
  },

  async delete(ctx, id, olds) {
    const owned = await nodesOf(ctx, id);
    if (owned.length > 0) {
      if (!olds.deleteNodesOnDestroy) throw ownsNodesError(`delete user "${olds.name}"`, olds.name, owned);
      ctx.log(text`deleting the ${owned.length} node(s) user "${olds.name}" still owns (${ref.field("deleteNodesOnDestroy")}): ${nodeList(owned)}`);
      for (const n of owned)
        await ctx.client.deleteNode(n.id).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      ctx.lists.invalidate("nodes");
    }
    if ((await ctx.client.server()).caps.userDeleteRemovesAllKeys) ctx.log(KEYS_WIPED);
    try {
      await ctx.client.deleteUser(id);
    } catch (e) {
      if (!isNotFound(e)) throw e; // already gone is what we wanted
    }
    ctx.lists.invalidate("users");
  },

  async import(ctx, importId) {
    const users = await ctx.lists.users();
    const u = users.find((x) => x.id === importId) ?? users.find((x) => x.name === importId);
    if (!u)
      throw new HeadscaleError({
        kind: "not_found",
        operation: `import user "${importId}"`,
        hint: `no user has that id or name; existing users: ${users.map((x) => `${x.name} (${x.id})`).join(", ") || "none"}`,
      });
    return { id: u.id, state: toState(u, {}) };
  },
});
