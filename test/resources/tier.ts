// The resource tier: each declaration driven directly through the core entry points both frontends use
// (connect → knownArgs → check → planChange → create/update/delete, read for a refresh), against a real
// Headscale, with no Pulumi or Terraform in between. Every run gets its own context, as a frontend's run
// does (its list cache must not hide what another run wrote), and records the HTTP calls it sends.
import { expect } from "vitest";
import type { z } from "zod";
import { connect, knownArgs, metaOf, planChange, render, type Context, type DiffResult, type ResourceDeclaration } from "../../provider/resources/index.js";
import type { HeadscaleServer } from "../harness/headscale.js";

export interface Run {
  ctx: Context;
  /** "METHOD /path" of every HTTP attempt of this run, in order. */
  calls: string[];
}

/** One object as a frontend keeps it between runs: its id and stored state. */
export interface Managed {
  id: string;
  state: Record<string, unknown>;
}

export interface Reported {
  field?: string;
  message: string;
  severity?: "error" | "warning";
}

export function newRun(server: Pick<HeadscaleServer, "url" | "apiKey">): Run {
  const ctx = connect({ url: server.url, apiKey: server.apiKey }, () => {}, {});
  const calls: string[] = [];
  ctx.client.onCall = (method, path) => calls.push(`${method} ${path}`);
  return { ctx, calls };
}

/** The writes among a run's calls (policy checks validate without storing). */
export const writesOf = (calls: readonly string[]) => calls.filter((c) => !c.startsWith("GET ") && c !== "POST /api/v1/policy/check");

/** Inputs as a frontend prepares them for an apply: parsed as a whole; a parse issue fails the test. */
export function argsFor(decl: ResourceDeclaration, values: Record<string, unknown>): Record<string, unknown> {
  const prepared = knownArgs(decl.args, values);
  expect(prepared.issues, `${decl.name} inputs`).toEqual([]);
  return prepared.args;
}

/** What check reports for these inputs, rendered (frontends spell the names; here they are the core's). */
export async function checked(decl: ResourceDeclaration, run: Run, values: Record<string, unknown>, olds?: Managed): Promise<Reported[]> {
  const problems = await decl.check(run.ctx, argsFor(decl, values), olds?.state);
  return problems.map((p) => ({ ...(p.field ? { field: p.field } : {}), message: render(p.message), ...(p.severity ? { severity: p.severity } : {}) }));
}

const errorsOnly = (reported: Reported[]) => reported.filter((p) => p.severity !== "warning");

/** Check, then create: what an apply of a new object does. Check errors fail the test. */
export async function create(decl: ResourceDeclaration, run: Run, values: Record<string, unknown>): Promise<Managed> {
  expect(errorsOnly(await checked(decl, run, values)), `${decl.name} check`).toEqual([]);
  return decl.create(run.ctx, argsFor(decl, values));
}

/** The planned change from the stored state to these inputs (check passes first, as at plan time). */
export async function plan(decl: ResourceDeclaration, run: Run, m: Managed, values: Record<string, unknown>): Promise<DiffResult> {
  expect(errorsOnly(await checked(decl, run, values, m)), `${decl.name} check`).toEqual([]);
  return planChange(decl, run.ctx, m.id, m.state, argsFor(decl, values));
}

export const noChange = (d: DiffResult) => d.updates.length === 0 && d.replaces.length === 0;

/** An apply of changed inputs: nothing, an update in place, or a replacement in the declared order. */
export async function apply(decl: ResourceDeclaration, run: Run, m: Managed, values: Record<string, unknown>): Promise<{ diff: DiffResult; managed: Managed }> {
  const diff = await plan(decl, run, m, values);
  const args = argsFor(decl, values);
  if (noChange(diff)) return { diff, managed: m };
  if (diff.replaces.length === 0) return { diff, managed: { id: m.id, state: await decl.update(run.ctx, m.id, m.state, args) } };
  if (diff.createBeforeDelete === false) {
    await decl.delete(run.ctx, m.id, m.state);
    return { diff, managed: await decl.create(run.ctx, args) };
  }
  const created = await decl.create(run.ctx, args);
  await decl.delete(run.ctx, m.id, m.state);
  return { diff, managed: created };
}

/** A refresh in a run of its own: the object as the server has it now, or null when it is gone. */
export async function refresh(decl: ResourceDeclaration, server: Pick<HeadscaleServer, "url" | "apiKey">, m: Managed): Promise<Managed | null> {
  const run = newRun(server);
  try {
    return await decl.read(run.ctx, m.id, m.state);
  } finally {
    run.ctx.client.close();
  }
}

/** The error an operation fails with, rendered (fails the test when it succeeds). */
export async function failure(op: Promise<unknown>): Promise<string> {
  const e = await op.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, "the operation should have failed").toBeInstanceOf(Error);
  return (e as Error).message;
}

/** The state fields whose value holds `secret`, and the fields the declaration marks secret. */
export function secretPlacement(decl: ResourceDeclaration, state: Record<string, unknown>, secret: string): { holding: string[]; marked: string[] } {
  const shape = decl.state.shape as Record<string, z.ZodType>;
  return {
    holding: Object.keys(state).filter((k) => JSON.stringify(state[k] ?? null).includes(secret)),
    marked: Object.keys(shape).filter((k) => metaOf(shape[k]!)?.secret),
  };
}
