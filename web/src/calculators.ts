import { dec } from '../../src/common/money/decimal.js';
import { api, must } from './api.js';
import type { Ctx } from './main.js';
import { esc, field } from './dom.js';
import { barChartSvg, chartSvg } from '../../src/charts/svg-chart.js';
import { pctText } from '../../src/charts/format.js';

const COMPOUNDINGS = ['annual', 'semiannual', 'quarterly', 'monthly', 'weekly', 'daily', 'hourly', 'continuous'] as const;
type Compounding = (typeof COMPOUNDINGS)[number];
const options = (selected: string) => COMPOUNDINGS.map((c) => `<option${c === selected ? ' selected' : ''}>${c}</option>`).join('');
/** "80" (a percentage typed by a person) → "0.8" (the API's fraction), exactly. */
const fraction = (percent: string) => (/^-?[0-9]+(\.[0-9]+)?$/.test(percent.trim()) ? dec(percent.trim()).div(100).toFixed() : percent);

export async function renderCalculators(root: HTMLElement, _ctx: Ctx): Promise<void> {
  root.innerHTML = `
    <h1>Calculators</h1>
    <p class="lead">The arithmetic behind every rate on this platform, computed by the API (GET /v1/calc/…).</p>
    <section aria-labelledby="h-apy"><h2 id="h-apy">APR → APY</h2>
      <form aria-label="APR to APY" class="inline">${field('APR (%)', '<input inputmode="decimal" value="80">')}${field('Compounding', `<select>${options('daily')}</select>`)}<div class="buttons"><button type="submit">Work out the APY</button></div></form>
      <div class="out" aria-live="polite"></div>
      <p class="explain">The APR is the yearly rate before compounding; the APY is what a year of compounding makes of it, (1 + APR/n)^n − 1. The seed data once claimed “80 % APR compounded daily = 83.3 % APY”: worked out, it is 122.36 %. At high rates compounding matters enormously.</p>
    </section>
    <section aria-labelledby="h-apr"><h2 id="h-apr">APY → APR</h2>
      <form aria-label="APY to APR" class="inline">${field('APY (%)', '<input inputmode="decimal" value="10.5155781616">')}${field('Compounding', `<select>${options('daily')}</select>`)}<div class="buttons"><button type="submit">Work out the APR</button></div></form>
      <div class="out" aria-live="polite"></div>
      <p class="explain">The inverse: an advertised APY hides a lower APR. Products quote whichever looks better: APY for savings, APR for loans.</p>
    </section>
    <section aria-labelledby="h-real"><h2 id="h-real">Real rate</h2>
      <form aria-label="Real rate" class="inline">${field('Nominal rate (%)', '<input inputmode="decimal" value="6">')}${field('Inflation (%)', '<input inputmode="decimal" value="4">')}<div class="buttons"><button type="submit">Work out the real rate</button></div></form>
      <div class="out" aria-live="polite"></div>
      <p class="explain">What interest buys after prices rise: (1 + nominal)/(1 + inflation) − 1. “Nominal minus inflation” is close only when both are small.</p>
    </section>
    <section aria-labelledby="h-growth"><h2 id="h-growth">Growth</h2>
      <form aria-label="Growth" class="inline">${field('Principal', '<input inputmode="decimal" value="1000">')}${field('APR (%)', '<input inputmode="decimal" value="10">')}${field('Compounding', `<select>${options('daily')}</select>`)}${field('Days', '<input type="number" min="0" max="36500" value="365">')}<div class="buttons"><button type="submit">Work out the growth</button></div></form>
      <div class="out" aria-live="polite"></div>
      <p class="explain">A balance after some days at an APR: P × (1 + APR/n)^(n × days/365). The chart puts simple interest beside it: the gap is interest on interest.</p>
    </section>`;

  const wire = (name: string, work: (form: HTMLFormElement) => Promise<string>) => {
    const form = root.querySelector<HTMLFormElement>(`form[aria-label="${name}"]`)!;
    const out = form.nextElementSibling as HTMLElement;
    const run = async () => {
      try {
        out.innerHTML = await work(form);
      } catch (error) {
        out.innerHTML = `<p class="message error" role="alert">${esc((error as Error).message)}</p>`;
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void run();
    });
    return run();
  };
  const inputs = (form: HTMLFormElement) => [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')].map((i) => i.value.trim());

  await Promise.all([
    wire('APR to APY', async (form) => {
      const [apr, compounding] = inputs(form);
      const r = await must(api.GET('/v1/calc/apy', { params: { query: { apr: fraction(apr), compounding: compounding as Compounding } } }));
      const all = await Promise.all(
        ['annual', 'monthly', 'daily', 'continuous'].map((c) => must(api.GET('/v1/calc/apy', { params: { query: { apr: fraction(apr), compounding: c } } }))),
      );
      return (
        `<p class="result">${esc(pctText(fraction(apr)))} APR compounded ${esc(compounding)} = <strong>${esc(pctText(r.apy))} APY</strong>.</p>` +
        barChartSvg({ title: `APY for ${pctText(fraction(apr))} APR`, bars: all.map((a) => ({ label: a.compounding, value: Number(a.apy), text: pctText(a.apy) })) })
      );
    }),
    wire('APY to APR', async (form) => {
      const [apy, compounding] = inputs(form);
      const r = await must(api.GET('/v1/calc/apr', { params: { query: { apy: fraction(apy), compounding: compounding as Compounding } } }));
      return `<p class="result">${esc(pctText(fraction(apy), 4))} APY compounded ${esc(compounding)} comes from <strong>${esc(pctText(r.apr, 4))} APR</strong>.</p>`;
    }),
    wire('Real rate', async (form) => {
      const [nominal, inflation] = inputs(form);
      const r = await must(api.GET('/v1/calc/real-rate', { params: { query: { nominal: fraction(nominal), inflation: fraction(inflation) } } }));
      return `<p class="result">Real rate: <strong>${esc(pctText(r.exact, 3))}</strong> (the shortcut “nominal − inflation” says ${esc(pctText(r.approximate, 3))}).</p>`;
    }),
    wire('Growth', async (form) => {
      const [principal, apr, compounding, days] = inputs(form);
      const r = await must(api.GET('/v1/calc/growth', { params: { query: { principal, apr: fraction(apr), compounding: compounding as Compounding, days } } }));
      const p = Number(principal);
      const a = Number(fraction(apr));
      const n = Math.max(1, Number(days));
      const steps = Array.from({ length: 41 }, (_, i) => (i * n) / 40);
      const perYear: Record<string, number> = { annual: 1, semiannual: 2, quarterly: 4, monthly: 12, weekly: 52, daily: 365, hourly: 8760 };
      const grow = (d: number) => (compounding === 'continuous' ? p * Math.exp((a * d) / 365) : p * (1 + a / perYear[compounding]) ** ((perYear[compounding] * d) / 365));
      return (
        `<p class="result">${esc(principal)} at ${esc(pctText(fraction(apr)))} APR, compounded ${esc(compounding)}, for ${esc(days)} days grows to <strong>${esc(dec(r.finalAmount).toDecimalPlaces(6).toFixed())}</strong> (interest ${esc(dec(r.interest).toDecimalPlaces(6).toFixed())}).</p>` +
        chartSvg({
          title: 'Compounded against simple interest',
          series: [
            { name: `compounded ${compounding}`, points: steps.map((d) => [d, grow(d)]) },
            { name: 'simple interest', points: steps.map((d) => [d, p * (1 + (a * d) / 365)]), dashed: true },
          ],
          yFromZero: false,
          xFormat: (v) => `day ${Math.round(v)}`,
          width: 560,
          height: 220,
        })
      );
    }),
  ]);
}
