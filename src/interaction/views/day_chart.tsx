/**
 * A bar chart of one count per day, drawn on the server as inline SVG: no script, styled by the
 * stylesheet's classes (the CSP allows no style attribute). The chart is an image with a title for
 * a screen reader, and its numbers are in a table under "The numbers" (a details element), so
 * nothing is only a picture. Generic: the console's Overview draws it, and a person's Activity can.
 * @module
 */

export interface DayValue {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  value: number;
}

export interface DayChartProps {
  /** Unique on the page: the ids of the chart's title and table derive from it. */
  id: string;
  /** What is counted, as a heading says it ("Sign-ins per day"). */
  label: string;
  /** The days in order, oldest first; a day without any is given as 0. */
  series: readonly DayValue[];
}

/** The width of one day in the drawing's own units; the SVG scales to its box. */
const STEP = 10;
const GAP = 2;
const HEIGHT = 100;

function total(series: readonly DayValue[]): number {
  return series.reduce((sum, d) => sum + d.value, 0);
}

export function DayChart({ id, label, series }: DayChartProps) {
  const max = Math.max(0, ...series.map((d) => d.value));
  const first = series[0]?.day;
  const last = series[series.length - 1]?.day;
  const summary = `${label}: ${total(series)} from ${first ?? '–'} to ${last ?? '–'}, at most ${max} in a day`;
  return (
    <figure class="day-chart">
      <figcaption id={`${id}-caption`}>{label}</figcaption>
      <svg
        viewBox={`0 0 ${Math.max(series.length, 1) * STEP} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby={`${id}-title`}
        class="day-chart-bars"
      >
        <title id={`${id}-title`}>{summary}</title>
        <line class="day-chart-axis" x1="0" y1={HEIGHT} x2={series.length * STEP} y2={HEIGHT} />
        {series.map((d, i) => {
          const height = max === 0 ? 0 : (d.value / max) * HEIGHT;
          return (
            <rect
              key={d.day}
              class="day-chart-bar"
              x={i * STEP + GAP / 2}
              y={HEIGHT - height}
              width={STEP - GAP}
              height={height}
              data-day={d.day}
              data-value={d.value}
            >
              <title>{`${d.day}: ${d.value}`}</title>
            </rect>
          );
        })}
      </svg>
      <p class="day-chart-scale hint" aria-hidden="true">
        <span>{first}</span>
        <span>max {max}</span>
        <span>{last}</span>
      </p>
      <details>
        <summary>The numbers</summary>
        <table class="day-chart-table" aria-labelledby={`${id}-caption`}>
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Count</th>
            </tr>
          </thead>
          <tbody>
            {series.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
