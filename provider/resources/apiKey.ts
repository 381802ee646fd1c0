// An admin API key (for CI and automation). The secret is returned only when the key is created (the
// server keeps a hash): it is kept as a secret from then on. The key is tracked by its prefix, which every
// Headscale version can expire and delete by. Rotation (`rotateBefore`) creates the new key first.
// The key the provider itself runs with is never expired or deleted.
import { z } from "zod";
import { apiKeyPrefixOf, HeadscaleError, isNotFound, ref, text, type ApiKey as ListedKey } from "../client/index.js";
import { defineResource, field, isUnknown, type Context, type DiffResult } from "./declaration.js";
import { durationHelp, resolveTime } from "./duration.js";
import { durationProblems, expirationProblems, isPast, rotationDue } from "./expiry.js";

const args = z.object({
  expiration: field(z.string().optional(), {
    description: 'When the key expires: a duration from creation ("90d") or an RFC 3339 time. Default "90d". A change creates a new key.',
    forcesReplacement: true,
  }),
  rotateBefore: field(z.string().optional(), {
    description:
      'Replace the key on the next apply once less than this duration ("14d") is left before it expires; the new key is created before the old one is expired and deleted.',
  }),
});
const state = args.extend({
  key: field(z.string(), {
    description: "The secret API key (shown once by Headscale; kept encrypted/sensitive).",
    computed: true,
    secret: true,
  }),
  prefix: field(z.string(), { description: "Non-secret prefix identifying the key in `headscale apikeys list`.", computed: true }),
  keyId: field(z.string().optional(), { description: "Headscale's key id (known after the first refresh).", computed: true }),
  expiresAt: field(z.string(), { description: "Absolute expiry (RFC 3339).", computed: true }),
  createdAt: field(z.string().optional(), { description: "Creation time (RFC 3339).", computed: true }),
  lastSeen: field(z.string().optional(), { description: "Last time the key was used (RFC 3339), as of the last refresh.", computed: true }),
  expired: field(z.boolean(), { description: "The key has expired (or was expired).", computed: true }),
});
type State = z.infer<typeof state>;

const DEFAULT_EXPIRATION = "90d";

function ownKeyError(ctx: Context, operation: string, prefix: string): HeadscaleError | undefined {
  if (ctx.client.apiKeyPrefix !== prefix) return undefined;
  return new HeadscaleError({
    kind: "invalid_argument",
    operation,
    hint: text`this is the API key the provider is running with (prefix ${prefix}): configure another key first (${ref.setting("apiKey")}), then apply again`,
  });
}

function fromListing(olds: State, k: ListedKey): State {
  const expiresAt = k.expiration ?? olds.expiresAt;
  return {
    ...olds,
    keyId: k.id,
    expiresAt,
    ...(k.createdAt ? { createdAt: k.createdAt } : {}),
    ...(k.lastSeen ? { lastSeen: k.lastSeen } : {}),
    expired: isPast(expiresAt),
  };
}

export const ApiKey = defineResource({
  name: "ApiKey",
  description: "An admin API key with a lifetime. `key` is secret; `rotateBefore` replaces it ahead of expiry, new key first; destroy expires and deletes it.",
  args,
  state,

  async check(_ctx, a) {
    return [
      ...(isUnknown(a.expiration) ? [] : expirationProblems(a.expiration, "expiration")),
      ...(isUnknown(a.rotateBefore) ? [] : durationProblems(a.rotateBefore, "rotateBefore")),
    ];
  },

  async diff(ctx, _id, olds, news, derived) {
    const result: DiffResult = { ...derived, reasons: {} };
    const rotateBefore = isUnknown(news.rotateBefore) ? undefined : news.rotateBefore;
    if (result.replaces.length > 0) result.reasons!.expiration = "Headscale cannot change a key's expiry: a new key replaces it (created first)";
    else if (rotationDue(olds.expiresAt, rotateBefore)) {
      result.replaces.push("expiresAt");
      result.reasons!.expiresAt = text`expires ${olds.expiresAt}, within ${ref.field("rotateBefore")} (${rotateBefore}): a new key is created before the old one is removed`;
    } else if (olds.expired && rotateBefore !== undefined) {
      result.replaces.push("expired");
      result.reasons!.expired = text`the key has expired and ${ref.field("rotateBefore")} is set: a new key replaces it`;
    }
    if (result.replaces.length > 0) {
      const own = ownKeyError(ctx, "replace API key", olds.prefix);
      if (own) throw own;
    }
    return result;
  },

  async checkDelete(ctx, _id, olds) {
    const own = ownKeyError(ctx, "delete API key", olds.prefix);
    return own ? [{ field: "key", message: own.message }] : [];
  },

  async create(ctx, a) {
    const expiration = resolveTime(a.expiration ?? DEFAULT_EXPIRATION, new Date());
    if (!expiration) throw new HeadscaleError({ kind: "invalid_argument", operation: "create API key", hint: `expiration: ${durationHelp}` });
    const key = await ctx.client.createApiKey(expiration);
    ctx.lists.invalidate("apiKeys");
    const prefix = apiKeyPrefixOf(key);
    return { id: prefix, state: { ...a, key, prefix, expiresAt: expiration.toISOString(), expired: false } };
  },

  async read(ctx, id, olds) {
    const k = (await ctx.lists.apiKeys()).find((x) => x.prefix === (olds.prefix ?? id));
    // Keep the create-time secret: a listing never shows it.
    return k ? { id, state: fromListing(olds, k) } : null;
  },

  async update(_ctx, _id, olds, news) {
    return { ...olds, rotateBefore: news.rotateBefore };
  },

  async delete(ctx, _id, olds) {
    const own = ownKeyError(ctx, "delete API key", olds.prefix);
    if (own) throw own;
    const ref = { prefix: olds.prefix, ...(olds.keyId ? { id: olds.keyId } : {}) };
    const ignoreGone = (e: unknown) => {
      if (!isNotFound(e)) throw e;
    };
    // Expire first: the key stops working even if the delete fails.
    if (!olds.expired) await ctx.client.expireApiKey(ref).catch(ignoreGone);
    await ctx.client.deleteApiKey(ref).catch(ignoreGone);
    ctx.lists.invalidate("apiKeys");
  },
});
