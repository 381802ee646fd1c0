// Compiled (never run) by test/unit/types.test.ts: the lookups and declarations keep their types.
// Every `@ts-expect-error` must meet an error, so a lookup that accepted anything would fail the check.
import { getUser, getUsers, User } from "../../sdk/pulumi/index.js";
import { UsersLookup } from "../../provider/resources/index.js";

export async function lookups(): Promise<void> {
  // @ts-expect-error a misspelt argument does not compile
  await getUsers({ nmae: "x" });
  // @ts-expect-error a wrongly typed argument does not compile
  await getUser({ user: 1 });

  const r = await getUsers({ name: "alice" });
  const names: string[] = r.users.map((u) => u.name);
  // @ts-expect-error the result is typed: users is a list of users, not a number
  const count: number = r.users;
  // @ts-expect-error a user has no field that is not declared
  void r.users[0]?.nmae;
  (void names, count);

  // The declarations keep their schemas' types: what `read` returns is what callers see.
  const direct = await UsersLookup.read(null!, { name: "alice" });
  const displayNames: string[] = direct.users.map((u) => u.displayName);
  void displayNames;
}

export function resources(): void {
  // @ts-expect-error a misspelt resource argument does not compile
  new User("alice", { nmae: "alice" });
  new User("alice", { name: "alice", deleteNodesOnDestroy: true });
}
