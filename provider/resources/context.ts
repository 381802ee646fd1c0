// One context per run of a frontend (a Pulumi provider host, a Terraform provider process): one client,
// and list results shared by every resource, so a refresh of N objects costs one list call per kind.
import type { ApiKey, HeadscaleClient, Message, Node, PolicyDocument, PreAuthKey, User } from "../client/index.js";
import type { Context, ListCache } from "./declaration.js";

export function createContext(client: HeadscaleClient, log: (message: Message) => void = () => {}): Context {
  return { client, lists: createListCache(client), log };
}

/**
 * A list is read once per run and kept until a write through this context changes it (the declarations
 * invalidate it) or a lookup asks for a fresh one. No expiry by age: a refresh or a plan is one snapshot
 * (re-reading half-way gives half the resources another view), and an age limit cost one more list call
 * per kind for every 15 s a run lasted (a 1,000-object apply takes minutes: ~10 extra calls, and each
 * authenticated call is a bcrypt check on the server).
 */
function createListCache(client: HeadscaleClient): ListCache {
  const cache = new Map<string, { value: Promise<unknown> }>();
  function keep<T>(kind: string, value: Promise<T>): Promise<T> {
    cache.set(kind, { value });
    value.catch(() => {
      if (cache.get(kind)?.value === value) cache.delete(kind); // a failed read is not kept
    });
    return value;
  }
  function cached<T>(kind: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(kind);
    return hit ? (hit.value as Promise<T>) : keep(kind, load());
  }
  // Users this run wrote, by id. Creating N users and checking N keys against them costs no list call, in
  // any order (invalidating after each create cost one list per create that a check followed).
  const writtenUsers = new Map<string, User>();
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
      if (!kind || kind === "users") writtenUsers.clear();
    },
    putUser(user) {
      writtenUsers.set(user.id, user);
      const hit = cache.get("users");
      // A list read before (or while) the user was written: the same list with the user in it (once).
      if (hit)
        void keep(
          "users",
          (hit.value as Promise<User[]>).then((users) => [...users.filter((u) => u.id !== user.id), user]),
        );
    },
    writtenUser: (id) => writtenUsers.get(id),
  };
}
