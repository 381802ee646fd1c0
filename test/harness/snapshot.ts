// What a Headscale server holds, normalised so that two servers configured the same way by different
// tools (Terraform, OpenTofu, Pulumi, CDKTF) compare equal: no ids, no timestamps, no order, the policy
// compared by meaning, key expiry as a lifetime (expiry − creation) compared with a tolerance.
import { HeadscaleClient } from "../../provider/client/index.js";
import { policiesEqual } from "../../provider/policy/index.js";

export interface SnapshotUser {
  name: string;
  displayName: string;
  email: string;
}

export interface SnapshotKey {
  /** Owning user's name; undefined for a tag-only key. */
  user?: string;
  /** Sorted. */
  tags: string[];
  reusable: boolean;
  ephemeral: boolean;
  used: boolean;
  /** Absolute expiry as the server reports it (RFC 3339); informative, not compared. */
  expiresAt?: string;
  /** Expiry minus creation time in ms (what "expiration = 90d" means); compared with a tolerance. */
  lifetimeMs?: number;
}

export interface SnapshotNode {
  name: string;
  /** Owning user's name (tagged nodes on 0.28+ have none). */
  user?: string;
  tags: string[];
}

export interface HeadscaleSnapshot {
  /** Sorted by name. */
  users: SnapshotUser[];
  /** Live (not expired) keys, sorted by user, then tags, then flags. */
  keys: SnapshotKey[];
  /** Sorted by name. */
  nodes: SnapshotNode[];
  /** The policy text as stored ("" when none); compared with policiesEqual. */
  policy: string;
}

export interface SnapshotOptions {
  /** Users (and their nodes and keys) to leave out, e.g. ones a test created through the API. */
  ignoreUsers?: string[];
  /** Also list expired keys (default false: deleted and expired keys are not part of what a tool manages). */
  includeExpired?: boolean;
}

const byJson = <T>(a: T, b: T) => JSON.stringify(a).localeCompare(JSON.stringify(b));

/** Reads users, pre-auth keys, nodes and the policy of a server. Takes a client or `{ url, apiKey }`. */
export async function takeSnapshot(target: HeadscaleClient | { url: string; apiKey: string }, opts: SnapshotOptions = {}): Promise<HeadscaleSnapshot> {
  const client = target instanceof HeadscaleClient ? target : new HeadscaleClient({ url: target.url, apiKey: target.apiKey });
  try {
    const ignore = new Set(opts.ignoreUsers ?? []);
    const apiUsers = (await client.listUsers()).filter((u) => !ignore.has(u.name));
    const { caps } = await client.server();
    // ≤0.27 lists keys per user only.
    const apiKeys = caps.keyIdOperations ? await client.listPreAuthKeys() : (await Promise.all(apiUsers.map((u) => client.listPreAuthKeys(u.id)))).flat();
    const now = Date.now();
    const keys: SnapshotKey[] = apiKeys
      .filter((k) => !(k.user && ignore.has(k.user.name)))
      .filter((k) => opts.includeExpired || !k.expiration || new Date(k.expiration).getTime() > now)
      .map((k) => ({
        ...(k.user ? { user: k.user.name } : {}),
        tags: [...k.aclTags].sort(),
        reusable: k.reusable,
        ephemeral: k.ephemeral,
        used: k.used,
        ...(k.expiration ? { expiresAt: k.expiration } : {}),
        ...(k.expiration && k.createdAt ? { lifetimeMs: new Date(k.expiration).getTime() - new Date(k.createdAt).getTime() } : {}),
      }))
      .sort((a, b) => byJson({ ...a, expiresAt: 0, lifetimeMs: 0 }, { ...b, expiresAt: 0, lifetimeMs: 0 }));
    const nodes: SnapshotNode[] = (await client.listNodes())
      .filter((n) => !(n.user && ignore.has(n.user.name)))
      .map((n) => ({ name: n.givenName || n.name, ...(n.user ? { user: n.user.name } : {}), tags: [...n.tags].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      users: apiUsers.map((u) => ({ name: u.name, displayName: u.displayName, email: u.email })).sort((a, b) => a.name.localeCompare(b.name)),
      keys,
      nodes,
      policy: (await client.getPolicy()).text,
    };
  } finally {
    if (!(target instanceof HeadscaleClient)) client.close();
  }
}

export interface CompareOptions {
  /** Allowed difference between key lifetimes (default 60 000 ms). */
  expiryToleranceMs?: number;
}

/**
 * The differences between two snapshots, one readable line each; empty when they describe the same
 * objects. Use as `expect(snapshotDifferences(a, b)).toEqual([])`.
 */
export function snapshotDifferences(a: HeadscaleSnapshot, b: HeadscaleSnapshot, opts: CompareOptions = {}): string[] {
  const tolerance = opts.expiryToleranceMs ?? 60_000;
  const out: string[] = [];
  const show = (v: unknown) => JSON.stringify(v);

  if (show(a.users) !== show(b.users)) out.push(`users differ: ${show(a.users)} vs ${show(b.users)}`);
  if (show(a.nodes) !== show(b.nodes)) out.push(`nodes differ: ${show(a.nodes)} vs ${show(b.nodes)}`);

  const keyShape = ({ expiresAt: _e, lifetimeMs: _l, ...rest }: SnapshotKey) => rest;
  if (a.keys.length !== b.keys.length) out.push(`${a.keys.length} keys vs ${b.keys.length}: ${show(a.keys)} vs ${show(b.keys)}`);
  else {
    a.keys.forEach((ka, i) => {
      const kb = b.keys[i]!;
      if (show(keyShape(ka)) !== show(keyShape(kb))) out.push(`key ${i} differs: ${show(keyShape(ka))} vs ${show(keyShape(kb))}`);
      if ((ka.lifetimeMs === undefined) !== (kb.lifetimeMs === undefined)) out.push(`key ${i}: lifetime ${ka.lifetimeMs} vs ${kb.lifetimeMs}`);
      else if (ka.lifetimeMs !== undefined && Math.abs(ka.lifetimeMs - kb.lifetimeMs!) > tolerance) {
        out.push(`key ${i}: lifetime ${ka.lifetimeMs} ms vs ${kb.lifetimeMs} ms (expires ${ka.expiresAt} vs ${kb.expiresAt})`);
      }
    });
  }

  const noPolicy = (t: string) => t.trim() === "";
  if (noPolicy(a.policy) !== noPolicy(b.policy) || (!noPolicy(a.policy) && !policiesEqual(a.policy, b.policy))) {
    out.push(`policies differ:\n--- a\n${a.policy}\n--- b\n${b.policy}`);
  }
  return out;
}
