"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import type { FormState } from "@/lib/actions/form-state";
import {
  DICE_MAX_TARGET,
  DICE_MIN_TARGET,
  diceMultiplier,
  formatMultiplier,
} from "@/lib/games/dice";
import type { GameDescription } from "@/lib/games/games";
import type { GameId } from "@/lib/games/model";
import type { RoundView } from "@/lib/rounds/model";
import {
  type Currency,
  currencies,
  currencyLabels,
  formatCoins,
  parseCoins,
} from "@/lib/wallet/model";
import styles from "./play.module.css";
import { RoundResult } from "./round-result";

/** The play action as the page binds it: one round per call, answered once per key. */
export type PlayAction = (input: {
  idempotencyKey: string;
  round: unknown;
}) => Promise<FormState<RoundView>>;

type Balances = Record<Currency, string>;

/** The round asked for, and the key it was sent under while no answer has come back. */
type Attempt = { key: string; body: string };

function clampTarget(target: number): number {
  return Math.min(DICE_MAX_TARGET, Math.max(DICE_MIN_TARGET, Math.round(target * 100) / 100));
}

/** Keys typed into a field or pressed on a control are that control's own. */
function isControl(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable ||
      target.closest("input, textarea, select, button, a, summary, [role=radio]") !== null)
  );
}

/** The published paytable as it comes: one column per field. */
function Paytable({ rows }: { rows: GameDescription["paytable"] }) {
  const columns = Object.keys(rows[0] ?? {});
  return (
    <div className={styles.scroll}>
      <table data-testid="paytable">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={columns.map((c) => String(row[c])).join("|")}>
              {columns.map((c) => (
                <td key={c}>{String(row[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A row of radio buttons shown as pills. */
function Choice<V extends string>({
  legend,
  legendId,
  name,
  options,
  value,
  onChange,
}: {
  legend: string;
  legendId?: string;
  name: string;
  options: { value: V; label: string }[];
  value: V;
  onChange: (value: V) => void;
}) {
  return (
    <fieldset className={styles.choice}>
      <legend id={legendId}>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className={styles.pill}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={value === o.value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * The game table: game, currency, stake and (for dice) target, then play by button or keyboard.
 * Each press is sent under an idempotency key kept until an answer comes back, so a double press
 * plays once and a press retrying a request that got no answer replays it rather than playing
 * again. The balance shown moves with each answer at once; the page's history follows through a
 * refresh.
 */
export function GamePanel({
  games,
  balances,
  newestPlayedAt,
  play,
}: {
  games: GameDescription[];
  balances: Balances;
  /** When the newest round the server knew of was played: the balances are at least as new. */
  newestPlayedAt: string | null;
  play: PlayAction;
}) {
  const router = useRouter();
  const [game, setGame] = useState<GameId>("dice");
  const [currency, setCurrency] = useState<Currency>("GC");
  const [stake, setStake] = useState("1.00");
  const [target, setTarget] = useState(50);
  const [targetText, setTargetText] = useState("50");
  const [result, setResult] = useState<RoundView | null>(null);
  const [refusal, setRefusal] = useState<{ message: string; code?: string } | null>(null);
  const [pending, setPending] = useState(false);
  const [, startRefresh] = useTransition();
  const attempt = useRef<Attempt | null>(null);
  const inFlight = useRef(false);

  const moveTarget = (next: number) => {
    const clamped = clampTarget(next);
    setTarget(clamped);
    setTargetText(String(clamped));
  };

  const stakeMinor = parseCoins(stake.trim());
  const targetHundredths = Math.round(target * 100);
  const multiplier = diceMultiplier(targetHundredths);
  const payout = stakeMinor === null ? null : (BigInt(stakeMinor) * BigInt(multiplier)) / 10_000n;

  // A round answered here is newer than the page's balances until a refresh brings them.
  const shown: Balances =
    result && result.playedAt > (newestPlayedAt ?? "")
      ? { ...balances, [result.currency]: result.balanceAfter }
      : balances;

  const playRound = async () => {
    if (inFlight.current) return;
    const body = JSON.stringify({
      game,
      currency,
      stake: stake.trim(),
      params: game === "dice" ? { target } : {},
    });
    // A retry of the same request after no answer keeps its key: the server answers it once.
    if (attempt.current?.body !== body) attempt.current = { key: crypto.randomUUID(), body };
    const { key } = attempt.current;
    inFlight.current = true;
    setPending(true);
    try {
      const state = await play({ idempotencyKey: key, round: JSON.parse(body) });
      attempt.current = null;
      if (state.data) {
        setResult(state.data);
        setRefusal(null);
        startRefresh(() => router.refresh());
      } else {
        setRefusal({
          message: state.error ?? "The round was refused",
          code: state.reason ?? state.code,
        });
      }
    } catch {
      setRefusal({ message: "No answer from the server: press Play again to retry this round" });
    } finally {
      inFlight.current = false;
      setPending(false);
    }
  };

  // Enter and Space play, the arrow keys move the target, wherever the focus is not on a control.
  const latest = useRef({ playRound, moveTarget, target, game });
  latest.current = { playRound, moveTarget, target, game };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (isControl(event.target)) return;
      const now = latest.current;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        if (!event.repeat) void now.playRound();
        return;
      }
      if (now.game !== "dice") return;
      const step = event.shiftKey ? 10 : 1;
      const delta =
        event.key === "ArrowRight" || event.key === "ArrowUp"
          ? step
          : event.key === "ArrowLeft" || event.key === "ArrowDown"
            ? -step
            : 0;
      if (delta === 0) return;
      event.preventDefault();
      now.moveTarget(now.target + delta);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const description = games.find((g) => g.id === game);

  return (
    <section className={`card ${styles.table}`} aria-labelledby="game-title">
      <div className={styles.balances} data-testid="play-balances">
        {currencies.map((c) => (
          <div key={c} className={styles.balance}>
            <span className="muted small">{currencyLabels[c]}</span>
            <strong data-testid={`balance-${c}`}>{shown[c]}</strong>
          </div>
        ))}
      </div>

      <form
        className={styles.form}
        onSubmit={(event) => {
          event.preventDefault();
          void playRound();
        }}
      >
        <Choice
          legend="Game"
          legendId="game-title"
          name="game"
          options={games.map((g) => ({ value: g.id, label: g.name }))}
          value={game}
          onChange={setGame}
        />
        <Choice
          legend="Currency"
          name="currency"
          options={currencies.map((c) => ({ value: c, label: `${currencyLabels[c]} (${c})` }))}
          value={currency}
          onChange={setCurrency}
        />

        <label className={styles.stake}>
          Stake ({currency})
          <input
            name="stake"
            inputMode="decimal"
            autoComplete="off"
            value={stake}
            onChange={(e) => setStake(e.target.value)}
            aria-invalid={stakeMinor === null || stakeMinor === 0}
          />
        </label>

        {game === "dice" && (
          <div className={styles.dice}>
            <label className={styles.slider}>
              Target: win when the roll is under it
              <input
                type="range"
                min={DICE_MIN_TARGET}
                max={DICE_MAX_TARGET}
                step={1}
                value={target}
                onChange={(e) => moveTarget(Number(e.target.value))}
                aria-label="Target (slider)"
              />
            </label>
            <label className={styles.targetNumber}>
              Target
              <input
                type="number"
                min={DICE_MIN_TARGET}
                max={DICE_MAX_TARGET}
                step={0.01}
                value={targetText}
                onChange={(e) => {
                  setTargetText(e.target.value);
                  const typed = Number(e.target.value);
                  if (e.target.value !== "" && Number.isFinite(typed))
                    setTarget(clampTarget(typed));
                }}
                onBlur={() => setTargetText(String(target))}
              />
            </label>
            <dl className={styles.odds} data-testid="dice-odds">
              <div>
                <dt>Win chance</dt>
                <dd>{((targetHundredths / 10_001) * 100).toFixed(2)}%</dd>
              </div>
              <div>
                <dt>Multiplier</dt>
                <dd>×{formatMultiplier(multiplier)}</dd>
              </div>
              <div>
                <dt>Payout on a win</dt>
                <dd data-testid="dice-payout">
                  {payout === null ? "—" : `${formatCoins(payout)} ${currency}`}
                </dd>
              </div>
            </dl>
          </div>
        )}

        <button type="submit" className={`big ${styles.play}`} disabled={pending}>
          {pending ? "Playing…" : `Play ${description?.name ?? ""}`}
        </button>
      </form>

      {refusal && (
        <p className="alert error" role="alert" data-testid="play-error" data-code={refusal.code}>
          {refusal.message}
        </p>
      )}
      <RoundResult round={result} />

      <p className="muted small" data-testid="keyboard-help">
        Keyboard: <kbd>Enter</kbd> or <kbd>Space</kbd> plays; <kbd>←</kbd> <kbd>→</kbd> (or{" "}
        <kbd>↓</kbd> <kbd>↑</kbd>) move the dice target by 1, with <kbd>Shift</kbd> by 10. In a
        field, <kbd>Enter</kbd> plays too.
      </p>
      {description && (
        <details className="small">
          <summary>Rules and paytable of {description.name}</summary>
          <p>{description.rules}</p>
          <Paytable rows={description.paytable} />
          <p className="muted">
            Return to player {(description.rtp * 100).toFixed(2)}%: {description.rtpNote}
          </p>
        </details>
      )}
    </section>
  );
}
