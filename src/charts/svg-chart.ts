/**
 * Charts as SVG strings: the scenario report (written by Node) and the console (in the browser)
 * draw the same pictures from this code. No scripts, no external files, no DOM: a string in, a
 * string out, so it works under a strict Content-Security-Policy and in a file on disk.
 *
 * What the lessons need and a generic line chart lacks:
 *  - step lines (a rate set at 00:00 holds all day, then jumps), drawn with horizontal and
 *    vertical segments, never a slope;
 *  - levels (margin call, liquidation) as labelled horizontal lines;
 *  - markers (a liquidation, bad debt) as labelled vertical lines on the time axis;
 *  - an x axis in time (days, fractional), so a price gap at 09:00 is a jump at 09:00.
 */
import { compactNumber, escapeHtml } from './format.js';

export interface Series {
  name: string;
  /** [x, y]; a null y breaks the line. */
  points: [number, number | null][];
  /** Holds each value until the next point (a rate, a price set at an hour). */
  step?: boolean;
  dashed?: boolean;
  colour?: string;
}

export interface Level {
  value: number;
  label: string;
  colour?: string;
}

export interface Marker {
  x: number;
  label: string;
  tone?: 'danger' | 'warning' | 'info';
}

export interface ChartSpec {
  title: string;
  /** One or two sentences under the title: what to look at. */
  lesson?: string;
  series: Series[];
  levels?: Level[];
  markers?: Marker[];
  /** A highlighted point (today's utilisation on a rate curve). */
  dot?: { x: number; y: number; label: string };
  yFormat?: (v: number) => string;
  xFormat?: (v: number) => string;
  xTitle?: string;
  /** Start the y axis at zero (default true); false fits the data (a share of its start). */
  yFromZero?: boolean;
  /** The y axis reaches at least this high (room above the data for labels). */
  yMax?: number;
  width?: number;
  height?: number;
}

/** Dark enough on white for WCAG AA as text (4.5:1). */
export const PALETTE = ['#1f5fa8', '#b3261e', '#1b6e3a', '#8a4b00', '#6a3d9a', '#5c5c5c', '#a3006b', '#00646e'];
const TONES = { danger: '#b3261e', warning: '#8a4b00', info: '#1f5fa8' };

function niceStep(range: number, count: number): number {
  const raw = range / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

function ticks(lo: number, hi: number, count: number): number[] {
  const step = niceStep(hi - lo, count);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  return out;
}

const f1 = (n: number) => n.toFixed(1);

/** A chart as an HTML <figure> holding an accessible SVG (role img, its title as the name). */
export function chartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 260;
  // The legend flows left to right and wraps (about 7 px a character at 12 px).
  const legend: { x: number; row: number }[] = [];
  {
    let [x, row] = [64, 0];
    for (const s of spec.series) {
      const w = 30 + s.name.length * 7 + 14;
      if (x + w > width - 16 && x > 64) [x, row] = [64, row + 1];
      legend.push({ x, row });
      x += w;
    }
  }
  const rows = legend.length ? legend[legend.length - 1].row + 1 : 0;
  const pad = { left: 64, right: 16, top: 14 + 18 * rows, bottom: spec.xTitle ? 40 : 26 };
  const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);
  const ys = [
    ...spec.series.flatMap((s) => s.points.map((p) => p[1]).filter(finite)),
    ...(spec.levels ?? []).map((l) => l.value),
    ...(spec.dot ? [spec.dot.y] : []),
    ...(spec.yMax !== undefined ? [spec.yMax] : []),
  ];
  const xs = [...spec.series.flatMap((s) => s.points.map((p) => p[0])), ...(spec.markers ?? []).map((m) => m.x)];
  if (ys.length === 0 || xs.length === 0) return '';
  let [ylo, yhi] = [Math.min(...ys), Math.max(...ys)];
  if (spec.yFromZero !== false) ylo = Math.min(0, ylo);
  if (yhi - ylo < Math.abs(yhi) * 1e-9 || yhi === ylo) {
    const spread = Math.abs(yhi) * 0.01 || 1;
    [ylo, yhi] = [spec.yFromZero !== false ? ylo : ylo - spread, yhi + spread];
  } else {
    const margin = (yhi - ylo) * 0.06;
    yhi += margin;
    if (spec.yFromZero === false) ylo -= margin;
  }
  let [xlo, xhi] = [Math.min(...xs), Math.max(...xs)];
  if (xhi === xlo) xhi = xlo + 1;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const X = (v: number) => pad.left + ((v - xlo) / (xhi - xlo)) * plotW;
  const Y = (v: number) => pad.top + (1 - (v - ylo) / (yhi - ylo)) * plotH;
  const yFormat = spec.yFormat ?? compactNumber;
  const xFormat = spec.xFormat ?? ((v: number) => String(+v.toFixed(2)));
  const parts: string[] = [];

  const yTicks = ticks(ylo, yhi, 4);
  for (const v of yTicks) {
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${f1(Y(v))}" y2="${f1(Y(v))}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${f1(Y(v) + 4)}" text-anchor="end" font-size="11" fill="#333">${escapeHtml(yFormat(v))}</text>`);
  }
  const xTicks = ticks(xlo, xhi, Math.min(10, Math.max(2, Math.floor(plotW / 70))));
  for (const v of xTicks) {
    parts.push(`<line x1="${f1(X(v))}" x2="${f1(X(v))}" y1="${height - pad.bottom}" y2="${height - pad.bottom + 4}" stroke="#777"/>`);
    parts.push(`<text x="${f1(X(v))}" y="${height - pad.bottom + 16}" text-anchor="middle" font-size="11" fill="#333">${escapeHtml(xFormat(v))}</text>`);
  }
  parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}" stroke="#777"/>`);
  if (spec.xTitle) parts.push(`<text x="${pad.left + plotW / 2}" y="${height - 6}" text-anchor="middle" font-size="11" fill="#333">${escapeHtml(spec.xTitle)}</text>`);

  // Marker labels go on the first row where they overlap no other label (about 6.5 px a character).
  const taken: [number, number][][] = [];
  (spec.markers ?? []).forEach((m) => {
    const colour = TONES[m.tone ?? 'danger'];
    const x = X(m.x);
    const anchor = x > pad.left + plotW * 0.7 ? 'end' : 'start';
    const w = m.label.length * 6.5 + 8;
    const span: [number, number] = anchor === 'end' ? [x - w, x] : [x, x + w];
    let row = taken.findIndex((r) => r.every(([a, b]) => span[1] < a || span[0] > b));
    if (row < 0) row = taken.push([]) - 1;
    taken[row].push(span);
    parts.push(`<line x1="${f1(x)}" x2="${f1(x)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="2 3"/>`);
    parts.push(
      `<text x="${f1(x + (anchor === 'end' ? -4 : 4))}" y="${pad.top + 12 + 13 * row}" text-anchor="${anchor}" font-size="11" font-weight="600" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(m.label)}</text>`,
    );
  });
  for (const level of spec.levels ?? []) {
    const colour = level.colour ?? '#8a4b00';
    const y = Y(level.value);
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${f1(y)}" y2="${f1(y)}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${width - pad.right - 4}" y="${f1(y - 4)}" text-anchor="end" font-size="11" font-weight="600" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(level.label)}</text>`);
  }

  spec.series.forEach((s, k) => {
    const colour = s.colour ?? PALETTE[k % PALETTE.length];
    const d: string[] = [];
    let previous: [number, number] | null = null;
    for (const [x, y] of s.points) {
      if (!finite(y)) {
        previous = null;
        continue;
      }
      if (!previous) d.push(`M${f1(X(x))} ${f1(Y(y))}`);
      else if (s.step) d.push(`H${f1(X(x))}V${f1(Y(y))}`);
      else d.push(`L${f1(X(x))} ${f1(Y(y))}`);
      previous = [x, y];
    }
    if (s.step && previous && previous[0] < xhi) d.push(`H${f1(X(xhi))}`);
    const lonely = s.points.filter((p) => finite(p[1])).length === 1;
    if (lonely) {
      const [x, y] = s.points.find((p) => finite(p[1]))! as [number, number];
      parts.push(`<circle cx="${f1(X(x))}" cy="${f1(Y(y))}" r="3" fill="${colour}"/>`);
    }
    if (d.length) parts.push(`<path d="${d.join('')}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    const lx = legend[k].x;
    const ly = 14 + 18 * legend[k].row;
    parts.push(
      `<line x1="${f1(lx)}" x2="${f1(lx + 18)}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>` +
        `<text x="${f1(lx + 22)}" y="${ly}" font-size="12" fill="${colour}">${escapeHtml(s.name)}</text>`,
    );
  });
  if (spec.dot) {
    parts.push(`<circle cx="${f1(X(spec.dot.x))}" cy="${f1(Y(spec.dot.y))}" r="5" fill="#b3261e" stroke="#fff" stroke-width="1.5"/>`);
    const anchor = X(spec.dot.x) > pad.left + plotW * 0.7 ? 'end' : 'start';
    parts.push(`<text x="${f1(X(spec.dot.x) + (anchor === 'end' ? -8 : 8))}" y="${f1(Y(spec.dot.y) - 8)}" text-anchor="${anchor}" font-size="12" font-weight="600" fill="#b3261e">${escapeHtml(spec.dot.label)}</text>`);
  }

  const label = `${spec.title}${spec.lesson ? `. ${spec.lesson}` : ''}`;
  return (
    `<figure class="chart"><figcaption><strong>${escapeHtml(spec.title)}</strong>${spec.lesson ? ` <span>${escapeHtml(spec.lesson)}</span>` : ''}</figcaption>` +
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg" style="max-width:100%;height:auto">` +
    `${parts.join('')}</svg></figure>`
  );
}

/** Bars with their values written on them (APY by compounding). */
export function barChartSvg(spec: { title: string; lesson?: string; bars: { label: string; value: number; text: string }[]; width?: number }): string {
  const width = spec.width ?? 420;
  const rowH = 26;
  const height = 10 + spec.bars.length * rowH;
  const labelW = 110;
  const max = Math.max(...spec.bars.map((b) => b.value), 1e-12);
  const rows = spec.bars.map((b, i) => {
    const w = ((width - labelW - 110) * b.value) / max;
    const y = 6 + i * rowH;
    return (
      `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-size="12" fill="#333">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${f1(Math.max(1, w))}" height="16" fill="${PALETTE[i % PALETTE.length]}"/>` +
      `<text x="${f1(labelW + w + 6)}" y="${y + 15}" font-size="12" fill="#222">${escapeHtml(b.text)}</text>`
    );
  });
  const label = `${spec.title}${spec.lesson ? `. ${spec.lesson}` : ''}`;
  return (
    `<figure class="chart"><figcaption><strong>${escapeHtml(spec.title)}</strong>${spec.lesson ? ` <span>${escapeHtml(spec.lesson)}</span>` : ''}</figcaption>` +
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg" style="max-width:100%;height:auto">${rows.join('')}</svg></figure>`
  );
}

/** A gauge: a bar from 0 to the liquidation level, with the account's max and margin-call marks. */
export function ltvGaugeSvg(g: { ltv: number | null; maxLtv: number; marginCallLtv: number; liquidationLtv: number }): string {
  const width = 520;
  const height = 70;
  const end = Math.max(1, g.liquidationLtv * 1.1, (g.ltv ?? 0) * 1.05);
  const X = (v: number) => 10 + (Math.min(v, end) / end) * (width - 20);
  const zones = [
    [0, g.maxLtv, '#d9efe0'],
    [g.maxLtv, g.marginCallLtv, '#fbf0cf'],
    [g.marginCallLtv, g.liquidationLtv, '#f9d9c7'],
    [g.liquidationLtv, end, '#f3c2bd'],
  ] as const;
  const parts = zones.map(([a, b, c]) => `<rect x="${f1(X(a))}" y="22" width="${f1(X(b) - X(a))}" height="20" fill="${c}"/>`);
  const mark = (v: number, text: string, colour: string, row: number) =>
    `<line x1="${f1(X(v))}" x2="${f1(X(v))}" y1="18" y2="46" stroke="${colour}" stroke-width="2"/>` +
    `<text x="${f1(X(v))}" y="${row}" text-anchor="middle" font-size="11" fill="${colour}">${escapeHtml(text)}</text>`;
  parts.push(mark(g.maxLtv, `max ${(g.maxLtv * 100).toFixed(1)} %`, '#1b6e3a', 60));
  parts.push(mark(g.marginCallLtv, `margin call ${(g.marginCallLtv * 100).toFixed(1)} %`, '#8a4b00', 12));
  parts.push(mark(g.liquidationLtv, `liquidation ${(g.liquidationLtv * 100).toFixed(1)} %`, '#b3261e', 60));
  if (g.ltv !== null) {
    parts.push(`<rect x="10" y="27" width="${f1(X(g.ltv) - 10)}" height="10" fill="#1f5fa8"/>`);
    parts.push(`<circle cx="${f1(X(g.ltv))}" cy="32" r="6" fill="#1f5fa8" stroke="#fff" stroke-width="2"/>`);
  }
  const name = g.ltv === null ? 'LTV gauge: no debt' : `LTV gauge: ${(g.ltv * 100).toFixed(1)} % against a max of ${(g.maxLtv * 100).toFixed(1)} %, margin call at ${(g.marginCallLtv * 100).toFixed(1)} %, liquidation at ${(g.liquidationLtv * 100).toFixed(1)} %`;
  return `<svg class="gauge" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(name)}" xmlns="http://www.w3.org/2000/svg" style="max-width:100%;height:auto">${parts.join('')}</svg>`;
}
