// Response shapes, validated with zod. Headscale answers in protojson: zero values (false, "", [])
// are omitted, uint64 ids are strings, timestamps RFC 3339. Unknown fields are kept (newer servers).
import { z } from "zod";

const id = z.union([z.string(), z.number()]).transform(String);
const strings = z.array(z.string()).default([]);

export const UserSchema = z.looseObject({
  id,
  name: z.string().default(""),
  displayName: z.string().default(""),
  email: z.string().default(""),
  profilePicUrl: z.string().default(""),
  provider: z.string().default(""),
  providerId: z.string().default(""),
  createdAt: z.string().optional(),
});
export type User = z.infer<typeof UserSchema>;

export const PreAuthKeySchema = z.looseObject({
  id: id.optional(),
  key: z.string().default(""),
  user: UserSchema.optional()
    .nullable()
    .transform((u) => u ?? undefined),
  reusable: z.boolean().default(false),
  ephemeral: z.boolean().default(false),
  used: z.boolean().default(false),
  expiration: z.string().optional(),
  createdAt: z.string().optional(),
  aclTags: strings,
});
export type PreAuthKey = z.infer<typeof PreAuthKeySchema>;

const RawNodeSchema = z.looseObject({
  id,
  name: z.string().default(""),
  givenName: z.string().default(""),
  user: UserSchema.optional()
    .nullable()
    .transform((u) => u ?? undefined),
  ipAddresses: strings,
  online: z.boolean().default(false),
  lastSeen: z.string().optional(),
  expiry: z.string().optional(),
  createdAt: z.string().optional(),
  // 0.28+: one tag list; ≤0.27: forced (set through the API) and valid (granted by the policy).
  tags: z.array(z.string()).optional(),
  forcedTags: strings,
  validTags: strings,
  invalidTags: strings,
  approvedRoutes: strings,
  availableRoutes: strings,
  subnetRoutes: strings,
});

/** A node with one `tags` list whatever the server version. */
export const NodeSchema = RawNodeSchema.transform((n) => {
  const tags = n.tags ?? [...new Set([...n.forcedTags, ...n.validTags])];
  return { ...n, tags: [...tags].sort() };
});
export type Node = z.infer<typeof NodeSchema>;

/**
 * An admin API key as listed (never the secret). 0.28+ list the prefix masked, `hskey-api-<prefix>-***`
 * (or `<prefix>***` for a key from before 0.28): normalised to the bare prefix every version expires by.
 */
export const ApiKeySchema = z.looseObject({
  id,
  prefix: z
    .string()
    .default("")
    .transform((p) => (p.startsWith("hskey-api-") ? p.slice("hskey-api-".length).replace(/-\*+$/, "") : p.replace(/\*+$/, ""))),
  expiration: z.string().optional(),
  createdAt: z.string().optional(),
  lastSeen: z.string().optional(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;

/** What identifies an API key for expire/delete: the id (0.28+) or the prefix (every version). */
export interface ApiKeyRef {
  id?: string;
  prefix: string;
}

/** A node's key expiry: a time, or "never" (0.29+). */
export type NodeExpiry = Date | "never";

export const PolicyResponseSchema = z.looseObject({
  policy: z.string().default(""),
  updatedAt: z.string().optional(),
});
export interface PolicyDocument {
  /** The policy text exactly as stored (HuJSON, comments kept); "" when none is set. */
  text: string;
  updatedAt?: string;
  /**
   * Where the server keeps its policy, as the read shows it: "database" (writable through the API) answers
   * with a stored time or "not found"; "file" (read-only) answers with the file's text and no time.
   */
  mode: "database" | "file";
}

export const VersionResponseSchema = z.looseObject({ version: z.string() });

export const ErrorBodySchema = z.looseObject({
  code: z.number().optional(),
  message: z.string().optional(),
  // RFC 7807 problem+json (Huma API, 0.30+): `detail` says what was being done, `errors[].message` why.
  title: z.string().optional(),
  detail: z.string().optional(),
  status: z.number().optional(),
  errors: z
    .array(z.looseObject({ message: z.string().optional() }))
    .optional()
    .catch(undefined),
});

export interface CreateUserInput {
  name: string;
  displayName?: string;
  email?: string;
  pictureUrl?: string;
}

export interface CreatePreAuthKeyInput {
  /** Owning user id; omit for a tag-only key (0.28+). */
  userId?: string;
  reusable: boolean;
  ephemeral: boolean;
  expiration: Date;
  aclTags: string[];
}

/** What identifies a key for expire/delete: 0.28+ uses the id; ≤0.27 needs the owner and the full key. */
export interface PreAuthKeyRef {
  id?: string;
  userId?: string;
  key?: string;
}
