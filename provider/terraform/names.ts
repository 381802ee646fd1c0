// Terraform spells names in snake_case; declarations use camelCase fields and PascalCase names.

/** `createdAt` → `created_at`, `PreAuthKey` → `pre_auth_key`, `aclTags` → `acl_tags`, `userID` → `user_id`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** `headscale` + `PreAuthKey` → `headscale_pre_auth_key`. */
export const typeName = (provider: string, declarationName: string): string => `${provider}_${snakeCase(declarationName)}`;
