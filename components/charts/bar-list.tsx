import type { ReactNode } from "react";
import styles from "./charts.module.css";
import { PALETTE } from "./scale";

export type Bar = { key: string; label: ReactNode; value: number; color?: string };

/**
 * Horizontal bars, largest first as given: labels stay readable text (long prize names,
 * refusal reasons) and each bar's length is its share of the largest.
 */
export function BarList({
  bars,
  empty = "Nothing yet",
  format = (n: number) => n.toLocaleString("en"),
  color = PALETTE[0],
}: {
  bars: Bar[];
  empty?: string;
  format?: (value: number) => string;
  color?: string;
}) {
  if (bars.length === 0) return <p className={styles.empty}>{empty}</p>;
  const max = Math.max(1, ...bars.map((b) => b.value));
  return (
    <ul className={styles.bars}>
      {bars.map((b) => (
        <li key={b.key} className={styles.barRow} data-testid="bar" data-key={b.key}>
          <span className={styles.barLabel}>{b.label}</span>
          <span className={styles.barTrack} aria-hidden="true">
            <span
              className={styles.barFill}
              style={{
                display: "block",
                width: `${(b.value / max) * 100}%`,
                // A tick shows that a small value is not zero; zero draws nothing.
                minWidth: b.value > 0 ? 3 : 0,
                background: b.color ?? color,
              }}
            />
          </span>
          <span className={styles.barValue}>{format(b.value)}</span>
        </li>
      ))}
    </ul>
  );
}
