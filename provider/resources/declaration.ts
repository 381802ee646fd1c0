// The contract every resource and data source declares once; the Pulumi and Terraform frontends only
// translate it. Field metadata lives on the zod field itself (see `field` in fields.ts).
import type { z } from "zod";
import type { HeadscaleClient, Message } from "../client/index.js";

export { field, fieldMeta, metaOf, type FieldMeta } from "./fields.js";

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
  /** Names other fields structurally (`text`), so each frontend spells them its own way. */
  message: Message;
  severity?: "error" | "warning";
}

/** Shared per-run context: one client, and one list call per object kind for the whole run. */
export interface Context {
  client: HeadscaleClient;
  /** Reads shared by every resource in a run (refresh of N resources = one list call per kind). */
  lists: ListCache;
  log(message: Message): void;
}

export interface ListCache {
  users(): Promise<import("../client/index.js").User[]>;
  nodes(): Promise<import("../client/index.js").Node[]>;
  preAuthKeys(): Promise<import("../client/index.js").PreAuthKey[]>;
  policy(): Promise<import("../client/index.js").PolicyDocument>;
  apiKeys(): Promise<import("../client/index.js").ApiKey[]>;
  /** Forget cached lists after a write that changes them. */
  invalidate(kind?: "users" | "nodes" | "preAuthKeys" | "policy" | "apiKeys"): void;
  /**
   * Record a user this run just created or renamed (the server's answer): later reads in the run see it
   * without another list call, and a lookup by id finds it even when no list was read (a key checked
   * right after its user was created, as Terraform's apply re-plans it).
   */
  putUser(user: import("../client/index.js").User): void;
  /** A user this run created or renamed, by id: no call. */
  writtenUser(id: string): import("../client/index.js").User | undefined;
}

export interface DiffResult {
  /** Fields whose change is applied in place. */
  updates: string[];
  /** Fields whose change replaces the object (a field may be listed here without an input change, e.g. rotation). */
  replaces: string[];
  /** Create the replacement before deleting the old object (default true). */
  createBeforeDelete?: boolean;
  /** Human explanation per field, shown in previews/plans (e.g. "Headscale cannot update a user's email"). */
  reasons?: Record<string, Message>;
}

export interface ResourceDeclaration<Args extends z.ZodObject = z.ZodObject, State extends z.ZodObject = z.ZodObject> {
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

/**
 * Declares a resource. The implementation's functions see their own args and state types; the result
 * keeps the schemas' types (Pulumi derives its argument and output types from them) and fits the
 * registry's `ResourceDeclaration[]` as it is.
 */
export function defineResource<Args extends z.ZodObject, State extends z.ZodObject>(d: ResourceDeclaration<Args, State>): ResourceDeclaration<Args, State> {
  return d;
}

/** Declares a data source: `read` sees its typed args, and callers get a typed result. */
export function defineDataSource<Args extends z.ZodObject, Result extends z.ZodObject>(
  d: DataSourceDeclaration<Args, Result>,
): DataSourceDeclaration<Args, Result> {
  return d;
}
