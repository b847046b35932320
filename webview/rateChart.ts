import { formatRate } from './format';
import type { RateSample } from './panelState';
import { svg, type PanelDocument } from './ui/dom';

export const CHART_WIDTH = 300;
export const CHART_HEIGHT = 90;
/** Room at the top for the scale label. */
const TOP_MARGIN = 14;

export interface ChartGeometry {
  linePath: string;
  areaPath: string;
  maxBytesPerSecond: number;
}

/** The rate line scaled into the chart box: time along x (first to last sample), rate up y. Pure. */
export function rateChartGeometry(samples: readonly RateSample[], width = CHART_WIDTH, height = CHART_HEIGHT): ChartGeometry {
  if (samples.length === 0) return { linePath: '', areaPath: '', maxBytesPerSecond: 0 };
  const first = samples[0]!.atMs;
  const spanMs = Math.max(1, samples[samples.length - 1]!.atMs - first);
  const maxBytesPerSecond = Math.max(...samples.map((s) => s.bytesPerSecond), 1);
  const plotHeight = height - TOP_MARGIN;
  // A single sample spans the whole width, as a flat line at its rate.
  const xs = samples.length === 1 ? [0, width] : samples.map((s) => ((s.atMs - first) / spanMs) * width);
  const rates = samples.length === 1 ? [samples[0]!.bytesPerSecond, samples[0]!.bytesPerSecond] : samples.map((s) => s.bytesPerSecond);
  const points = xs.map((x, i) => `${x.toFixed(1)},${(height - (rates[i]! / maxBytesPerSecond) * plotHeight).toFixed(1)}`);
  const linePath = `M${points.join(' L')}`;
  const areaPath = `${linePath} L${xs[xs.length - 1]!.toFixed(1)},${height} L${xs[0]!.toFixed(1)},${height} Z`;
  return { linePath, areaPath, maxBytesPerSecond };
}

/** The transfer rate over time, drawn as inline SVG (no chart library, nothing the CSP must allow). */
export function rateChart(doc: PanelDocument, samples: readonly RateSample[]): SVGElement {
  const g = rateChartGeometry(samples);
  return svg(
    doc,
    'svg',
    {
      className: 'chart',
      attrs: { viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Transfer rate over time' },
    },
    svg(doc, 'line', { className: 'axis', attrs: { x1: 0, y1: CHART_HEIGHT - 0.5, x2: CHART_WIDTH, y2: CHART_HEIGHT - 0.5 } }),
    g.areaPath && svg(doc, 'path', { className: 'area', attrs: { d: g.areaPath } }),
    g.linePath && svg(doc, 'path', { className: 'line', attrs: { d: g.linePath } }),
    svg(doc, 'text', { attrs: { x: 2, y: 10 } }, g.maxBytesPerSecond > 0 ? `peak ${formatRate(g.maxBytesPerSecond)}` : 'rate'),
  );
}
