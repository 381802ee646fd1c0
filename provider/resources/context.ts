// One context per run of a frontend (a Pulumi provider host, a Terraform provider process): one client,
// and list results shared by every resource, so a refresh of N objects costs one list call per kind.
import type { ApiKey, HeadscaleClient, Node, PolicyDocument, PreAuthKey, User } from "../client/index.js";
import type { Context, ListCache } from "./declaration.js";

/** Lists older than this are read again: a run that lasts minutes must not act on stale data. */
const LIST_TTL_MS = 15_000;

export function createContext(client: HeadscaleClient, log: (message: string) => void = () => {}): Context {
  return { client, lists: createListCache(client), log };
}

function createListCache(client: HeadscaleClient): ListCache {
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  function cached<T>(kind: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(kind);
    if (hit && Date.now() - hit.at < LIST_TTL_MS) return hit.value as Promise<T>;
    const value = load();
    cache.set(kind, { at: Date.now(), value });
    value.catch(() => cache.delete(kind));
    return value;
  }
  return {
    users: () => cached<User[]>("users", () => client.listUsers()),
    nodes: () => cached<Node[]>("nodes", () => client.listNodes()),
    policy: () => cached<PolicyDocument>("policy", () => client.getPolicy()),
    apiKeys: () => cached<ApiKey[]>("apiKeys", () => client.listApiKeys()),
    preAuthKeys: () =>
      cached<PreAuthKey[]>("preAuthKeys", async () => {
        const { caps } = await client.server();
        if (caps.keyIdOperations) return client.listPreAuthKeys();
        // Before 0.28 keys are listed per user: one call per user, still shared by every key resource.
        const users = await cached<User[]>("users", () => client.listUsers());
        return (await Promise.all(users.map((u) => client.listPreAuthKeys(u.id)))).flat();
      }),
    invalidate(kind) {
      if (kind) cache.delete(kind);
      else cache.clear();
    },
  };
}
