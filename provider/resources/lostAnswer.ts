// A create whose answer was lost: the request went out, then the connection was cut or the server stopped
// answering, so the object may or may not exist. Creates are never retried blindly (a second key would be
// an orphan nobody tracks); instead the resource looks for what its request would have made, once, and
// either takes it, or sends the create again when it is certainly not there.
//
// The remaining window, written down: a server that performs the create only after the look-up (a hung
// server that resumes after the run gave up) leaves an object no state tracks. A user then makes the next
// run fail with "already exists" (names are unique; adoptExisting or an import takes it over); a key is an
// orphan until it expires. Closing it needs the frontends to store a provisional state for a failed create.
import { HeadscaleError, text } from "../client/index.js";
import type { Context } from "./declaration.js";

/** Looks for the object up to ~15 s while the server is unreachable (a restart); a hung server fails at once. */
const LOOKUP_DELAYS_MS = [0, 1000, 2000, 4000, 8000];

export type Recovery<T> = { found: T } | { absent: true };

/** What `onFound` returns to have the create sent again (after it removed what it found). */
export const SEND_AGAIN: unique symbol = Symbol("send again");

/** Lost answers survived per create; a server that keeps losing them fails the run. */
const ATTEMPTS = 3;

/**
 * Runs `create`; if its answer was lost, runs `find` (a fresh read). Found → `onFound` decides what it
 * becomes (the result, or SEND_AGAIN once it removed it); absent → `create` runs again. If the server
 * cannot be read either, the original error is reported, saying what may exist.
 */
export async function createSurvivingLostAnswer<R, T>(
  ctx: Context,
  what: string,
  create: () => Promise<R>,
  find: () => Promise<T | undefined>,
  onFound: (found: T) => Promise<R | typeof SEND_AGAIN>,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (e) {
      if (!(e instanceof HeadscaleError) || !e.mayHaveBeenPerformed) throw e;
      const looked = attempt < ATTEMPTS ? await lookFor(find) : undefined;
      if (!looked)
        throw new HeadscaleError({
          kind: e.kind,
          operation: e.operation,
          ...(e.status ? { status: e.status } : {}),
          ...(e.serverMessage ? { serverMessage: e.serverMessage } : {}),
          hint: text`${e.hint ? text`${e.hint}. ` : ""}The server may have created ${what} before the answer was lost, and could not be asked afterwards`,
        });
      if ("found" in looked) {
        const taken = await onFound(looked.found);
        if (taken !== SEND_AGAIN) {
          ctx.log(`the answer to "${e.operation}" was lost, but the server had done it: ${what} is taken as created`);
          return taken;
        }
      }
      ctx.log(`the answer to "${e.operation}" was lost; ${"found" in looked ? `${what} it made was removed` : `the server has no ${what}`}: sending it again`);
    }
  }
}

async function lookFor<T>(find: () => Promise<T | undefined>): Promise<Recovery<T> | undefined> {
  for (const delay of LOOKUP_DELAYS_MS) {
    if (delay) await new Promise((r) => setTimeout(r, delay));
    try {
      const found = await find();
      return found === undefined ? { absent: true } : { found };
    } catch (e) {
      if (!(e instanceof HeadscaleError) || e.kind !== "unreachable") return undefined;
    }
  }
  return undefined;
}
