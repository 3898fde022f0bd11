/**
 * docs/images/shedding-sweep.svg: seconds over the limit against switches, one point per setting
 * of each controller's sweep, both axes logarithmic. Each controller's curve is the boundary of
 * what its settings reach: the points no other point of the same controller beats on both
 * figures, joined as steps, so whatever lies up and to the right of a curve is beaten.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ControllerName, SheddingResults, SweepPoint } from './shedding';

/** Relative to the project root, as the README links it. */
export const PLOT_FILE = 'docs/images/shedding-sweep.svg';

const W = 700;
const H = 420;
const M = { left: 70, right: 200, top: 30, bottom: 50 };
const COLOURS: Record<ControllerName, string> = { node: '#1b7f3b', example: '#b5561b', threshold: '#3a5fb0' };
export const LABELS: Record<ControllerName, string> = {
  node: 'load shedder',
  example: 'example function node',
  threshold: 'naive threshold',
};

/** Points no other point beats on both figures, by switches. */
export function front(points: readonly SweepPoint[]): SweepPoint[] {
  const beaten = (p: SweepPoint): boolean =>
    points.some(
      (q) =>
        q !== p &&
        q.overLimitS <= p.overLimitS &&
        q.switchesPerLoadDay <= p.switchesPerLoadDay &&
        (q.overLimitS < p.overLimitS || q.switchesPerLoadDay < p.switchesPerLoadDay),
    );
  return points.filter((p) => !beaten(p)).sort((a, b) => a.switchesPerLoadDay - b.switchesPerLoadDay);
}

/** Decades from below the smallest to above the largest value; values under 1 show at 1. */
function decades(values: readonly number[]): [number, number] {
  const logs = values.map((v) => Math.log10(Math.max(1, v)));
  return [Math.floor(Math.min(...logs)), Math.ceil(Math.max(...logs, 1))];
}

const f1 = (x: number): string => x.toFixed(1);

export function sweepSvg(r: SheddingResults): string {
  const all = [...r.sweep.node, ...r.sweep.example, ...r.sweep.threshold];
  const [x0, x1] = decades(all.map((p) => p.switchesPerLoadDay));
  const [y0, y1] = decades(all.map((p) => p.overLimitS));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (v: number): number => M.left + ((Math.log10(Math.max(1, v)) - x0) / (x1 - x0)) * pw;
  const sy = (v: number): number => M.top + ph - ((Math.log10(Math.max(1, v)) - y0) / (y1 - y0)) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  for (let d = x0; d <= x1; d++) {
    const x = f1(sx(10 ** d));
    out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + ph}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${M.top + ph + 18}" text-anchor="middle">${10 ** d}</text>`);
  }
  for (let d = y0; d <= y1; d++) {
    const y = f1(sy(10 ** d));
    out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${10 ** d}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">switches per load per day (log)</text>`);
  out.push(
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">seconds over the limit per day (log; 0 at 1)</text>`,
  );
  out.push(
    `<text x="${M.left}" y="18">settings swept over ${r.sweepProfiles} household day${r.sweepProfiles === 1 ? '' : 's'}, limit ${r.limitW / 1000} kW; large dot: defaults</text>`,
  );
  (['threshold', 'example', 'node'] as const).forEach((name) => {
    const colour = COLOURS[name];
    const points = r.sweep[name];
    // The boundary of what the controller reaches: every point up and to the right of it is beaten.
    const steps: string[] = [];
    const pts = front(points);
    pts.forEach((p, i) => {
      const x = f1(sx(p.switchesPerLoadDay));
      steps.push(`${x},${i === 0 ? M.top : f1(sy(pts[i - 1]?.overLimitS ?? 1))}`, `${x},${f1(sy(p.overLimitS))}`);
    });
    const last = pts[pts.length - 1];
    if (last !== undefined) steps.push(`${M.left + pw},${f1(sy(last.overLimitS))}`);
    const line = steps.join(' ');
    out.push(`<polyline points="${line}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    points.forEach((p, i) => {
      const radius = i === 0 ? 6 : 3.5;
      out.push(
        `<circle cx="${f1(sx(p.switchesPerLoadDay))}" cy="${f1(sy(p.overLimitS))}" r="${radius}" fill="${colour}" fill-opacity="0.8"/>`,
      );
    });
  });
  (['node', 'example', 'threshold'] as const).forEach((name, i) => {
    const y = M.top + 20 + i * 22;
    const x = M.left + pw + 16;
    out.push(`<line x1="${x}" y1="${y}" x2="${x + 20}" y2="${y}" stroke="${COLOURS[name]}" stroke-width="2"/>`);
    out.push(`<circle cx="${x + 10}" cy="${y}" r="3.5" fill="${COLOURS[name]}"/>`);
    out.push(`<text x="${x + 28}" y="${y}" dominant-baseline="middle">${LABELS[name]}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function writeSweepPlot(projectRoot: string, r: SheddingResults): void {
  const file = path.join(projectRoot, PLOT_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, sweepSvg(r));
}
