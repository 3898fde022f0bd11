/** Page-side helpers of the panel: words, countdowns and the chart's geometry. Pure. */
import type { LoadRow, PanelModel } from '../src/model';

export type Point = [number, number];

export function kW(w: number | null): string {
  return w === null ? '–' : (w / 1000).toFixed(1);
}

/** "1:05", "12:00", "1:02:03" */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Seconds left of a countdown the server gave at `at`, as of `now`. */
export function left(seconds: number | null, at: number, now: number): number | null {
  if (seconds === null) return null;
  return Math.max(0, seconds - Math.max(0, now - at) / 1000);
}

/** The confirmed state only: a command in flight or held is said beside it, never instead of it. */
export function stateWord(load: LoadRow): string {
  return load.actual ?? 'unknown';
}

export function noteWord(load: LoadRow): string | null {
  if (load.held) return load.wanted === null ? 'held' : `held: wanted ${load.wanted}`;
  if (load.pending) return load.wanted === null ? 'pending' : `pending: ${load.wanted}`;
  return null;
}

/** Adds a live point: one a second at most, and nothing older than the window. */
export function addPoint(history: Point[], point: Point, windowS: number): Point[] {
  const from = point[0] - windowS * 1000;
  const kept = history.filter(([t]) => t >= from);
  const last = kept[kept.length - 1];
  if (last !== undefined && last[0] === point[0]) kept[kept.length - 1] = point;
  else if (last === undefined || point[0] > last[0]) kept.push(point);
  return kept;
}

export interface ChartGeometry {
  power: string;
  limitY: number | null;
  projectedY: number | null;
  maxW: number;
}

export const CHART_W = 300;
export const CHART_H = 100;

/** Polyline points and line heights for an SVG of CHART_W × CHART_H, newest point at the right. */
export function chartGeometry(
  model: Pick<PanelModel, 'limitW' | 'projectedW'>,
  history: Point[],
  windowS: number,
  now: number,
): ChartGeometry {
  const values = history.map(([, w]) => w);
  const maxW = Math.max(1000, (model.limitW ?? 0) * 1.25, (model.projectedW ?? 0) * 1.1, ...values.map((w) => w * 1.1));
  const y = (w: number): number => Math.round((CHART_H - (Math.max(0, w) / maxW) * CHART_H) * 10) / 10;
  const from = now - windowS * 1000;
  const x = (t: number): number => Math.round(((t - from) / (windowS * 1000)) * CHART_W * 10) / 10;
  const power = history
    .filter(([t]) => t >= from)
    .map(([t, w]) => `${x(t)},${y(w)}`)
    .join(' ');
  return {
    power,
    limitY: model.limitW === null ? null : y(model.limitW),
    projectedY: model.projectedW === null ? null : y(model.projectedW),
    maxW,
  };
}

export const DURATIONS: ReadonlyArray<{ label: string; seconds: number }> = [
  { label: '15 min', seconds: 900 },
  { label: '1 h', seconds: 3600 },
  { label: '4 h', seconds: 14_400 },
  { label: '12 h', seconds: 43_200 },
];
