"use client";

import { hexToBytes } from "@noble/hashes/utils";
import Link from "next/link";
import { type FormEvent, useState, useSyncExternalStore } from "react";
import { DateTime } from "@/components/ui/date-time";
import {
  ANCHOR_CHECK_HINT,
  checkDrawLogged,
  type DrawCheck,
  type LoggedLeaf,
} from "@/lib/queue/draw";
import type { QueueProof } from "@/lib/queue/model";
import { placePseudonym } from "@/lib/queue/shuffle";
import styles from "./waiting-room.module.css";

type Entry = { playerId: string; salt: string };

/**
 * The player's panel: what finds their place in the public list, shown to them alone. With the
 * account id and the salt anyone can recompute the pseudonym, so the player keeps them.
 */
export function MyQueueEntry({
  dropId,
  pseudonym,
  entry,
}: {
  dropId: string;
  pseudonym: string;
  entry: Entry;
}) {
  return (
    <details className="small" style={{ marginTop: 12 }} data-testid="queue-my-entry">
      <summary>Your entry in the public list</summary>
      <dl className="facts">
        <dt>Pseudonym</dt>
        <dd>
          <code className={`mono ${styles.hash}`} data-testid="queue-entry-pseudonym">
            {pseudonym}
          </code>
        </dd>
        <dt>Account id</dt>
        <dd>
          <code className={`mono ${styles.hash}`}>{entry.playerId}</code>
        </dd>
        <dt>Salt</dt>
        <dd>
          <code className={`mono ${styles.hash}`} data-testid="queue-entry-salt">
            {entry.salt}
          </code>
        </dd>
      </dl>
      <p style={{ margin: 0 }}>
        Only you see the salt: with it and your account id, the pseudonym is SHA-256 of the drop,
        you and the salt. Keep it to yourself, since it links the pseudonym to you.{" "}
        <Link href={`/drops/${dropId}/queue#check-entry`}>Check your entry</Link>.
      </p>
    </details>
  );
}

type Found = {
  pseudonym: string;
  joinedAt: string | null;
  preQueue: boolean;
  drawn: boolean;
  position: number | null;
  logged: DrawCheck | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SALT = /^[0-9a-f]{64}$/i;

/** The salt as bytes, or what is wrong with the inputs, in words. */
function parseInputs(playerId: string, salt: string): Uint8Array | string {
  if (!UUID.test(playerId)) return "The account id is a UUID: 32 hex digits in five groups.";
  if (!SALT.test(salt)) return "The salt is 64 hex digits (32 bytes).";
  return hexToBytes(salt);
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { cache: "no-store" });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.json();
}

/** Where the recomputed pseudonym stands in the proof, and the draw's entry in the log. */
async function findEntry(dropId: string, playerId: string, salt: Uint8Array): Promise<Found> {
  const pseudonym = placePseudonym(dropId, playerId, salt);
  const proof = (await fetchJson(`/api/v1/drops/${dropId}/queue/proof`)) as QueueProof;
  const listed = proof.entries.find((e) => e.pseudonym === pseudonym);
  const index = proof.order?.indexOf(pseudonym) ?? -1;
  const leafIndex = proof.draw?.leafIndex ?? null;
  const logged =
    leafIndex === null
      ? null
      : checkDrawLogged(
          proof,
          (await fetchJson(`/api/v1/ledger/entries/${leafIndex}`).catch(() => undefined)) as
            | LoggedLeaf
            | undefined,
        );
  return {
    pseudonym,
    joinedAt: listed?.joinedAt ?? null,
    preQueue: listed !== undefined && Date.parse(listed.joinedAt) < Date.parse(proof.startsAt),
    drawn: proof.order !== null,
    position: index === -1 ? null : index + 1,
    logged,
  };
}

function Verdict({ found }: { found: Found }) {
  if (found.joinedAt === null) {
    return (
      <p className="alert error" data-testid="queue-check-result" data-found="false">
        Your entry is NOT in the published list: this pseudonym is not among its entries.
      </p>
    );
  }
  const where = found.preQueue ? "in the pre-queue" : "after the start";
  const placed =
    found.position !== null
      ? `The drawn order puts it at position ${found.position}.`
      : found.drawn
        ? "It has no position yet: later arrivals are placed within seconds."
        : "The order is drawn at the start.";
  return (
    <p className="alert success" data-testid="queue-check-result" data-found="true">
      Your entry is in the published list, joined <DateTime value={found.joinedAt} />, {where}.{" "}
      <span data-testid="queue-check-position">{placed}</span>
    </p>
  );
}

/** A text field for an id or hex: no autocomplete, no spelling marks. */
function CodeField({ label, name, value }: { label: string; name: string; value?: string }) {
  return (
    <label>
      {label}
      <input
        name={name}
        defaultValue={value ?? ""}
        autoComplete="off"
        spellCheck={false}
        className="mono"
      />
    </label>
  );
}

const subscribeToNothing = () => () => {};

/** False in the server's HTML and while hydrating, true once this browser runs the script. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}

/**
 * "Check my entry" on the order page: recomputes the player's pseudonym in this browser from the
 * drop, their account id and salt, then finds it in the public list and the drawn order. A
 * signed-in player's own id and salt are filled in; anyone may paste theirs.
 */
export function QueueEntryCheck({ dropId, entry }: { dropId: string; entry: Entry | null }) {
  const [found, setFound] = useState<Found | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const hydrated = useHydrated();

  const check = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const playerId = String(form.get("playerId") ?? "").trim();
    const salt = parseInputs(playerId, String(form.get("salt") ?? "").trim());
    setFound(null);
    setError(null);
    if (typeof salt === "string") {
      setError(salt);
      return;
    }
    setRunning(true);
    try {
      setFound(await findEntry(dropId, playerId.toLowerCase(), salt));
    } catch (e) {
      setError(`Could not check: ${(e as Error).message}`);
    } finally {
      setRunning(false);
    }
  };

  return (
    <section className="card" aria-labelledby="check-entry" data-testid="queue-entry-check">
      <h2 id="check-entry" style={{ marginTop: 0 }}>
        Check my entry
      </h2>
      <p className="small muted">
        Your pseudonym is recomputed here, in your browser, from this drop, your account id and the
        salt your waiting-room panel shows you; nothing is sent but a request for the public list.
      </p>
      {/* The salt must never reach a URL (logs, history): before the script runs the button is
          disabled, and were the form still submitted natively it is a POST, not a GET. */}
      <form method="post" onSubmit={check} noValidate>
        <CodeField label="Account id" name="playerId" value={entry?.playerId} />
        <CodeField label="Salt" name="salt" value={entry?.salt} />
        <button type="submit" disabled={running || !hydrated} style={{ marginTop: 8 }}>
          {running ? "Checking…" : "Check my entry"}
        </button>
      </form>
      <div aria-live="polite">
        {error && (
          <p className="alert error" role="alert" data-testid="queue-check-error">
            {error}
          </p>
        )}
        {found && (
          <>
            <p className="small">
              Recomputed pseudonym:{" "}
              <code className={`mono ${styles.hash}`} data-testid="queue-check-pseudonym">
                {found.pseudonym}
              </code>
            </p>
            <Verdict found={found} />
            {found.logged && (
              <>
                <p className="small" data-testid="queue-check-ledger" data-ok={found.logged.ok}>
                  {found.logged.ok ? "✓" : "✗"} {found.logged.label}: {found.logged.detail}
                </p>
                <p className="small muted" data-testid="queue-check-anchor-hint">
                  {ANCHOR_CHECK_HINT}
                </p>
              </>
            )}
          </>
        )}
      </div>
    </section>
  );
}
