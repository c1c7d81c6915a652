import "server-only";
import { createHmac, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbOrTx, Tx } from "@/db/client";
import { recordEvent } from "@/lib/audit/record-event";
import { codeKeys } from "@/lib/codes/code-crypto";
import type { SignalKind } from "./model";

export type Signal = { userId: string; kind: SignalKind; value: string };

/**
 * An address links two accounts only when both signed up or in from it within this many hours,
 * and addresses are recorded only at sign-up and sign-in (not at every claim): offices, campuses
 * and mobile carriers put many unrelated people behind one address, so an address seen once a
 * month ago is no evidence. Devices and payout details link whenever they are shared.
 */
export const IP_LINK_WINDOW_HOURS = 24;

// Advisory lock classes (the two-key form keeps them apart from every one-key lock).
const SIGNAL_LOCK = 0x5349_474e; // "SIGN"
const MERGE_LOCK = 0x4d52_4745; // "MRGE"

/**
 * Keyed hash of a signal: equal values link accounts, and the table never holds an address or a
 * device id in the clear. The fingerprint key never rotates, so links survive key rotations; the
 * prefix keeps these hashes apart from the gift-code fingerprints under the same key.
 */
function signalHash(kind: SignalKind, value: string): string {
  return createHmac("sha256", codeKeys().fingerprintKey)
    .update(`account-signal/${kind}\u0000${value}`, "utf8")
    .digest("hex");
}

/** Payout details as compared: case, spacing and punctuation do not tell people apart. */
export function normalisePayout(parts: Array<string | undefined>): string {
  return parts
    .map((p) =>
      (p ?? "")
        .normalize("NFKC")
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, " ")
        .trim(),
    )
    .join("|");
}

/** Where a prize is shipped to (the name aside: one address, several names, is still one place). */
export function payoutSignal(
  userId: string,
  address: { line1: string; line2?: string; city: string; postalCode: string; country: string },
): Signal {
  const { line1, line2, city, postalCode, country } = address;
  return {
    userId,
    kind: "payout",
    value: normalisePayout([line1, line2, city, postalCode, country]),
  };
}

/**
 * Loopback, private and link-local addresses: seen as the client's address they mean the app
 * sits behind something that did not forward the real one (or runs locally), so everyone shares
 * them and they link no one.
 */
const UNROUTABLE = [
  /^127\./,
  /^10\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^169\.254\./,
  /^::1$/,
  /^f[cd][0-9a-f]{2}:/,
  /^fe[89ab][0-9a-f]:/,
];

function routable(ip: string): boolean {
  const address = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  return !UNROUTABLE.some((range) => range.test(address));
}

/** The device and (public) address a player signed up or in with. */
export function sessionSignals(
  userId: string,
  client: { ip?: string | null; deviceId?: string | null },
): Signal[] {
  const signals: Signal[] = [];
  if (client.deviceId) signals.push({ userId, kind: "device", value: client.deviceId });
  const ip = client.ip?.trim().toLowerCase();
  if (ip && routable(ip)) signals.push({ userId, kind: "ip", value: ip });
  return signals;
}

/** Records what was seen of accounts and merges the groups of accounts that share it. */
export async function recordSignals(db: DbOrTx, signals: Signal[]): Promise<void> {
  if (signals.length === 0) return;
  await db.transaction((tx) => linkSignals(tx, signals));
}

/**
 * As recordSignals, inside the caller's transaction (the claim batch records its players'
 * devices in its own). Accounts sharing a signal end up with one users.account_group_id: every
 * member of the groups involved is moved to one id, so a group is always one id and never a chain.
 */
export async function linkSignals(tx: Tx, signals: Signal[]): Promise<void> {
  const rows = [
    ...new Map(
      signals
        .filter((s) => s.value !== "")
        .map((s) => {
          const hash = signalHash(s.kind, s.value);
          return [`${s.kind}:${hash}:${s.userId}`, { userId: s.userId, kind: s.kind, hash }];
        }),
    ).values(),
  ];
  if (rows.length === 0) return;
  // Two accounts recording the same new value at once would each miss the other's uncommitted
  // row: a lock per value (in sorted order) makes the second wait and then see the first.
  const values = [...new Set(rows.map((r) => `${r.kind}:${r.hash}`))].sort();
  await tx.execute(sql`
    select pg_advisory_xact_lock(${SIGNAL_LOCK}, hashtext(v))
    from unnest(${sql.param(values)}::text[]) with ordinality as t(v, n) order by n`);
  const table = sql`unnest(${sql.param(rows.map((r) => r.userId))}::uuid[],
                           ${sql.param(rows.map((r) => r.kind))}::account_signal_kind[],
                           ${sql.param(rows.map((r) => r.hash))}::text[]) as t(u, k, h)`;
  await tx.execute(sql`
    insert into account_signals (user_id, kind, value_hash)
    select u, k, decode(h, 'hex') from ${table}
    on conflict (user_id, kind, value_hash) do update set last_seen_at = now()`);
  const links = await tx.execute<{ user_id: string; other_id: string; kind: SignalKind }>(sql`
    select distinct t.u as user_id, o.user_id as other_id, t.k as kind
    from ${table}
    join account_signals o on o.kind = t.k and o.value_hash = decode(t.h, 'hex') and o.user_id <> t.u
    where t.k <> 'ip' or o.last_seen_at > now() - make_interval(hours => ${IP_LINK_WINDOW_HOURS})`);
  if (links.length === 0) return;
  await mergeGroups(tx, links);
}

type Member = { id: string; account_group_id: string | null };

async function groupsOf(tx: Tx, ids: string[]): Promise<Member[]> {
  return tx.execute<Member>(sql`
    select id, account_group_id from users
    where id = any(${sql.param(ids)}::uuid[])
       or account_group_id in (select g.account_group_id from users g
                               where g.id = any(${sql.param(ids)}::uuid[]))`);
}

async function mergeGroups(
  tx: Tx,
  links: Array<{ user_id: string; other_id: string; kind: SignalKind }>,
): Promise<void> {
  const involved = [...new Set(links.flatMap((l) => [l.user_id, l.other_id]))];
  // Already one group (the usual case on every later sign-in): merges only ever join groups,
  // so no concurrent change can split it, and no lock is needed.
  const current = await groupsOf(tx, involved);
  const ids = new Set(
    current.filter((u) => involved.includes(u.id)).map((u) => u.account_group_id),
  );
  if (ids.size === 1 && !ids.has(null)) return;

  // Merges are rare; one at a time keeps two overlapping merges from each moving half a group.
  await tx.execute(sql`select pg_advisory_xact_lock(${MERGE_LOCK}, 0)`);
  const members = await groupsOf(tx, involved);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== undefined && parent.get(root) !== root) {
      root = parent.get(root) as string;
    }
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => parent.set(find(a), find(b));
  for (const m of members) {
    parent.set(m.id, find(m.id));
    if (m.account_group_id) union(m.id, `group:${m.account_group_id}`);
  }
  for (const l of links) union(l.user_id, l.other_id);

  const components = new Map<string, Member[]>();
  for (const m of members) components.set(find(m.id), [...(components.get(find(m.id)) ?? []), m]);
  const moves: Array<{ id: string; group: string }> = [];
  for (const component of components.values()) {
    const existing = component.map((m) => m.account_group_id).filter((g) => g !== null);
    // The smallest existing id survives, so concurrent views of the same merge agree.
    const target = existing.sort()[0] ?? randomUUID();
    const moved = component.filter((m) => m.account_group_id !== target);
    if (moved.length === 0) continue;
    moves.push(...moved.map((m) => ({ id: m.id, group: target })));
    await recordEvent(tx, {
      action: "accounts_link",
      subject: `account_group:${target}`,
      outcome: "ok",
      reason: [...new Set(links.map((l) => l.kind))].sort().join(","),
      data: {
        before: Object.fromEntries(component.map((m) => [m.id, m.account_group_id])),
        after: Object.fromEntries(component.map((m) => [m.id, target])),
      },
    });
  }
  if (moves.length === 0) return;
  moves.sort((a, b) => (a.id < b.id ? -1 : 1));
  await tx.execute(sql`
    update users set account_group_id = t.g
    from unnest(${sql.param(moves.map((m) => m.id))}::uuid[],
                ${sql.param(moves.map((m) => m.group))}::uuid[]) as t(i, g)
    where users.id = t.i`);
}
