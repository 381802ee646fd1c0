// Terraform spells names in snake_case; declarations use camelCase fields and PascalCase names.

/** `createdAt` → `created_at`, `PreAuthKey` → `pre_auth_key`, `aclTags` → `acl_tags`, `userID` → `user_id`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/**
 * Terraform meta-arguments cannot be attribute names a user reads or writes without trouble: `provider` on
 * a resource or data source collides with the meta-argument (the Go SDKs refuse it; CDKTF's generated
 * `provider` getter breaks construction of the class). Renamed here; other meta-argument names refused.
 */
const RESERVED_RENAMES: Record<string, string> = { provider: "identity_provider" };
const META_ARGUMENTS = new Set(["count", "depends_on", "for_each", "lifecycle", "provisioner", "connection"]);

/** The Terraform attribute name of a declaration field: snake_case, meta-argument names avoided. */
export function attributeName(key: string): string {
  const name = snakeCase(key);
  if (META_ARGUMENTS.has(name))
    throw new Error(`field "${key}" would be the Terraform meta-argument "${name}": add a rename to RESERVED_RENAMES in provider/terraform/names.ts`);
  return RESERVED_RENAMES[name] ?? name;
}

/** `headscale` + `PreAuthKey` → `headscale_pre_auth_key`. */
export const typeName = (provider: string, declarationName: string): string => `${provider}_${snakeCase(declarationName)}`;
