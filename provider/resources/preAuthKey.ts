// Pre-auth key. Every property of a key is fixed at creation, so every key input replaces it. The secret
// is returned only by create (0.28+ store a hash): it is kept from then on and never overwritten by the
// masked value a list returns. Rotation (`rotateBefore`) replaces a key ahead of its expiry, new first.
import { z } from "zod";
import { HeadscaleError, isNotFound, ref, text, type PreAuthKey as ApiKey } from "../client/index.js";
import { defineResource, field, isUnknown, type Context, type DiffResult, type Problem } from "./declaration.js";
import { derivedDiff } from "./diffing.js";
import { durationHelp, parseDuration, resolveTime } from "./duration.js";
import { checkTagsDefined, findUser, tagProblems } from "./lookups.js";
import { createSurvivingLostAnswer, SEND_AGAIN } from "./lostAnswer.js";

const args = z.object({
  user: field(z.string().optional(), {
    description: text`Owning user, by name or numeric id (for a user created in the same run, ${ref.createdInRun("User", "userId")}). Omit for a tag-only key (Headscale 0.28+).`,
    forcesReplacement: true,
  }),
  tags: field(z.array(z.string()).optional(), {
    description: "ACL tags that nodes joining with this key get (a set; each must be defined in the policy's tagOwners).",
    forcesReplacement: true,
    set: true,
  }),
  reusable: field(z.boolean().optional(), {
    description: "The key can register more than one node. Default false.",
    forcesReplacement: true,
  }),
  ephemeral: field(z.boolean().optional(), {
    description: "Nodes registered with the key are removed when they go offline. Default false.",
    forcesReplacement: true,
  }),
  expiration: field(z.string().optional(), {
    description: 'When the key expires: a duration from creation ("1h", "90d") or an RFC 3339 time. Default "1h".',
    forcesReplacement: true,
  }),
  rotateBefore: field(z.string().optional(), {
    description:
      'Replace the key on the next apply once less than this duration ("7d") is left before it expires; the new key is created before the old one is removed.',
  }),
  recreateIfInvalid: field(z.boolean().optional(), {
    description:
      "Replace the key on the next apply when it has expired, or when a single-use key has been used. Default false: a used key stays as it is (no cascading replacements).",
  }),
  policy: field(z.string().optional(), {
    description:
      "Policy text whose tagOwners must define the tags (pass a Policy resource's `policy` output to check against a policy planned in the same run). Default: the live policy.",
    checkOnly: true,
  }),
  expired: field(z.boolean().optional(), {
    description:
      "Set true to expire the key in place (as `headscale preauthkeys expire` does): it stays listed, expired, until the resource is removed. Left out: reports whether the key has expired.",
    defaulted: true,
  }),
});

const state = args.extend({
  key: field(z.string(), { description: "The secret auth key.", computed: true, secret: true }),
  keyId: field(z.string().optional(), { description: "Headscale's key id (0.28+).", computed: true }),
  prefix: field(z.string(), { description: "Non-secret prefix identifying the key in listings.", computed: true }),
  userId: field(z.string().optional(), { description: "Numeric id of the owning user.", computed: true }),
  expiresAt: field(z.string(), { description: "Absolute expiry (RFC 3339).", computed: true }),
  used: field(z.boolean(), { description: "A node has registered with the key.", computed: true }),
});
type Args = z.infer<typeof args>;
type State = z.infer<typeof state>;

const DEFAULT_EXPIRATION = "1h";

/**
 * hskey-auth-<prefix>-<secret> (0.28+; also a list's masked hskey-auth-<prefix>-***) → hskey-auth-<prefix>;
 * older plain keys → first 8 characters. The prefix has a fixed length of 12 and may itself contain '-'.
 */
export function prefixOf(key: string): string {
  return key.startsWith("hskey-auth-") ? key.slice(0, "hskey-auth-".length + 12) : key.slice(0, 8);
}

function isExpired(expiresAt: string | undefined, now = Date.now()): boolean {
  return expiresAt !== undefined && new Date(expiresAt).getTime() <= now;
}

/** The key the server lists for this state: by id (0.28+), else by the full key (older servers list it in full). */
function findKey(keys: ApiKey[], s: Pick<State, "keyId" | "key">): ApiKey | undefined {
  return s.keyId ? keys.find((k) => k.id === s.keyId) : keys.find((k) => k.key === s.key);
}

/** What the server needs to expire a key: its id (0.28+), or its owner and full key (older). */
const keyRef = (s: State) => ({ ...(s.keyId ? { id: s.keyId } : {}), ...(s.userId ? { userId: s.userId } : {}), key: s.key });

function rotationDue(s: State, rotateBefore: string | undefined): boolean {
  const ms = rotateBefore ? parseDuration(rotateBefore) : undefined;
  return ms !== undefined && new Date(s.expiresAt).getTime() - Date.now() < ms;
}

export const PreAuthKey = defineResource({
  name: "PreAuthKey",
  description: "A pre-auth key for registering nodes, owned by a user and/or tags. Every key property replaces the key; `key` is secret.",
  args,
  state,

  async check(ctx, a, olds) {
    const problems: Problem[] = [];
    if (a.expired === true && !olds)
      problems.push({
        field: "expired",
        message: "a new key cannot be created expired: leave expired out, and set it to true once the key should stop working",
      });
    const tags = isUnknown(a.tags) ? undefined : (a.tags ?? []);
    if (tags) problems.push(...tagProblems(tags, "tags"));
    if (a.user === undefined && tags && tags.length === 0)
      problems.push({ field: "user", message: "a key needs an owning user, tags, or both: set user, or tags for a tag-only key" });
    // An existing key whose properties do not change is not checked again: its expiration may be a time
    // that has passed since, and the policy may have moved on; the key is what it was created as.
    const unchanged = olds !== undefined && derivedDiff(args, olds, a, undefined).replaces.length === 0;
    if (unchanged) return problems;
    if (!isUnknown(a.expiration) && a.expiration !== undefined) {
      const at = resolveTime(a.expiration, new Date());
      if (!at) problems.push({ field: "expiration", message: `"${a.expiration}" is not a duration or a time: ${durationHelp}` });
      else if (at.getTime() <= Date.now())
        problems.push({ field: "expiration", message: `"${a.expiration}" is in the past: give a future time or a duration like "1h"` });
    }
    if (typeof a.rotateBefore === "string" && parseDuration(a.rotateBefore) === undefined)
      problems.push({ field: "rotateBefore", message: `"${a.rotateBefore}" is not a duration: ${durationHelp}` });
    if (problems.some((p) => p.severity !== "warning")) return problems;

    if (a.user === undefined && tags) {
      const { caps, version } = await ctx.client.server();
      if (!caps.tagOnlyKeys)
        problems.push({
          field: "user",
          message: `Headscale ${version} needs an owning user for every key (tag-only keys need 0.28+): set user`,
        });
    }
    if (typeof a.user === "string") {
      const found = await findUser(ctx, a.user);
      // A user created in the same run is referenced by its id output, which is not known yet (so this
      // check is skipped); a name that is already known must exist now.
      if (!found)
        problems.push({
          field: "user",
          message: text`user "${a.user}" does not exist on the server: fix the spelling, or, if a User resource creates it in this run, ${ref.createdInRun("User", "userId")}`,
        });
    }
    if (tags && tags.length > 0 && !isUnknown(a.policy)) problems.push(...(await checkTagsDefined(ctx, tags, "tags", a.policy)));
    return problems;
  },

  async diff(_ctx, _id, olds, news, derived) {
    if (news.expired === false && olds.expired && !derived.replaces.length && news.recreateIfInvalid !== true) {
      throw new HeadscaleError({
        kind: "invalid_argument",
        operation: `update pre-auth key ${olds.prefix}`,
        hint: text`expired: the key has expired and cannot be made valid again: remove \`${ref.field("expired")}\`, or set ${ref.field("recreateIfInvalid")} to replace it with a new key`,
      });
    }
    const result: DiffResult = { ...derived, reasons: {} };
    // Expiring in place moves the expiry time (Terraform must plan it as unknown, or apply is "inconsistent").
    if (derived.updates.includes("expired")) result.updates = [...derived.updates, "expiresAt"];
    for (const f of derived.replaces) result.reasons![f] = "a key's properties are fixed when it is created: a new key replaces it";
    if (derived.replaces.length > 0) return result;
    const rotateBefore = isUnknown(news.rotateBefore) ? undefined : news.rotateBefore;
    // A key expired on purpose stays as it is: no rotation, no re-creation.
    if (news.expired === true || isUnknown(news.expired)) return result;
    if (rotationDue(olds, rotateBefore)) {
      result.replaces.push("expiresAt");
      result.reasons!.expiresAt = text`expires ${olds.expiresAt}, within ${ref.field("rotateBefore")} (${rotateBefore}): a new key is created before the old one is removed`;
    } else if (news.recreateIfInvalid === true && (olds.expired || (olds.used && !olds.reusable))) {
      const why = olds.expired ? "expired" : "used";
      result.replaces.push(why);
      result.reasons![why] = text`the key is ${why} and ${ref.field("recreateIfInvalid")} is set`;
    }
    return result;
  },

  async create(ctx, a) {
    const now = new Date();
    const expiration = resolveTime(a.expiration ?? DEFAULT_EXPIRATION, now);
    const op = "create pre-auth key";
    if (!expiration) throw new HeadscaleError({ kind: "invalid_argument", operation: op, hint: `expiration: ${durationHelp}` });
    const tags = a.tags ?? [];
    let userId: string | undefined;
    if (a.user !== undefined) {
      // An id goes straight to the server (which says if it is unknown); a name is looked up, in the
      // shared list first and, if it is not there (a user created moments ago), in a fresh one.
      const u = /^\d+$/.test(a.user) ? { id: a.user } : ((await findUser(ctx, a.user)) ?? (await findUser(ctx, a.user, { fresh: true })));
      if (!u) throw new HeadscaleError({ kind: "not_found", operation: op, hint: `user "${a.user}" does not exist` });
      userId = u.id;
    }
    // Headscale accepts tags its policy does not define; nodes would then join untagged. Refuse instead.
    if (tags.length > 0) {
      const missing = await checkTagsDefined(ctx, tags, "tags", a.policy, { fresh: true });
      // The problems are Text (they name fields): joined as Text, so each frontend still spells the names.
      if (missing.length > 0)
        throw new HeadscaleError({ kind: "invalid_argument", operation: op, hint: missing.map((p) => p.message).reduce((all, m) => text`${all}; ${m}`) });
    }
    const request = {
      ...(userId ? { userId } : {}),
      reusable: a.reusable ?? false,
      ephemeral: a.ephemeral ?? false,
      expiration,
      aclTags: tags,
    };
    const send = () => ctx.client.createPreAuthKey(request);
    const k = await createSurvivingLostAnswer(
      ctx,
      "the key",
      send,
      () => findCreatedKey(ctx, request),
      async (found) => {
        // Before 0.28 a listing shows the whole key: it can be taken. 0.28+ show it masked, and a key nobody
        // holds the secret of is useless: delete it (it is ours: same owner, flags, tags and expiry to the
        // millisecond) and create the key again.
        if (!found.key.includes("*")) return found;
        if (found.id) await ctx.client.deletePreAuthKey(found.id);
        return SEND_AGAIN;
      },
    );
    ctx.lists.invalidate("preAuthKeys");
    const s: State = {
      ...a,
      key: k.key,
      ...(k.id ? { keyId: k.id } : {}),
      prefix: prefixOf(k.key),
      ...(userId ? { userId } : {}),
      expiresAt: k.expiration ?? expiration.toISOString(),
      used: k.used,
      expired: false,
    };
    return { id: k.id ?? prefixOf(k.key), state: s };
  },

  async read(ctx, id, olds) {
    const k = findKey(await ctx.lists.preAuthKeys(), olds);
    if (!k) return null;
    const expiresAt = k.expiration ?? olds.expiresAt;
    // Keep the create-time secret: a list shows at most a masked key.
    return {
      id,
      state: {
        ...olds,
        used: k.used,
        expiresAt,
        expired: isExpired(expiresAt),
        tags: olds.tags === undefined && k.aclTags.length === 0 ? undefined : sortLike(k.aclTags, olds.tags),
      },
    };
  },

  async update(ctx, _id, olds, news) {
    // Only settings reach here (the diff replaces the key for everything else), and a declared expiry.
    const settings = { rotateBefore: news.rotateBefore, recreateIfInvalid: news.recreateIfInvalid, policy: news.policy };
    if (news.expired === true && !olds.expired) {
      await ctx.client.expirePreAuthKey(keyRef(olds));
      ctx.lists.invalidate("preAuthKeys");
      return { ...olds, ...settings, expired: true, expiresAt: new Date().toISOString() };
    }
    return { ...olds, ...settings };
  },

  async delete(ctx, _id, olds) {
    const { caps } = await ctx.client.server();
    const ignoreGone = (e: unknown) => {
      if (!isNotFound(e)) throw e;
    };
    // One write: 0.28+ delete a key outright (a deleted key cannot register anything, so expiring it first
    // would only double the calls); before 0.28 keys cannot be deleted, only expired.
    if (caps.keyIdOperations && olds.keyId) await ctx.client.deletePreAuthKey(olds.keyId).catch(ignoreGone);
    else {
      if (!olds.expired) await ctx.client.expirePreAuthKey(keyRef(olds)).catch(ignoreGone);
      ctx.log(`pre-auth key ${olds.prefix} expired (Headscale before 0.28 cannot delete keys)`);
    }
    ctx.lists.invalidate("preAuthKeys");
  },
});

/** The key a create with exactly these properties made: the expiry, sent to the millisecond, tells it apart. */
async function findCreatedKey(
  ctx: Context,
  req: { userId?: string; reusable: boolean; ephemeral: boolean; expiration: Date; aclTags: string[] },
): Promise<ApiKey | undefined> {
  const { caps } = await ctx.client.server();
  const keys = await ctx.client.listPreAuthKeys(caps.keyIdOperations ? undefined : req.userId);
  const sameTags = (t: string[]) => t.length === req.aclTags.length && req.aclTags.every((x) => t.includes(x));
  return keys.find(
    (k) =>
      k.user?.id === req.userId &&
      k.reusable === req.reusable &&
      k.ephemeral === req.ephemeral &&
      sameTags(k.aclTags) &&
      k.expiration !== undefined &&
      Math.abs(new Date(k.expiration).getTime() - req.expiration.getTime()) < 1,
  );
}

/** The server's tags in the order the user wrote them (tags are a set; keep diffs quiet). */
function sortLike(server: string[], mine: string[] | undefined): string[] {
  if (!mine) return [...server].sort();
  const same = server.length === mine.length && mine.every((t) => server.includes(t));
  return same ? mine : [...server].sort();
}

export type { Context };
