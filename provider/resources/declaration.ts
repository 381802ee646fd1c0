// The contract every resource and data source declares once; the Pulumi and Terraform frontends only
// translate it. Field metadata lives on the zod field itself (see `field`).
import { z } from "zod";
import type { HeadscaleClient } from "../client/index.js";

export interface FieldMeta {
  description: string;
  /** Set by the server or the provider; never by the user. */
  computed?: boolean;
  /** Optional input that the provider fills in when the user leaves it out (e.g. a normalised value). */
  defaulted?: boolean;
  /** Masked in output, encrypted/sensitive in state. */
  secret?: boolean;
  /** A change to this input replaces the object. */
  forcesReplacement?: boolean;
  /** An array whose order and duplicates never matter (tags, routes): compared as a set, a set in Terraform. */
  set?: boolean;
  /** Read only by checks (e.g. the policy to check tags against): a new value is never a change to the object. */
  checkOnly?: boolean;
  /** Two values that mean the same (a reformatted policy) are no change. Default: plain equality. */
  equivalent?: (a: unknown, b: unknown) => boolean;
}

export const fieldMeta = z.registry<FieldMeta>();

/** Attaches metadata to a zod field: `name: field(z.string(), { description: "…" })`. */
export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  fieldMeta.add(schema, meta);
  return schema;
}

/** Metadata of a field, looking through optional/nullable/default wrappers. */
export function metaOf(schema: z.ZodType): FieldMeta | undefined {
  let s: z.ZodType | undefined = schema;
  while (s) {
    const m = fieldMeta.get(s);
    if (m) return m;
    const inner: unknown = (s as { _zod?: { def?: { innerType?: unknown } } })._zod?.def?.innerType;
    s = inner as z.ZodType | undefined;
  }
  return undefined;
}

/** A value not known yet (preview/plan time, from another resource's output). Frontends map theirs to it. */
export const Unknown: unique symbol = Symbol.for("headscale-iac.unknown");
export type Unknown = typeof Unknown;
export const isUnknown = (v: unknown): v is Unknown => v === Unknown;
/** Inputs as seen at preview: any top-level value may still be unknown. */
export type Planned<T> = { [K in keyof T]: T[K] | Unknown };

/** A user-facing problem with one field, reported before anything is written. */
export interface Problem {
  /** Field name in the declaration's own (camelCase) spelling; omitted for whole-resource problems. */
  field?: string;
  message: string;
  severity?: "error" | "warning";
}

/** Shared per-run context: one client, and one list call per object kind for the whole run. */
export interface Context {
  client: HeadscaleClient;
  /** Reads shared by every resource in a run (refresh of N resources = one list call per kind). */
  lists: ListCache;
  log(message: string): void;
}

export interface ListCache {
  users(): Promise<import("../client/index.js").User[]>;
  nodes(): Promise<import("../client/index.js").Node[]>;
  preAuthKeys(): Promise<import("../client/index.js").PreAuthKey[]>;
  policy(): Promise<import("../client/index.js").PolicyDocument>;
  apiKeys(): Promise<import("../client/index.js").ApiKey[]>;
  /** Forget cached lists after a write that changes them. */
  invalidate(kind?: "users" | "nodes" | "preAuthKeys" | "policy" | "apiKeys"): void;
}

export interface DiffResult {
  /** Fields whose change is applied in place. */
  updates: string[];
  /** Fields whose change replaces the object (a field may be listed here without an input change, e.g. rotation). */
  replaces: string[];
  /** Create the replacement before deleting the old object (default true). */
  createBeforeDelete?: boolean;
  /** Human explanation per field, shown in previews/plans (e.g. "Headscale cannot update a user's email"). */
  reasons?: Record<string, string>;
}

export interface ResourceDeclaration<
  Args extends z.ZodObject = z.ZodObject,
  State extends z.ZodObject = z.ZodObject,
> {
  /** PascalCase; Terraform type is headscale_<snake_case>. */
  name: string;
  description: string;
  /** Inputs. */
  args: Args;
  /** Everything stored: inputs (normalised) plus computed outputs. */
  state: State;
  /**
   * How a replacement is ordered (default "create-first"). "delete-first" where the old object blocks
   * the new one (user names are unique).
   */
  replaceOrder?: "create-first" | "delete-first";
  /**
   * Validation that may read the live server (never writes). Returns problems; empty = fine. `olds` is set
   * when the object exists already, so checks of unchanged inputs can be skipped; compare input fields
   * only (Pulumi passes the previous inputs, Terraform the stored state).
   */
  check(ctx: Context, args: Planned<z.infer<Args>>, olds?: z.infer<State>): Promise<Problem[]>;
  /**
   * What is special about a change, on top of the diff derived from the field metadata (`derived`:
   * forcesReplacement → replace, `set`, `equivalent`, `checkOnly`): rotation, explanations, checks that
   * need the server. Omit it when the derived diff says everything.
   */
  diff?(ctx: Context, id: string, olds: z.infer<State>, news: Planned<z.infer<Args>>, derived: DiffResult): Promise<DiffResult>;
  /**
   * Computed outputs known before apply (the access a policy grants between the live nodes), so previews
   * and plans show their change: Terraform plans them instead of "known after apply", Pulumi shows them
   * among the checked inputs. Called when the inputs change (`olds`: the previous state or inputs, to reuse
   * values whose inputs mean the same). Read-only.
   */
  predict?(ctx: Context, args: Planned<z.infer<Args>>, olds?: Record<string, unknown>): Promise<Partial<z.infer<State>>>;
  /**
   * Problems that would stop a delete, found before anything is written (a user that still owns nodes).
   * Frontends run it at plan time for destroys and replacements, and before the first write of a destroy.
   */
  checkDelete?(ctx: Context, id: string, olds: z.infer<State>): Promise<Problem[]>;
  create(ctx: Context, args: z.infer<Args>): Promise<{ id: string; state: z.infer<State> }>;
  /** Current state, or null if the object is gone (frontends then plan a re-create). */
  read(ctx: Context, id: string, olds: z.infer<State>): Promise<{ id: string; state: z.infer<State> } | null>;
  update(ctx: Context, id: string, olds: z.infer<State>, news: z.infer<Args>): Promise<z.infer<State>>;
  delete(ctx: Context, id: string, olds: z.infer<State>): Promise<void>;
  /** Adopt an existing object by its import id; returns state whose inputs reproduce it. */
  import?(ctx: Context, importId: string): Promise<{ id: string; state: z.infer<State> }>;
}

export interface DataSourceDeclaration<Args extends z.ZodObject = z.ZodObject, Result extends z.ZodObject = z.ZodObject> {
  name: string;
  description: string;
  args: Args;
  result: Result;
  read(ctx: Context, args: z.infer<Args>): Promise<z.infer<Result>>;
}
