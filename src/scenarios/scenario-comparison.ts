import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Action, Scenario, ScopedExpectation, Step } from './scenario-format.js';
import { playOnOwnApp, writeResults } from './scenario-app.js';
import type { PresetScenarioResult, StartOwnApp } from './scenario-app.js';
import type { AppConfig } from '../config/app-config.js';
import { PRESETS } from '../presets/index.js';
import { CHART_CSS } from '../charts/scenario-charts.js';
import { comparisonCharts, comparisonSummary, comparisonTable } from '../charts/comparison-charts.js';
import type { PresetRun } from '../charts/comparison-charts.js';
import { escapeHtml } from '../charts/format.js';

/**
 * A scenario naming several presets: the same story (prices, people, actions) played once per
 * preset, each in a fresh world of its own, then compared (src/charts/comparison-charts.ts).
 * The runner plays one preset at a time and knows nothing of this.
 */

export interface ComparisonResult {
  name: string;
  description: string;
  presets: string[];
  /** Every preset's run went as its expectations say. */
  passed: boolean;
  runs: (PresetRun & { result: PresetScenarioResult })[];
  /** The comparison in sentences (comparisonSummary). */
  summary: string[];
}

const holdsUnder = (preset: string) => (e: ScopedExpectation) => e.presets === undefined || e.presets.includes(preset);

/** The scenario as played under one of its presets: that preset only, and the expectations that hold under it. */
export function forPreset(scenario: Scenario, preset: string): Scenario {
  const keep = holdsUnder(preset);
  const stepKept = (step: Step) => step.action.kind !== 'expect' || keep((step.action as Extract<Action, { kind: 'expect' }>).expectation);
  return { ...scenario, presets: [preset], steps: scenario.steps.filter(stepKept), expect: scenario.expect.filter(keep) };
}

/** Plays each preset's story with `playOne` (a fresh world each), one after the other, and compares. */
export async function playComparison(scenario: Scenario, playOne: (one: Scenario, index: number) => Promise<PresetScenarioResult>): Promise<ComparisonResult> {
  const runs: ComparisonResult['runs'] = [];
  for (const [index, preset] of scenario.presets.entries()) {
    const result = await playOne(forPreset(scenario, preset), index);
    runs.push({ preset, title: PRESETS[preset]?.title, notApplied: result.preset?.notApplied ?? [], result });
  }
  return {
    name: scenario.name,
    description: scenario.description,
    presets: scenario.presets,
    passed: runs.every((r) => r.result.passed),
    runs,
    summary: comparisonSummary(runs),
  };
}

/** A world of its own for one run: the application's config (a fresh database, its own queue prefix) and how to drop it. */
export type FreshWorld = (index: number) => Promise<{ config: AppConfig; drop(): Promise<void> }>;

/** Each preset on an application of its own (playOnOwnApp), each on a fresh world, then compared. */
export function playComparisonOnOwnApps(scenario: Scenario, freshWorld: FreshWorld, startApp: StartOwnApp): Promise<ComparisonResult> {
  return playComparison(scenario, async (one, index) => {
    const world = await freshWorld(index);
    try {
      return await playOnOwnApp(one, world.config, startApp);
    } finally {
      await world.drop();
    }
  });
}

/** The comparison as a person reads it in a terminal: the summary, then each preset's verdict. */
export function comparisonText(comparison: ComparisonResult): string {
  const out = [`Scenario: ${comparison.name}, under ${comparison.presets.join(', ')}`, '', ...comparison.summary, ''];
  for (const run of comparison.runs) out.push(`${run.preset}: ${run.result.passed ? 'PASSED' : 'FAILED'} (its own report: ${run.preset}/report.html)`);
  out.push('', comparison.passed ? 'PASSED' : 'FAILED');
  return out.join('\n') + '\n';
}

/** The comparison report: summary, charts with a line per preset, the table, links to each run's own report. */
export function comparisonHtml(comparison: ComparisonResult): string {
  const verdicts = comparison.runs
    .map((r) => `<li><a href="${escapeHtml(r.preset)}/report.html">${escapeHtml(r.title ?? r.preset)}</a>: <span class="${r.result.passed ? 'pass' : 'fail'}">${r.result.passed ? 'as expected' : 'something did not go as expected'}</span></li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(comparison.name)}: presets compared</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222;padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left;vertical-align:top}caption{text-align:left;font-weight:600}.fail{color:#b00020}.pass{color:#1b7f3b}pre{white-space:pre-wrap}${CHART_CSS}</style>
</head><body><main>
<h1>${escapeHtml(comparison.name)}: presets compared</h1>
<pre>${escapeHtml(comparison.description)}</pre>
<h2>In plain words</h2>
${comparison.summary.map((line) => `<p>${escapeHtml(line)}</p>`).join('\n')}
${comparisonTable(comparison.runs)}
<h2>Each preset's own run</h2><ul>${verdicts}</ul>
<h2>Side by side</h2>
${comparisonCharts(comparison.runs).join('\n')}
</main></body></html>
`;
}

export interface WrittenComparison {
  json: string;
  html: string;
  summary: string;
}

/**
 * comparison.json, comparison.html and comparison.txt in `folder`, beside the usual three files
 * of each preset's run in `folder/<preset>/`.
 */
export function writeComparison(comparison: ComparisonResult, folder: string): WrittenComparison {
  mkdirSync(folder, { recursive: true });
  for (const run of comparison.runs) writeResults(run.result, path.join(folder, run.preset));
  const files = { json: path.join(folder, 'comparison.json'), html: path.join(folder, 'comparison.html'), summary: path.join(folder, 'comparison.txt') };
  writeFileSync(files.json, JSON.stringify(comparison, null, 2) + '\n');
  writeFileSync(files.html, comparisonHtml(comparison));
  writeFileSync(files.summary, comparisonText(comparison));
  return files;
}
