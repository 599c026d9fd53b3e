import type { ScenarioResult } from './scenario-runner.js';
import { CHART_CSS, scenarioCharts, scenarioEventsTable } from '../charts/scenario-charts.js';
import { noticeSentence } from '../charts/format.js';

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
    for (const event of day.events) out.push(`  ! ${event.at.slice(11, 16)} ${event.account}: ${noticeSentence(event.type, event.details)}`);
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

/** The report a person opens: the story's lesson first, its charts, events as sentences, the verdict; one HTML file. */
export function htmlReport(result: ScenarioResult): string {
  const charts = scenarioCharts(result);
  const verdict = result.passed ? '<p class="pass">Everything went as expected.</p>' : '<p class="fail">Something did not go as expected: see below.</p>';
  const expectations = result.expectations
    .map((e) => `<tr class="${e.passed ? 'pass' : 'fail'}"><td>${e.passed ? 'pass' : 'FAIL'}</td><td>${e.day}</td><td>${escape(e.expectation)}</td><td>${escape(e.actual)}</td></tr>`)
    .join('');
  const steps = result.steps
    .map((s) => `<tr class="${s.outcome === 'ok' || s.outcome === 'failed as expected' ? '' : 'fail'}"><td>${s.day} ${s.hour}:00</td><td>${escape(s.action)}</td><td>${escape(s.outcome)}${s.error ? `: ${escape(s.error)}` : ''}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(result.name)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left;vertical-align:top}caption{text-align:left;font-weight:600}.fail{color:#b00020}.pass{color:#1b7f3b}pre{white-space:pre-wrap}${CHART_CSS}</style>
</head><body><main>
<h1>${escape(result.name)}</h1>
<pre>${escape(result.description)}</pre>
<p>Started ${escape(result.start)}, ${result.days} day(s) simulated.</p>
${verdict}
${charts.join('\n')}
${scenarioEventsTable(result)}
<h2>Expectations</h2><table><tr><th></th><th>day</th><th>expected</th><th>actual</th></tr>${expectations || '<tr><td colspan="4">none</td></tr>'}</table>
<h2>Steps</h2><table><tr><th>when</th><th>step</th><th>outcome</th></tr>${steps}</table>
</main></body></html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
