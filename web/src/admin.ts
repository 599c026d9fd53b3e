import { dec } from '../../src/common/money/decimal.js';
import { api, must } from './api.js';
import type { Schemas } from './api.js';
import type { Ctx } from './main.js';
import { ASSETS, assetOptions, esc, field, table, when } from './dom.js';
import { pctText, priceText, amountText } from '../../src/charts/format.js';
import { scenarioCharts, scenarioEventsTable } from '../../src/charts/scenario-charts.js';
import type { ScenarioResult } from '../../src/charts/scenario-charts.js';
import { comparisonCharts, comparisonTable } from '../../src/charts/comparison-charts.js';
import type { PresetRun } from '../../src/charts/comparison-charts.js';

/** The shipped scenarios (scenarios/*.yaml), bundled as text at build time. */
const SHIPPED = import.meta.glob('../../scenarios/*.yaml', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const shipped = Object.entries(SHIPPED)
  .map(([file, yaml]) => ({ file: file.replace(/^.*\//, '').replace(/\.yaml$/, ''), name: /^name:\s*(.*)$/m.exec(yaml)?.[1] ?? file, yaml }))
  .sort((a, b) => a.file.localeCompare(b.file));

let marketAsset: Schemas['MarketView']['asset'] = 'BTC';
let lastRun: { passed: boolean; summary: string; result: ScenarioResult; html: string } | null = null;
let ledger: Schemas['LedgerCheckView'] | null = null;
/** The last preset applied from this tab, with what the API said of it. */
let lastApplied: Schemas['AppliedPresetView'] | null = null;

export async function renderAdmin(root: HTMLElement, ctx: Ctx): Promise<void> {
  if (ctx.role !== 'admin') {
    root.innerHTML = '<h1>Admin</h1><p>These controls need the admin key (the sandbox prints it). Sign out and sign in with it, in another tab if you want to watch a learner’s account at the same time.</p>';
    return;
  }
  const [prices, market, settings, clock, presets] = await Promise.all([
    must(api.GET('/v1/prices')),
    must(api.GET('/v1/markets/{asset}', { params: { path: { asset: marketAsset } } })),
    must(api.GET('/v1/settings')),
    must(api.GET('/v1/clock')),
    must(api.GET('/v1/presets')),
  ]);
  const m = market.rateModel;
  const r = market.risk;
  root.innerHTML = `
    <h1>Admin</h1>
    <p class="lead">You are the platform and the market: move prices, move time, change the rules. Keep a learner’s Account view open in another window to watch what it does to them.</p>
    <p class="message" data-flash role="status"></p>
    <div class="columns">
    <section aria-labelledby="h-prices"><h2 id="h-prices">Prices</h2>
      ${table('Prices now', ['Asset', 'Price (USD)', 'Set at'], prices.map((p) => [p.asset, esc(priceText(p.price)), esc(when(p.at))]))}
      <form aria-label="Set a price" class="inline">
        ${field('Asset', `<select>${assetOptions('BTC')}</select>`)}
        ${field('Price (USD)', '<input inputmode="decimal" autocomplete="off" spellcheck="false">')}
        <div class="buttons"><button type="submit" value="set">Set price</button><button type="submit" value="0.9" aria-label="Shock the price by −10 %">−10 %</button><button type="submit" value="0.7" aria-label="Shock the price by −30 %">−30 %</button></div>
      </form>
      <p class="explain">Margin calls and liquidations the new price causes are done before the answer comes back.</p>
    </section>
    <section aria-labelledby="h-clock"><h2 id="h-clock">Clock</h2>
      <p>Simulated time: <strong>${esc(when(clock.now))}</strong> (${esc(clock.mode)}).</p>
      <form aria-label="Advance the clock" class="inline">
        ${field('How many', '<input type="number" min="1" max="87600" step="1" value="1">')}
        ${field('Unit', '<select><option value="days">days</option><option value="hours">hours</option></select>')}
        <div class="buttons"><button type="submit">Advance</button></div>
      </form>
      <p class="explain">Each 00:00 crossed sets the day’s rates, compounds interest, and sweeps for margin calls and liquidations.</p>
    </section>
    </div>
    <section aria-labelledby="h-market"><h2 id="h-market">Market parameters</h2>
      <form aria-label="Market parameters" class="grid">
        ${field('Market', `<select>${ASSETS.map((a) => `<option${a === marketAsset ? ' selected' : ''}>${a}</option>`).join('')}</select>`)}
        ${field('Base rate', `<input value="${esc(m.baseRate)}">`)}
        ${field('Kink (optimal utilisation)', `<input value="${esc(m.optimalUtilization)}">`)}
        ${field('Slope below the kink', `<input value="${esc(m.slope1)}">`)}
        ${field('Slope above the kink', `<input value="${esc(m.slope2)}">`)}
        ${field('Reserve factor', `<input value="${esc(m.reserveFactor)}">`)}
        ${field('Max LTV', `<input value="${esc(r.maxLtv)}">`)}
        ${field('Margin-call LTV', `<input value="${esc(r.marginCallLtv)}">`)}
        ${field('Liquidation LTV', `<input value="${esc(r.liquidationLtv)}">`)}
        <div class="buttons"><button type="submit">Save market</button></div>
      </form>
      <p class="explain">Rates are fractions (0.1 = 10 %). The levels must rise: max LTV &lt; margin call &lt; liquidation &lt; 1 − the liquidation fee. New rates apply from the next 00:00.</p>
      <form aria-label="Platform settings" class="inline">
        ${field('Lending period (days)', `<input type="number" min="1" value="${settings.lendingPeriodDays}">`)}
        ${field('Liquidation fee', `<input value="${esc(settings.liquidationFee)}">`)}
        <div class="buttons"><button type="submit">Save settings</button></div>
      </form>
    </section>
    <section aria-labelledby="h-presets"><h2 id="h-presets">Product presets</h2>
      <form aria-label="Apply a preset" class="inline">
        ${field('Preset', `<select>${presets.map((p) => `<option value="${esc(p.name)}"${p.name === lastApplied?.preset ? ' selected' : ''}>${esc(p.name)}: ${esc(p.title)}</option>`).join('')}</select>`)}
        <div class="buttons"><button type="submit">Apply preset</button></div>
      </form>
      <p class="explain">A preset is one platform’s rules (docs/presets.md): it rewrites every market’s curve and levels and the settings above. Learners’ positions and loans stay; their limits change at once.</p>
      ${lastApplied ? appliedView(lastApplied) : ''}
    </section>
    <section aria-labelledby="h-ledger"><h2 id="h-ledger">Ledger check</h2>
      <form aria-label="Ledger check" class="inline"><button type="submit">Check the ledger</button></form>
      ${ledger ? ledgerView(ledger) : '<p>Recomputes every account of the double-entry ledger: debits must equal credits, asset by asset.</p>'}
    </section>
    <section aria-labelledby="h-scenario"><h2 id="h-scenario">Scenarios</h2>
      <form aria-label="Run a scenario">
        ${field('Shipped scenario', `<select><option value="">(paste your own below)</option>${shipped.map((s) => `<option value="${esc(s.file)}">${esc(s.file)}: ${esc(s.name)}</option>`).join('')}</select>`)}
        ${field('Scenario YAML', '<textarea rows="8" spellcheck="false"></textarea>', 'Plays into data of its own: this world is not touched. A year takes about a minute.')}
        <div class="buttons"><button type="submit">Run scenario</button></div>
      </form>
      <div id="scenario-report" aria-live="polite">${lastRun ? lastRun.html : ''}</div>
    </section>`;

  const priceForm = root.querySelector<HTMLFormElement>('form[aria-label="Set a price"]')!;
  priceForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const how = ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'set';
    const asset = priceForm.querySelector('select')!.value as Schemas['PriceViewDto']['asset'];
    let price = priceForm.querySelector('input')!.value.trim();
    if (how !== 'set') {
      const current = prices.find((p) => p.asset === asset)?.price ?? '0';
      // The shocked price as a decimal string (12 significant digits), never through a float.
      price = dec(current).times(how).toSignificantDigits(12).toFixed();
    }
    try {
      const set = await must(api.PUT('/v1/prices/{asset}', { params: { path: { asset }, query: { wait: 'true' } }, body: { price } }));
      await ctx.tell(`${asset} is now ${priceText(set.price)}${how !== 'set' ? ` (a ${pctText(1 - Number(how), 0)} shock)` : ''}. Margin calls and liquidations it caused are done.`);
    } catch (error) {
      await ctx.tell(`Set price refused: ${(error as Error).message}`, 'error');
    }
  });

  const clockForm = root.querySelector<HTMLFormElement>('form[aria-label="Advance the clock"]')!;
  clockForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const n = Number(clockForm.querySelector('input')!.value);
    const unit = clockForm.querySelector('select')!.value;
    const button = clockForm.querySelector('button')!;
    button.disabled = true;
    try {
      const done = await must(api.POST('/v1/clock/advance', { body: unit === 'hours' ? { hours: n } : { days: n } }));
      await ctx.tell(`The clock is now ${when(done.now)}; ${done.daysAccrued} day(s) of interest accrued.`);
    } catch (error) {
      await ctx.tell(`Advance refused: ${(error as Error).message}`, 'error');
    } finally {
      button.disabled = false;
    }
  });

  const marketForm = root.querySelector<HTMLFormElement>('form[aria-label="Market parameters"]')!;
  marketForm.querySelector('select')!.addEventListener('change', (event) => {
    marketAsset = (event.target as HTMLSelectElement).value as typeof marketAsset;
    ctx.refresh();
  });
  marketForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = [...marketForm.querySelectorAll('input')].map((i) => i.value.trim());
    try {
      await must(
        api.PUT('/v1/markets/{asset}', {
          params: { path: { asset: marketAsset } },
          body: { rateModel: { baseRate: v[0], optimalUtilization: v[1], slope1: v[2], slope2: v[3], reserveFactor: v[4] }, risk: { maxLtv: v[5], marginCallLtv: v[6], liquidationLtv: v[7] } },
        }),
      );
      marketForm.querySelectorAll('[data-dirty]').forEach((e) => e.removeAttribute('data-dirty'));
      await ctx.tell(`${marketAsset} market saved: new rates from the next 00:00, new levels at once.`);
    } catch (error) {
      await ctx.tell(`Save market refused: ${(error as Error).message}`, 'error');
    }
  });

  const settingsForm = root.querySelector<HTMLFormElement>('form[aria-label="Platform settings"]')!;
  settingsForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const [days, fee] = [...settingsForm.querySelectorAll('input')].map((i) => i.value.trim());
    try {
      await must(api.PUT('/v1/settings', { body: { lendingPeriodDays: Number(days), liquidationFee: fee } }));
      await ctx.tell('Settings saved.');
    } catch (error) {
      await ctx.tell(`Save settings refused: ${(error as Error).message}`, 'error');
    }
  });

  const presetForm = root.querySelector<HTMLFormElement>('form[aria-label="Apply a preset"]')!;
  presetForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = presetForm.querySelector('select')!.value;
    try {
      lastApplied = await must(api.POST('/v1/presets/{name}/apply', { params: { path: { name } } }));
      await ctx.tell(lastApplied.message);
    } catch (error) {
      await ctx.tell(`Apply preset refused: ${(error as Error).message}`, 'error');
    }
  });

  root.querySelector<HTMLFormElement>('form[aria-label="Ledger check"]')!.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      ledger = await must(api.GET('/v1/ledger/check'));
      await ctx.tell(ledger.balanced ? 'The ledger balances.' : 'The ledger does NOT balance: see the mismatches.', ledger.balanced ? 'ok' : 'error');
      if (!ledger.balanced) ctx.refresh();
    } catch (error) {
      await ctx.tell(`Ledger check failed: ${(error as Error).message}`, 'error');
    }
  });

  const scenarioForm = root.querySelector<HTMLFormElement>('form[aria-label="Run a scenario"]')!;
  const yamlBox = scenarioForm.querySelector('textarea')!;
  scenarioForm.querySelector('select')!.addEventListener('change', (event) => {
    const file = (event.target as HTMLSelectElement).value;
    yamlBox.value = shipped.find((s) => s.file === file)?.yaml ?? '';
    yamlBox.dataset.dirty = '1';
  });
  scenarioForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const report = root.querySelector<HTMLElement>('#scenario-report')!;
    const button = scenarioForm.querySelector('button')!;
    button.disabled = true;
    report.innerHTML = '<p role="status">Running the scenario…</p>';
    try {
      const run = await must(api.POST('/v1/scenarios', { body: { yaml: yamlBox.value } }));
      const result = run.result as unknown as ScenarioResult;
      const html = run.comparison
        ? comparisonView(run.comparison.result as unknown as Comparison, run.comparison.files.html)
        : scenarioView(run.passed, result, run.summary, run.files.html);
      lastRun = { passed: run.passed, summary: run.summary, result, html };
      root.querySelector<HTMLElement>('#scenario-report')!.innerHTML = lastRun.html;
    } catch (error) {
      root.querySelector<HTMLElement>('#scenario-report')!.innerHTML = `<p class="message error" role="alert">${esc((error as Error).message)}</p>`;
    } finally {
      button.disabled = false;
    }
  });
}

function scenarioView(passed: boolean, result: ScenarioResult, summary: string, file: string): string {
  return `<article class="report" aria-labelledby="h-report"><h3 id="h-report">${esc(result.name)}</h3>
    <p class="${passed ? 'ok' : 'bad'}">${passed ? 'Everything went as expected.' : 'Something did not go as expected: see the summary.'} The same report is in ${esc(file)}.</p>
    <details><summary>What the story is about</summary><p class="pre">${esc(result.description)}</p></details>
    ${scenarioCharts(result).join('')}
    ${scenarioEventsTable(result)}
    <details><summary>Day-by-day summary</summary><pre>${esc(summary)}</pre></details></article>`;
}

/** The comparison's part the console shows (src/scenarios/scenario-comparison.ts, ComparisonResult). */
interface Comparison {
  name: string;
  description: string;
  presets: string[];
  passed: boolean;
  runs: PresetRun[];
  summary: string[];
}

function comparisonView(c: Comparison, file: string): string {
  return `<article class="report" aria-labelledby="h-report"><h3 id="h-report">${esc(c.name)}: ${esc(c.presets.join(', '))} compared</h3>
    <p class="${c.passed ? 'ok' : 'bad'}">${c.passed ? 'Under every preset, everything went as expected.' : 'Under some preset something did not go as expected.'} The same comparison is in ${esc(file)}, each preset’s own report beside it.</p>
    <details><summary>What the story is about</summary><p class="pre">${esc(c.description)}</p></details>
    <section aria-label="In plain words">${c.summary.map((line) => `<p>${esc(line)}</p>`).join('')}</section>
    ${comparisonTable(c.runs)}
    ${comparisonCharts(c.runs).join('')}</article>`;
}

function appliedView(a: Schemas['AppliedPresetView']): string {
  return `<div class="report" aria-label="What the preset changed"><p>${esc(a.message)}</p>
    <details><summary>Applied (${a.applied.length})</summary><ul>${a.applied.map((line) => `<li>${esc(line)}</li>`).join('')}</ul></details>
    ${a.notApplied.length ? `<details open><summary>Not modelled by the engine yet (${a.notApplied.length})</summary><ul>${a.notApplied.map((line) => `<li>${esc(line)}</li>`).join('')}</ul></details>` : ''}</div>`;
}

function ledgerView(l: Schemas['LedgerCheckView']): string {
  return `<p class="${l.balanced ? 'ok' : 'bad'}">${l.balanced ? 'Balanced: every debit has its credit.' : 'Not balanced.'}</p>${table(
    'Ledger totals per asset',
    ['Asset', 'Debits', 'Credits'],
    l.assets.map((a) => [a.asset, esc(amountText(a.debits, a.asset)), esc(amountText(a.credits, a.asset))]),
  )}`;
}
