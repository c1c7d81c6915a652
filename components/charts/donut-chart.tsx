import styles from "./charts.module.css";

export type Slice = { key: string; label: string; value: number; color: string };

const R = 52;
const STROKE = 18;
const CIRCUMFERENCE = 2 * Math.PI * R;

/**
 * Parts of a whole (the outcome mix): a ring with the total in the middle and a legend giving
 * each part's count and share, so the figures are there as text too.
 */
export function DonutChart({
  slices,
  totalLabel,
  summary,
}: {
  slices: Slice[];
  totalLabel: string;
  summary: string;
}) {
  const total = slices.reduce((sum, s) => sum + s.value, 0);
  let offset = 0;
  return (
    <div className={styles.donutWrap}>
      <svg className={styles.donut} viewBox="0 0 140 140" role="img" aria-label={summary}>
        <circle cx={70} cy={70} r={R} fill="none" stroke="var(--line)" strokeWidth={STROKE} />
        {total > 0 &&
          slices.map((s) => {
            const length = (s.value / total) * CIRCUMFERENCE;
            const dash = (
              <circle
                key={s.key}
                cx={70}
                cy={70}
                r={R}
                fill="none"
                stroke={s.color}
                strokeWidth={STROKE}
                strokeDasharray={`${length} ${CIRCUMFERENCE - length}`}
                strokeDashoffset={-offset}
                transform="rotate(-90 70 70)"
              />
            );
            offset += length;
            return dash;
          })}
        <text className={styles.donutTotal} x={70} y={72} textAnchor="middle">
          {total.toLocaleString("en")}
        </text>
        <text className={styles.donutLabel} x={70} y={90} textAnchor="middle">
          {totalLabel}
        </text>
      </svg>
      <ul className={styles.legend}>
        {slices.map((s) => (
          <li key={s.key} data-testid={`slice-${s.key}`} data-value={s.value}>
            <span className={styles.swatch} style={{ background: s.color }} />
            <span>{s.label}</span>
            <span className={styles.legendValue}>
              {s.value.toLocaleString("en")}
              {total > 0 && ` · ${Math.round((s.value / total) * 100)}%`}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
