import styles from "./charts.module.css";
import { axisTicks, compactNumber, niceMax } from "./scale";

const LEFT = 40;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 22;

/**
 * Vertical bars over categories in their natural order (hours of the day, buckets of time).
 * Every `labelEvery`-th label is printed; each bar's own title shows its exact value on hover.
 */
export function ColumnChart({
  labels,
  values,
  summary,
  color = "var(--brand)",
  width = 640,
  height = 180,
  labelEvery = 1,
}: {
  labels: string[];
  values: number[];
  summary: string;
  color?: string;
  /** About the width it is shown at, so its text keeps the page's size. */
  width?: number;
  height?: number;
  labelEvery?: number;
}) {
  const top = niceMax(Math.max(0, ...values));
  const plotW = width - LEFT - RIGHT;
  const plotH = height - TOP - BOTTOM;
  const slot = plotW / Math.max(values.length, 1);
  // A few buckets would otherwise draw slabs: bars stay bar-shaped.
  const barW = Math.min(Math.max(1, slot * 0.72), 36);
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  return (
    <svg className={styles.svg} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={summary}>
      {axisTicks(top).map((t) => (
        <g key={t}>
          <line className={styles.grid} x1={LEFT} x2={width - RIGHT} y1={y(t)} y2={y(t)} />
          <text className={styles.axis} x={LEFT - 6} y={y(t) + 4} textAnchor="end">
            {compactNumber(t)}
          </text>
        </g>
      ))}
      {values.map((v, i) => {
        const cx = LEFT + slot * i + slot / 2;
        const label = labels[i] ?? "";
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the columns are positions on an axis
          <g key={i}>
            <rect
              className={styles.column}
              x={cx - barW / 2}
              y={y(v)}
              width={barW}
              height={Math.max(0, y(0) - y(v))}
              rx={Math.min(3, barW / 3)}
              fill={color}
            >
              <title>{`${label}: ${v}`}</title>
            </rect>
            {i % labelEvery === 0 && (
              <text className={styles.axis} x={cx} y={height - 6} textAnchor="middle">
                {label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
