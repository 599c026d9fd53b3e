import type { DayRecord, ScenarioResult } from './scenario-runner.js';

const pct = (rate: string | null) => (rate === null ? '—' : `${(Number(rate) * 100).toFixed(2)}%`);
const usd = (value: string) => Number(value).toLocaleString('en', { maximumFractionDigits: 2 });

/** The run as a person reads it in a terminal: a table per day, the events, the verdict. */
export function textSummary(result: ScenarioResult): string {
  const out: string[] = [`Scenario: ${result.name}`, ''];
  const assets = Object.keys(result.daily[0]?.prices ?? {});
  const accounts = Object.keys(result.daily[0]?.accounts ?? {});
  for (const day of result.daily) {
    out.push(`Day ${day.day} (${day.date.slice(0, 16).replace('T', ' ')}): ${assets.map((a) => `${a} ${day.prices[a]}`).join(', ')}`);
    for (const asset of assets) {
      const m = day.markets[asset];
      if (m && (Number(m.totalSupplied) > 0 || Number(m.totalBorrowed) > 0)) {
        out.push(`  market ${asset.padEnd(5)} utilisation ${pct(m.utilization).padStart(8)}  supply APR ${pct(m.supplyApr).padStart(7)}  borrow APR ${pct(m.borrowApr).padStart(7)}`);
      }
    }
    for (const name of accounts) {
      const a = day.accounts[name];
      if (Number(a.collateralValue) === 0 && Number(a.debtValue) === 0) continue;
      out.push(
        `  ${name.padEnd(18)} value ${usd(a.collateralValue).padStart(14)}  debt ${usd(a.debtValue).padStart(14)}  LTV ${pct(a.ltv).padStart(8)}  ${a.status}${a.tier === 'base' ? '' : ` (${a.tier})`}`,
      );
    }
    for (const event of day.events) out.push(`  ! ${event.at.slice(11, 16)} ${event.account}: ${event.type} ${JSON.stringify(event.details)}`);
  }
  out.push('', 'Steps that did not go as planned:');
  const off = result.steps.filter((s) => s.outcome === 'unexpected error' || s.outcome === 'expected an error');
  out.push(...(off.length ? off.map((s) => `  line ${s.line}, day ${s.day} ${s.hour}:00: ${s.action}: ${s.error}`) : ['  none']));
  out.push('', 'Expectations:');
  out.push(...result.expectations.map((e) => `  ${e.passed ? 'pass' : 'FAIL'}  day ${e.day}${e.line ? ` (line ${e.line})` : ' (end)'}: ${e.expectation}; actual ${e.actual}`));
  if (result.expectations.length === 0) out.push('  none');
  out.push('', result.passed ? 'PASSED' : 'FAILED');
  return out.join('\n') + '\n';
}

interface Series {
  name: string;
  values: (number | null)[];
  dashed?: boolean;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** A line chart as inline SVG: one x per day, no scripts, no external files. */
function chart(title: string, days: DayRecord[], series: Series[], format: (v: number) => string): string {
  const width = 720;
  const height = 240;
  const pad = { left: 70, right: 150, top: 24, bottom: 28 };
  const all = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  if (all.length === 0) return '';
  let [lo, hi] = [Math.min(...all, 0), Math.max(...all)];
  if (hi === lo) hi = lo + 1;
  const x = (i: number) => pad.left + (days.length === 1 ? 0 : (i * (width - pad.left - pad.right)) / (days.length - 1));
  const y = (v: number) => pad.top + (height - pad.top - pad.bottom) * (1 - (v - lo) / (hi - lo));
  const lines = series.map((s, k) => {
    const points = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
    const colour = COLOURS[k % COLOURS.length];
    return (
      `<polyline fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points.join(' ')}"/>` +
      `<text x="${width - pad.right + 8}" y="${pad.top + 14 * k + 4}" fill="${colour}" font-size="12">${escape(s.name)}</text>`
    );
  });
  const ticks = [lo, (lo + hi) / 2, hi].map(
    (v) => `<text x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${escape(format(v))}</text><line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
  );
  const dayTicks = days
    .filter((_, i) => days.length <= 15 || i % Math.ceil(days.length / 15) === 0)
    .map((d) => `<text x="${x(days.indexOf(d))}" y="${height - 8}" text-anchor="middle" font-size="11">${d.day}</text>`);
  return `<h2>${escape(title)}</h2><svg width="${width}" height="${height}" role="img" aria-label="${escape(title)}">${ticks.join('')}${dayTicks.join('')}${lines.join('')}</svg>`;
}

/** The report a person opens: the story's charts, the day table and the verdict, in one HTML file. */
export function htmlReport(result: ScenarioResult): string {
  const days = result.daily;
  const assets = Object.keys(days[0]?.prices ?? {});
  const accounts = Object.keys(days[0]?.accounts ?? {}).filter((name) => days.some((d) => Number(d.accounts[name].collateralValue) > 0 || Number(d.accounts[name].debtValue) > 0));
  const borrowers = accounts.filter((name) => days.some((d) => Number(d.accounts[name].debtValue) > 0));
  const active = assets.filter((a) => days.some((d) => Number(d.markets[a]?.totalSupplied ?? 0) > 0));
  const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));
  const charts = [
    ...assets.map((asset) => chart(`${asset} price (USD)`, days, [{ name: asset, values: days.map((d) => num(d.prices[asset])) }], (v) => v.toLocaleString('en'))),
    ...borrowers.map((name) =>
      chart(
        `${name}: LTV and its levels`,
        days,
        [
          { name: 'LTV', values: days.map((d) => num(d.accounts[name].ltv)) },
          { name: 'margin call', values: days.map((d) => num(d.accounts[name].marginCallLtv)), dashed: true },
          { name: 'liquidation', values: days.map((d) => num(d.accounts[name].liquidationLtv)), dashed: true },
        ],
        (v) => `${(v * 100).toFixed(1)}%`,
      ),
    ),
    ...active.map((asset) =>
      chart(
        `${asset} market: utilisation and rates`,
        days,
        [
          { name: 'utilisation', values: days.map((d) => num(d.markets[asset].utilization)) },
          { name: 'borrow APR', values: days.map((d) => num(d.markets[asset].borrowApr)) },
          { name: 'supply APR', values: days.map((d) => num(d.markets[asset].supplyApr)) },
        ],
        (v) => `${(v * 100).toFixed(1)}%`,
      ),
    ),
    chart(
      'Balances (USD): collateral value and debt',
      days,
      accounts.flatMap((name) => [
        { name: `${name} value`, values: days.map((d) => num(d.accounts[name].collateralValue)) },
        ...(borrowers.includes(name) ? [{ name: `${name} debt`, values: days.map((d) => num(d.accounts[name].debtValue)), dashed: true }] : []),
      ]),
      (v) => v.toLocaleString('en', { maximumFractionDigits: 0 }),
    ),
  ];
  const verdict = result.passed ? '<p class="pass">Everything went as expected.</p>' : '<p class="fail">Something did not go as expected: see below.</p>';
  const expectations = result.expectations
    .map((e) => `<tr class="${e.passed ? 'pass' : 'fail'}"><td>${e.passed ? 'pass' : 'FAIL'}</td><td>${e.day}</td><td>${escape(e.expectation)}</td><td>${escape(e.actual)}</td></tr>`)
    .join('');
  const steps = result.steps
    .map((s) => `<tr class="${s.outcome === 'ok' || s.outcome === 'failed as expected' ? '' : 'fail'}"><td>${s.day} ${s.hour}:00</td><td>${escape(s.action)}</td><td>${escape(s.outcome)}${s.error ? `: ${escape(s.error)}` : ''}</td></tr>`)
    .join('');
  const events = days
    .flatMap((d) => d.events.map((e) => `<tr><td>${d.day}</td><td>${escape(e.at)}</td><td>${escape(e.account)}</td><td>${escape(e.type)}</td><td>${escape(JSON.stringify(e.details))}</td></tr>`))
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(result.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}.fail{color:#b00020}.pass{color:#1b7f3b}svg{display:block;margin-bottom:1em}pre{white-space:pre-wrap}</style>
</head><body>
<h1>${escape(result.name)}</h1>
<pre>${escape(result.description)}</pre>
<p>Started ${escape(result.start)}, ${result.days} day(s) simulated.</p>
${verdict}
<h2>Expectations</h2><table><tr><th></th><th>day</th><th>expected</th><th>actual</th></tr>${expectations || '<tr><td colspan="4">none</td></tr>'}</table>
${charts.join('\n')}
<h2>Events</h2><table><tr><th>day</th><th>at</th><th>account</th><th>event</th><th>details</th></tr>${events || '<tr><td colspan="5">none</td></tr>'}</table>
<h2>Steps</h2><table><tr><th>when</th><th>step</th><th>outcome</th></tr>${steps}</table>
</body></html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
