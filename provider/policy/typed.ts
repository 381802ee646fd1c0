// The policy as a typed object, for users who write it in code (Pulumi) rather than as HuJSON text.
//
// Built from the sections table (sections.ts): every section is optional and every object is loose, so
// sections and members the table does not list (a newer Headscale's) pass through untouched. The
// schema gives editors types and completion and rejects only wrong shapes; the detailed, fix-telling
// checks live in validatePolicy.
import { z } from "zod";
import { POLICY_SECTIONS, type PolicySection } from "./sections.js";

type SectionSchemas = { [K in PolicySection]: z.ZodOptional<(typeof POLICY_SECTIONS)[K]["schema"]> };
const sectionSchemas = Object.fromEntries(Object.entries(POLICY_SECTIONS).map(([name, spec]) => [name, spec.schema.optional()])) as SectionSchemas;

/** A Headscale ACL policy (format v2, Headscale 0.26+; `grants`, `nodeAttrs`, `tests`… need 0.29+). */
export const PolicyObject = z.looseObject(sectionSchemas);
export type PolicyObject = z.input<typeof PolicyObject>;

/**
 * The policy as pretty JSON (2-space indent) in the key order it was written, which is what Headscale
 * stores and shows. Deliberately not run through the schema: parsing would reorder loose keys.
 */
export function policyToText(obj: PolicyObject | Record<string, unknown>): string {
  return `${JSON.stringify(obj, null, 2)}\n`;
}
