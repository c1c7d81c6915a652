import styles from "./charts.module.css";
import { axisTicks, compactNumber, niceMax } from "./scale";

export type AreaSeries = {
  name: string;
  values: number[];
  color: string;
  /** Shade the area under the line (the first, main series usually). */
  filled?: boolean;
};

const LEFT = 40;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 22;

/**
 * Lines (optionally shaded) over evenly spaced points, e.g. claims per second or units left.
 * `labels` name the points; the first, middle and last are printed under the axis. `width` is
 * about the width it is shown at, so its text keeps the page's size. `yMax`, when given, is the
 * axis's top as is (a drop's units); otherwise the data's maximum rounded up. The chart is an
 * image to screen readers, described by `summary`.
 */
export function AreaChart({
  labels,
  series,
  summary,
  width = 640,
  height = 180,
  yMax,
  showLegend = series.length > 1,
}: {
  labels: string[];
  series: AreaSeries[];
  summary: string;
  width?: number;
  height?: number;
  yMax?: number;
  showLegend?: boolean;
}) {
  const count = labels.length;
  const top = yMax && yMax > 0 ? yMax : niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotW = width - LEFT - RIGHT;
  const plotH = height - TOP - BOTTOM;
  const x = (i: number) => LEFT + (count <= 1 ? plotW / 2 : (i / (count - 1)) * plotW);
  const y = (v: number) => TOP + plotH - (Math.min(v, top) / top) * plotH;
  const ticks = axisTicks(top);
  const xTicks = count > 2 ? [0, Math.floor((count - 1) / 2), count - 1] : [0, count - 1];
  return (
    <>
      <svg
        className={styles.svg}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={summary}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line className={styles.grid} x1={LEFT} x2={width - RIGHT} y1={y(t)} y2={y(t)} />
            <text className={styles.axis} x={LEFT - 6} y={y(t) + 4} textAnchor="end">
              {compactNumber(t)}
            </text>
          </g>
        ))}
        {count > 0 &&
          [...new Set(xTicks)].map((i) => (
            <text
              key={i}
              className={styles.axis}
              x={x(i)}
              y={height - 6}
              textAnchor={i === 0 ? "start" : i === count - 1 ? "end" : "middle"}
            >
              {labels[i]}
            </text>
          ))}
        {series.map((s) => {
          if (s.values.length === 0) return null;
          const line = s.values.map((v, i) => `${i === 0 ? "M" : "L"}${x(i)},${y(v)}`).join("");
          const last = s.values.length - 1;
          return (
            <g key={s.name}>
              {s.filled && (
                <path
                  d={`${line}L${x(last)},${y(0)}L${x(0)},${y(0)}Z`}
                  fill={s.color}
                  fillOpacity={0.14}
                />
              )}
              <path
                d={line}
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeLinejoin="round"
                strokeLinecap="round"
                vectorEffect="non-scaling-stroke"
              />
              <circle cx={x(last)} cy={y(s.values[last] ?? 0)} r={3} fill={s.color} />
            </g>
          );
        })}
      </svg>
      {showLegend && (
        <ul className={styles.legend}>
          {series.map((s) => (
            <li key={s.name}>
              <span className={styles.swatch} style={{ background: s.color }} />
              {s.name}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
