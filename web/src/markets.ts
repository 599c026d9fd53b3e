import { api, must } from './api.js';
import type { Ctx } from './main.js';
import { ASSETS, esc, field, table } from './dom.js';
import { chartSvg } from '../../src/charts/svg-chart.js';
import { amountText, pctText, priceText } from '../../src/charts/format.js';

let chosen = 'USDC';
const pctAxis = (v: number) => `${+(v * 100).toFixed(2)} %`;

export async function renderMarkets(root: HTMLElement, _ctx: Ctx): Promise<void> {
  const markets = await must(api.GET('/v1/markets'));
  const market = markets.find((m) => m.asset === chosen) ?? markets[0];
  const [curve, history] = await Promise.all([
    must(api.GET('/v1/markets/{asset}/rate-curve', { params: { path: { asset: market.asset }, query: { points: '41' } } })),
    must(api.GET('/v1/markets/{asset}/history', { params: { path: { asset: market.asset } } })),
  ]);
  const rows = markets.map((m) => [
    `<strong>${m.asset}</strong>`,
    esc(priceText(m.price)),
    `${esc(pctText(m.supplyApr))}<br><small>APY ${esc(pctText(m.supplyApy))}</small>`,
    `${esc(pctText(m.borrowApr))}<br><small>APY ${esc(pctText(m.borrowApy))}</small>`,
    esc(pctText(m.utilization)),
    esc(amountText(m.availableLiquidity, m.asset)),
    esc(amountText(m.totalSupplied, m.asset)),
    esc(amountText(m.totalBorrowed, m.asset)),
    `${esc(pctText(m.risk.maxLtv, 1))} / ${esc(pctText(m.risk.marginCallLtv, 1))} / ${esc(pctText(m.risk.liquidationLtv, 1))}`,
  ]);
  const u = Number(market.rateModel.optimalUtilization);
  const x = (days: string) => Date.parse(days) / 86_400_000;
  const start = history.length ? x(history[0].date) : 0;
  const dayPoints = (key: 'borrowApr' | 'supplyApr' | 'utilization' | 'supplyIndex' | 'borrowIndex') =>
    history.map((h) => [x(h.date) - start, Number(h[key])] as [number, number]);
  const curveChart = chartSvg({
    title: `${market.asset}: the rate curve`,
    lesson: `The borrow APR climbs gently up to the kink at ${pctText(u, 0)} utilisation, then steeply: a market short of cash pays lenders more to come back. The dot is today's utilisation.`,
    series: [
      { name: 'borrow APR', points: curve.map((p) => [Number(p.utilization), Number(p.borrowApr)]) },
      { name: 'supply APR', points: curve.map((p) => [Number(p.utilization), Number(p.supplyApr)]) },
    ],
    markers: [{ x: u, label: `kink ${pctText(u, 0)}`, tone: 'info' }],
    dot: { x: Number(market.utilization), y: Number(market.nextDay?.borrowApr ?? market.borrowApr), label: `now: ${pctText(market.utilization, 1)} used` },
    yFormat: pctAxis,
    xFormat: pctAxis,
    xTitle: 'utilisation',
    width: 560,
  });
  const historyCharts = history.length
    ? chartSvg({
        title: `${market.asset}: rates day by day`,
        lesson: 'Set at each 00:00 from the utilisation then, and held all day: steps, not slopes.',
        series: [
          { name: 'borrow APR', points: dayPoints('borrowApr'), step: true },
          { name: 'supply APR', points: dayPoints('supplyApr'), step: true },
          { name: 'utilisation', points: dayPoints('utilization'), step: true, dashed: true },
        ],
        yFormat: pctAxis,
        xFormat: (v) => `day ${Math.round(v)}`,
        width: 560,
      }) +
      chartSvg({
        title: `${market.asset}: the indexes`,
        lesson: 'An index grows by the day’s rate at every 00:00; a balance is its scaled amount times the index.',
        series: [
          { name: 'supply index', points: dayPoints('supplyIndex'), step: true },
          { name: 'borrow index', points: dayPoints('borrowIndex'), step: true },
        ],
        yFromZero: false,
        yFormat: (v) => v.toFixed(6),
        xFormat: (v) => `day ${Math.round(v)}`,
        width: 560,
      })
    : '<p>No day has been accrued yet: advance the clock (Admin) to see the history.</p>';
  root.innerHTML = `
    <h1>Markets</h1>
    <p class="lead">Every deposit is lent out at once. Lenders earn the supply rate, borrowers pay the borrow rate; both follow utilisation (borrowed ÷ supplied). APR is the yearly rate; APY adds what daily compounding makes of it.</p>
    ${table(
      'Markets: rates, utilisation and liquidity',
      ['Asset', 'Price', 'Supply APR', 'Borrow APR', 'Utilisation', 'Liquidity', 'Supplied', 'Borrowed', 'Max / margin call / liquidation LTV'],
      rows,
    )}
    <form class="inline" aria-label="Choose a market">${field('Market', `<select>${ASSETS.map((a) => `<option${a === market.asset ? ' selected' : ''}>${a}</option>`).join('')}</select>`)}</form>
    <p>${market.asset} today (${esc(market.ratesDate ?? '')}): borrow ${esc(pctText(market.borrowApr))} APR = ${esc(pctText(market.borrowApy))} APY; supply ${esc(pctText(market.supplyApr))} APR = ${esc(pctText(market.supplyApy))} APY. At the live utilisation, tomorrow's borrow APR would be ${esc(pctText(market.nextDay?.borrowApr))}.</p>
    <div class="side-by-side">${curveChart}</div>
    <div class="side-by-side">${historyCharts}</div>`;
  root.querySelector('select')!.addEventListener('change', (event) => {
    chosen = (event.target as HTMLSelectElement).value;
    void renderMarkets(root, _ctx);
  });
}
