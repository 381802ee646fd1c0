// The resource RPCs for any ResourceDeclaration. This only translates between Terraform's protocol and
// the declaration: what changes, what replaces, and what is equal is decided by the declaration.
import { AsyncLocalStorage } from "node:async_hooks";
import { containsUnknown, planChange, Unknown, type Context, type DiffResult, type Message } from "../resources/index.js";
import { knownArgs, plannedArgs } from "./args.js";
import { error, fromException, fromProblems, hasErrors, pathOf, warning } from "./diagnostics.js";
import type * as pb from "./protocol/tfplugin6.js";
import { valuesOf, type AttributeModel, type ResourceModel } from "./schema.js";
import { renderTerraform } from "./spelling.js";
import { sameValue } from "./types.js";
import { fromDynamic, toDynamic } from "./values.js";

type Values = Record<string, unknown>;
type Log = (message: string) => void;

/**
 * What declarations say through `ctx.log` while one RPC runs ("the policy stays on the server", "the node
 * keeps its tags"). Pulumi shows these lines; Terraform shows a provider's stderr only at TF_LOG=debug, so
 * apply returns them as warnings. Per call (AsyncLocalStorage): Terraform applies resources concurrently.
 */
export const callNotes = new AsyncLocalStorage<Message[]>();

/** What the plan decided, carried to apply in `planned_private` so apply does exactly what was shown. */
interface PlannedChange {
  updates: string[];
  replaces: string[];
  /** Computed values the plan showed as known (declaration.predict): apply records exactly these. */
  predicted?: string[];
}

export class ResourceHandler {
  constructor(
    readonly model: ResourceModel,
    private readonly context: () => Context,
    private readonly log: Log,
  ) {}

  private get declaration() {
    return this.model.declaration;
  }

  validate(config: pb.DynamicValue | undefined): pb.DiagnosticsResponse {
    const values = this.decode(config) ?? {};
    return { diagnostics: plannedArgs(this.model, this.declaration.args, values).diagnostics };
  }

  /** State written by an older provider version (JSON): keep known attributes, add new ones as null. */
  upgrade(raw: pb.RawState | undefined): pb.UpgradeResourceStateResponse {
    if (!raw?.json?.length) {
      return {
        diagnostics: [error("Unsupported state format", `${this.model.typeName} state has no JSON form (legacy flatmap state is not supported)`)],
      };
    }
    const values = valuesOf(this.model, JSON.parse(Buffer.from(raw.json).toString("utf8")));
    return { upgradedState: values ? this.encode(values) : toDynamic(null), diagnostics: [] };
  }

  async plan(req: pb.PlanResourceChangeRequest): Promise<pb.PlanResourceChangeResponse> {
    const prior = this.decode(req.priorState);
    const proposed = this.decode(req.proposedNewState);
    const config = this.decode(req.config) ?? {};
    if (!proposed) {
      // A planned destroy: what would stop the delete (a user that owns nodes) fails the plan, before any
      // resource of the run is written. Terraform asks this of providers for every destroy it plans.
      const problems = prior ? ((await this.declaration.checkDelete?.(this.context(), String(prior.id), this.stateOf(prior))) ?? []) : [];
      // No attribute path: the resource is no longer in the configuration; the text names the setting.
      return {
        plannedState: toDynamic(null),
        plannedPrivate: req.priorPrivate,
        diagnostics: fromProblems(
          this.model,
          problems.map(({ field: _f, ...p }) => p),
        ),
      };
    }

    const { args, diagnostics } = plannedArgs(this.model, this.declaration.args, config);
    if (hasErrors(diagnostics)) return { diagnostics };
    const ctx = this.context();
    const planned: Values = { ...proposed };
    const notSetByUser = (a: AttributeModel) => a.computed && config[a.key] === undefined;

    if (!prior) {
      // Create: whatever the provider decides is unknown until apply.
      for (const a of this.model.attributes) if (notSetByUser(a)) planned[a.key] = Unknown;
      diagnostics.push(...fromProblems(this.model, await this.declaration.check(ctx, args)));
      const predicted = hasErrors(diagnostics) ? [] : await this.predict(ctx, args, planned);
      return {
        plannedState: this.encode(planned),
        diagnostics,
        ...(predicted.length ? { plannedPrivate: Buffer.from(JSON.stringify({ updates: [], replaces: [], predicted })) } : {}),
      };
    }

    const change = await planChange(this.declaration, ctx, String(prior.id), this.stateOf(prior), args);
    const changed = new Set([...change.updates, ...change.replaces]);
    // An input set in the configuration whose value moved, but which diff() does not call a change (a
    // reformatted policy; a key's `policy`, which only says what to check tags against), keeps its prior
    // value: Terraform accepts the prior value of a non-null configured attribute as "equivalent" (what
    // SDKv2's DiffSuppressFunc does), so the plan shows no change and nothing is written.
    for (const a of this.model.attributes) {
      if (!a.input || changed.has(a.key) || config[a.key] === undefined || prior[a.key] === undefined) continue;
      if (!this.same(a, planned[a.key], prior[a.key])) planned[a.key] = prior[a.key];
    }
    for (const key of changed) {
      const a = this.model.byKey.get(key);
      if (!a) this.log(`[WARN] ${this.model.typeName}: diff() named unknown field "${key}"`);
      else if (notSetByUser(a)) planned[key] = Unknown; // computed values the change will recompute
    }
    const requiresReplace = this.model.attributes.filter((a) => a.forcesReplacement || change.replaces.includes(a.key)).map((a) => pathOf(this.model, a.key)!);
    if (change.replaces.length) {
      // Terraform replaces only when a listed value changes. A replacement the declaration asks for
      // without any listed value changing (e.g. rotation keyed on an unchanged input) changes the id.
      const visible = change.replaces.some((key) => {
        const a = this.model.byKey.get(key);
        return a && !this.same(a, planned[key], prior[key]);
      });
      if (!visible) {
        planned[this.model.id.key] = Unknown;
        requiresReplace.push(pathOf(this.model, this.model.id.key)!);
      }
    }
    diagnostics.push(...this.reasons(change));
    if (changed.size) diagnostics.push(...fromProblems(this.model, await this.declaration.check(ctx, args, this.stateOf(prior))));
    const predicted = changed.size && !hasErrors(diagnostics) ? await this.predict(ctx, args, planned, this.stateOf(prior)) : [];
    const decided: PlannedChange = { updates: change.updates, replaces: change.replaces, ...(predicted.length ? { predicted } : {}) };
    return {
      plannedState: this.encode(planned),
      requiresReplace,
      plannedPrivate: Buffer.from(JSON.stringify(decided)),
      diagnostics,
    };
  }

  async apply(req: pb.ApplyResourceChangeRequest): Promise<pb.ApplyResourceChangeResponse> {
    const notes: Message[] = [];
    const res = await callNotes.run(notes, () => this.applyChange(req));
    const shown = [...new Set(notes.map(renderTerraform))].map((m) => warning(m));
    return shown.length ? { ...res, diagnostics: [...res.diagnostics, ...shown] } : res;
  }

  private async applyChange(req: pb.ApplyResourceChangeRequest): Promise<pb.ApplyResourceChangeResponse> {
    const prior = this.decode(req.priorState);
    const planned = this.decode(req.plannedState);
    const ctx = this.context();
    const what = this.model.typeName;

    if (!planned) {
      try {
        await this.declaration.delete(ctx, String(prior!.id), this.stateOf(prior!));
        return { newState: toDynamic(null), diagnostics: [] };
      } catch (e) {
        return this.failed(`Could not delete ${what}`, e, prior);
      }
    }

    const { args, diagnostics } = knownArgs(this.model, this.declaration.args, this.decode(req.config) ?? {});
    if (hasErrors(diagnostics)) return { newState: prior ? this.encode(prior) : undefined, diagnostics };

    if (!prior) {
      try {
        const created = await this.declaration.create(ctx, args);
        const predicted = parsePlannedChange(req.plannedPrivate)?.predicted ?? [];
        return { newState: this.encode(this.reconcile(planned, { ...created.state, id: created.id }, predicted)), diagnostics };
      } catch (e) {
        return this.failed(`Could not create ${what}`, e, null);
      }
    }

    const id = String(prior.id);
    const olds = this.stateOf(prior);
    try {
      const decided = parsePlannedChange(req.plannedPrivate) ?? (await planChange(this.declaration, ctx, id, olds, args));
      // Nothing the declaration would change (e.g. only the spelling of an equivalent value moved):
      // record the configuration as planned, without calling the server.
      if (!decided.updates.length && !decided.replaces.length) return { newState: this.encode(planned), diagnostics };
      const state = await this.declaration.update(ctx, id, olds, args);
      return {
        newState: this.encode(this.reconcile(planned, { ...state, id }, parsePlannedChange(req.plannedPrivate)?.predicted ?? [])),
        diagnostics,
      };
    } catch (e) {
      return this.failed(`Could not update ${what}`, e, prior);
    }
  }

  async read(req: pb.ReadResourceRequest): Promise<pb.ReadResourceResponse> {
    const current = this.decode(req.currentState);
    if (!current) return { newState: toDynamic(null), diagnostics: [] };
    const ctx = this.context();
    try {
      const found = await this.declaration.read(ctx, String(current.id), this.stateOf(current));
      // Gone: Terraform drops it from state and plans a re-create.
      if (!found) return { newState: toDynamic(null), diagnostics: [], private: req.private };
      const values: Values = { ...found.state, id: found.id };
      await this.keepEquivalentInputs(ctx, current, values);
      return { newState: this.encode(values), diagnostics: [], private: req.private };
    } catch (e) {
      return { ...this.failed(`Could not read ${this.model.typeName}`, e, current), private: req.private };
    }
  }

  async import(req: pb.ImportResourceStateRequest): Promise<pb.ImportResourceStateResponse> {
    const importer = this.declaration.import?.bind(this.declaration);
    if (!importer) {
      const detail = `This resource type has no import (id "${req.id}" was not looked up). Remove the import block or skip \`terraform import\`, and let Terraform create a new ${this.model.typeName}; the existing object stays on the server unmanaged.`;
      return { importedResources: [], diagnostics: [error(`${this.model.typeName} cannot be imported`, detail)] };
    }
    try {
      const found = await importer(this.context(), req.id);
      const state = this.encode({ ...found.state, id: found.id });
      return { importedResources: [{ typeName: this.model.typeName, state }], diagnostics: [] };
    } catch (e) {
      return { importedResources: [], diagnostics: [fromException(`Could not import ${this.model.typeName} "${req.id}"`, e)] };
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private decode(dv: pb.DynamicValue | undefined): Values | null {
    return valuesOf(this.model, fromDynamic(dv));
  }

  private encode(values: Values): pb.DynamicValue {
    return toDynamic(this.model.codec.toTerraform(values));
  }

  /** Prior state in the declaration's State shape (parsed when it parses, as stored otherwise). */
  private stateOf(values: Values): Values {
    const { id: _syntheticId, ...rest } = values;
    const state = "id" in (this.declaration.state.shape as object) ? values : rest;
    const parsed = this.declaration.state.safeParse(state);
    return parsed.success ? (parsed.data as Values) : state;
  }

  /** Fills in the computed outputs the declaration can tell before apply; returns their keys. */
  private async predict(ctx: Context, args: Values, planned: Values, olds?: Values): Promise<string[]> {
    const values = (await this.declaration.predict?.(ctx, args as never, olds)) ?? {};
    const keys = Object.keys(values).filter((k) => this.model.byKey.get(k)?.computed && (values as Values)[k] !== undefined);
    for (const k of keys) planned[k] = (values as Values)[k];
    return keys;
  }

  /** A declaration's explanations for a replacement or an in-place update (a policy's "acls: 1 rule added"), shown with the plan. */
  private reasons(change: DiffResult): pb.Diagnostic[] {
    const replaced = change.replaces.length > 0;
    return (replaced ? change.replaces : change.updates)
      .filter((key) => change.reasons?.[key])
      .map((key) =>
        warning(
          `${this.model.typeName} will be ${replaced ? "replaced" : "updated in place"}`,
          renderTerraform(change.reasons![key]!),
          pathOf(this.model, key),
        ),
      );
  }

  /**
   * Apply must return every known planned value. An input the declaration normalised (same meaning, other
   * spelling), or filled in although the user left it out, keeps the planned value; the rest is the server's.
   */
  private reconcile(planned: Values, actual: Values, predicted: readonly string[] = []): Values {
    const out: Values = { ...actual };
    // A predicted output is what the plan showed (nodes that joined in between show at the next change).
    for (const key of predicted) if (!containsUnknown(planned[key])) out[key] = planned[key];
    for (const a of this.model.attributes) {
      const p = planned[a.key];
      if (!a.input || containsUnknown(p) || this.same(a, p, actual[a.key])) continue;
      this.log(`[DEBUG] ${this.model.typeName}.${a.name}: keeping the planned value over the declaration's normalised one`);
      out[a.key] = p;
    }
    return out;
  }

  /**
   * After a read, an input whose stored value differs from the server's but which the declaration's diff()
   * does not report as changed (a reformatted policy, a flag the server does not keep) keeps the stored
   * value, so a refresh shows no phantom drift.
   */
  private async keepEquivalentInputs(ctx: Context, stored: Values, fresh: Values): Promise<void> {
    const moved = this.model.attributes.filter((a) => a.input && !this.same(a, stored[a.key], fresh[a.key]));
    if (!moved.length) return;
    const storedArgs = Object.fromEntries(Object.keys(this.declaration.args.shape).map((k) => [k, stored[k]]));
    const change = await planChange(this.declaration, ctx, String(fresh.id), this.stateOf(fresh), storedArgs);
    const real = new Set([...change.updates, ...change.replaces]);
    for (const a of moved) if (!real.has(a.key)) fresh[a.key] = stored[a.key];
  }

  private same(a: AttributeModel, x: unknown, y: unknown): boolean {
    return sameValue(a.codec.type, a.codec.toTerraform(x), a.codec.toTerraform(y));
  }

  /** A failed call: the error as a diagnostic; the object stays as it was (or absent after a failed create). */
  private failed(summary: string, e: unknown, keep: Values | null): { newState?: pb.DynamicValue; diagnostics: pb.Diagnostic[] } {
    this.log(`[ERROR] ${summary}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return { newState: keep ? this.encode(keep) : undefined, diagnostics: [fromException(summary, e)] };
  }
}

function parsePlannedChange(bytes: Uint8Array | undefined): PlannedChange | undefined {
  if (!bytes?.length) return undefined;
  try {
    const v = JSON.parse(Buffer.from(bytes).toString("utf8")) as Partial<PlannedChange>;
    if (!Array.isArray(v.updates) || !Array.isArray(v.replaces)) return undefined;
    return { updates: v.updates, replaces: v.replaces, ...(Array.isArray(v.predicted) ? { predicted: v.predicted } : {}) };
  } catch {
    return undefined;
  }
}
