import { Decimal, dec } from '../../src/common/money/decimal.js';
import { api, must } from './api.js';
import type { Schemas } from './api.js';
import type { Ctx } from './main.js';
import { assetOptions, esc, field, span, table, when } from './dom.js';
import { chartSvg, ltvGaugeSvg } from '../../src/charts/svg-chart.js';
import { amountText, noticeSentence, pctText, priceText, usdText } from '../../src/charts/format.js';

let chosenAccount: string | null = null;
let lastAsset = 'BTC';

const STATUS_TEXT = { healthy: 'Healthy', margin_call: 'Margin call', liquidating: 'Being liquidated' } as const;

let prefetched: Promise<Schemas['AccountListItemView'][]> | null = null;
let prefetchedView: { id: string; view: Promise<Schemas['AccountViewDto']> } | null = null;
/**
 * Asked for at sign-in beside the key check: the account list, and as soon as it arrives the
 * account the view will show (two round trips before the first paint, not three).
 */
export function prefetchAccounts(): void {
  prefetched = must(api.GET('/v1/accounts'));
  prefetched.catch(() => undefined);
  prefetchedView = null;
  void prefetched.then((accounts) => {
    const id = accounts.some((a) => a.id === chosenAccount) ? chosenAccount! : accounts[0]?.id;
    if (!id) return;
    prefetchedView = { id, view: must(api.GET('/v1/accounts/{id}', { params: { path: { id } } })) };
    prefetchedView.view.catch(() => undefined);
  }, () => undefined);
}

export async function renderAccount(root: HTMLElement, ctx: Ctx): Promise<void> {
  const accounts = await (prefetched ?? must(api.GET('/v1/accounts')));
  prefetched = null;
  if (accounts.length === 0) {
    root.innerHTML = '<h1>Account</h1><p>This key has no account.</p>';
    return;
  }
  if (!chosenAccount || !accounts.some((a) => a.id === chosenAccount)) chosenAccount = accounts[0].id;
  const path = { params: { path: { id: chosenAccount } } };
  const early = prefetchedView?.id === chosenAccount ? prefetchedView.view : null;
  prefetchedView = null;
  // The summary (health, LTV, positions, loans) needs the account and the clock; it is drawn
  // first. The statement's parts are asked for once the account has arrived, so that they do
  // not compete with it on a busy server, and fill in when they come.
  const account = await (early ?? must(api.GET('/v1/accounts/{id}', path)));
  const slower = Promise.all([
    must(api.GET('/v1/accounts/{id}/notifications', path)),
    must(api.GET('/v1/accounts/{id}/interest', path)),
    must(api.GET('/v1/accounts/{id}/transactions', path)),
    must(api.GET('/v1/settings')),
  ]);
  slower.catch(() => undefined);
  await ctx.clock;
  const now = Date.parse(ctx.now());
  const price = new Map(ctx.prices().map((p) => [p.asset, p.price]));
  const ltv = account.ltv === null ? null : Number(account.ltv);
  const positionRows = (lines: Schemas['StatementLineView'][] | null, days: number | null) =>
    account.positions.map((p) => [
      p.asset,
      esc(amountText(p.amount, p.asset)),
      esc(amountText(p.principal, p.asset)),
      esc(amountText(p.interestEarned, p.asset)),
      maturityText(p, now, lines, days),
    ]);
  const positionsTable = (lines: Schemas['StatementLineView'][] | null, days: number | null) =>
    table('Positions', ['Asset', 'Amount', 'Principal', 'Interest earned', 'Maturity'], positionRows(lines, days), 'no positions: deposit to start earning');
  const loading = '<p class="pending">Loading…</p>';

  root.innerHTML = `
    <h1>Account</h1>
    ${accountPicker(accounts, ctx)}
    <section aria-labelledby="h-health"><h2 id="h-health">Health: <span class="status ${account.status}">${STATUS_TEXT[account.status]}</span></h2>
      <dl class="figures">
        <div><dt>Collateral value</dt><dd>${esc(usdText(account.collateralValue))}</dd></div>
        <div><dt>Debt</dt><dd>${esc(usdText(account.debtValue))}</dd></div>
        <div><dt>LTV</dt><dd data-testid="ltv">${ltv === null ? 'no debt' : esc(pctText(ltv, 1))}</dd></div>
        <div><dt>Loyalty tier</dt><dd>${esc(account.tier)}</dd></div>
      </dl>
      ${account.maxLtv && account.marginCallLtv && account.liquidationLtv
        ? ltvGaugeSvg({ ltv, maxLtv: Number(account.maxLtv), marginCallLtv: Number(account.marginCallLtv), liquidationLtv: Number(account.liquidationLtv) })
        : '<p>Deposit collateral to see the LTV gauge.</p>'}
      <p class="explain">${cushionSentence(account, price)}</p>
    </section>
    <section aria-labelledby="h-move"><h2 id="h-move">Deposit, withdraw, borrow, repay</h2>
      <form aria-label="Move money" class="inline">
        ${field('Asset', `<select>${assetOptions(lastAsset)}</select>`)}
        ${field('Amount', '<input inputmode="decimal" autocomplete="off" spellcheck="false" placeholder="e.g. 0.5">', 'Withdraw takes the whole position; Repay takes an amount or "all".')}
        <div class="buttons"><button type="submit" value="deposit">Deposit</button><button type="submit" value="withdraw">Withdraw</button><button type="submit" value="borrow">Borrow</button><button type="submit" value="repay">Repay</button></div>
      </form>
      <p class="message" data-flash role="status"></p>
    </section>
    <section aria-labelledby="h-positions"><h2 id="h-positions">Positions (lent out, earning)</h2>
      <div data-part="positions">${positionsTable(null, null)}</div>
      <p class="explain" data-part="period">Every deposit is lent at once and locked for a lending period after the position’s latest deposit: a top-up moves the date for the whole position. A sub-account keeps a top-up’s lock separate.</p>
    </section>
    <section aria-labelledby="h-loans"><h2 id="h-loans">Loans</h2>
      ${table(
        'Loans',
        ['Asset', 'Borrowed', 'Owed now', 'Interest so far', 'Borrow APR'],
        account.loans.map((l) => [
          l.asset,
          esc(amountText(l.principal, l.asset)),
          esc(amountText(l.outstanding, l.asset)),
          // Decimal strings in, a decimal string out: what is owed above what was borrowed, never below 0.
          esc(amountText(Decimal.max(dec(l.outstanding).minus(l.principal), 0).toFixed(), l.asset)),
          esc(pctText(l.borrowApr)),
        ]),
        'no loans',
      )}
    </section>
    <section aria-labelledby="h-notices"><h2 id="h-notices">Notifications</h2>
      <div data-part="notices">${loading}</div>
    </section>
    <section aria-labelledby="h-interest"><h2 id="h-interest">Interest statement</h2>
      <div data-part="interest">${loading}</div>
    </section>
    <section aria-labelledby="h-statement"><h2 id="h-statement">Statement</h2>
      <div data-part="statement">${loading}</div>
    </section>`;

  const part = (name: string, html: string) => {
    const at = root.querySelector<HTMLElement>(`[data-part="${name}"]`);
    if (at) at.innerHTML = html;
  };
  ctx.later(
    slower.then(([notices, interest, lines, settings]) => {
      part('positions', positionsTable(lines, settings.lendingPeriodDays));
      part(
        'period',
        `Every deposit is lent at once and locked for ${settings.lendingPeriodDays} days after the position’s latest deposit: a top-up moves the date for the whole position. A sub-account keeps a top-up’s lock separate.`,
      );
      part(
        'notices',
        `<ol class="notices" reversed>${
          [...notices].reverse().map((n) => `<li class="notice ${esc(n.type)}"><time datetime="${esc(n.at)}">${esc(when(n.at))}</time> ${esc(noticeSentence(n.type, n.data))}</li>`).join('') ||
          '<li>None yet. A margin call arrives here when the LTV crosses the margin-call level.</li>'
        }</ol>`,
      );
      part(
        'interest',
        `${interestChart(interest)}${table(
          'Interest per day',
          ['Date', 'Asset', 'Earned or charged', 'Amount'],
          [...interest].reverse().slice(0, 60).map((i) => [esc(i.date), i.asset, i.kind, esc(amountText(i.amount, i.asset))]),
          'no interest yet: advance the clock a day (Admin) and it appears',
        )}`,
      );
      part(
        'statement',
        table(
          'Latest ledger lines',
          ['When', 'Type', 'Amount', 'Description'],
          lines.slice(0, 30).map((l) => [esc(when(l.at)), esc(l.type), esc(amountText(l.amount, l.asset)), esc(l.description ?? '')]),
        ),
      );
    }),
  );

  const form = root.querySelector<HTMLFormElement>('form[aria-label="Move money"]')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const action = ((event as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'deposit';
    void move(action, form, account, ctx);
  });
  wirePicker(root, ctx);
}

async function move(action: string, form: HTMLFormElement, account: Schemas['AccountViewDto'], ctx: Ctx): Promise<void> {
  const asset = form.querySelector('select')!.value as Schemas['DepositDto']['asset'];
  const amount = form.querySelector('input')!.value.trim();
  lastAsset = asset;
  const id = { params: { path: { id: account.id } } };
  try {
    if (action === 'deposit') {
      const { position } = await must(api.POST('/v1/accounts/{id}/deposits', { ...id, body: { asset, amount } }));
      await ctx.tell(`Deposited ${amountText(amount, asset)}: the position holds ${amountText(position.amount, asset)}, locked until ${when(position.maturesAt)}.`);
    } else if (action === 'withdraw') {
      const done = await must(api.POST('/v1/accounts/{id}/withdrawals', { ...id, body: amount ? { asset, amount } : { asset } }));
      await ctx.tell(`Withdrew ${amountText(done.amount, done.asset)}, interest included.`);
    } else if (action === 'borrow') {
      const { loan } = await must(api.POST('/v1/accounts/{id}/loans', { ...id, body: { asset, amount } }));
      await ctx.tell(`Borrowed ${amountText(amount, asset)} at ${pctText(loan.borrowApr)} APR; it was paid to your external wallet.`);
    } else {
      const loan = account.loans.filter((l) => l.asset === asset).sort((a, b) => dec(b.outstanding).comparedTo(a.outstanding))[0];
      if (!loan) return void (await ctx.tell(`There is no ${asset} loan to repay.`, 'error'));
      const { loan: after } = await must(api.POST('/v1/loans/{id}/repayments', { params: { path: { id: loan.id } }, body: { amount: amount || 'all' } }));
      await ctx.tell(`Repaid ${amount && amount !== 'all' ? amountText(amount, asset) : 'the whole loan'}; ${amountText(after.outstanding, asset)} is still owed.`);
    }
  } catch (error) {
    await ctx.tell(`${action[0].toUpperCase()}${action.slice(1)} refused: ${error instanceof Error ? error.message : String(error)}`, 'error');
  }
}

function accountPicker(accounts: { id: string; label: string }[], ctx: Ctx): string {
  return `<form class="inline" aria-label="Choose an account">
      ${field('Account', `<select>${accounts.map((a) => `<option value="${esc(a.id)}"${a.id === chosenAccount ? ' selected' : ''}>${esc(a.label)}${ctx.role === 'admin' ? ` (${esc(a.id.slice(0, 8))})` : ''}</option>`).join('')}</select>`)}
    </form>
    ${ctx.role === 'user' ? `<form class="inline" aria-label="Open a sub-account">${field('Sub-account label', '<input autocomplete="off" maxlength="100">')}<button type="submit">Open sub-account</button></form>` : ''}`;
}

function wirePicker(root: HTMLElement, ctx: Ctx): void {
  root.querySelector('form[aria-label="Choose an account"] select')!.addEventListener('change', (event) => {
    chosenAccount = (event.target as HTMLSelectElement).value;
    // The choice is the view's state, not typing to keep across the redraw.
    (event.target as HTMLSelectElement).removeAttribute('data-dirty');
    ctx.refresh();
  });
  const open = root.querySelector<HTMLFormElement>('form[aria-label="Open a sub-account"]');
  open?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const label = open.querySelector('input')!.value.trim();
    try {
      const created = await must(api.POST('/v1/accounts', { body: { label } }));
      chosenAccount = created.id;
      await ctx.tell(`Opened the sub-account "${created.label}": its positions mature on their own.`);
    } catch (error) {
      await ctx.tell(`Could not open it: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  });
}

/** How far the collateral can fall before each level, with the price it would take. */
function cushionSentence(account: Schemas['AccountViewDto'], price: Map<string, string>): string {
  if (account.ltv === null || !account.marginCallLtv || !account.liquidationLtv) {
    return 'No debt: nothing can be called or liquidated. Borrowing against a deposit starts the LTV.';
  }
  // Rates and prices as decimals: the fall that takes the LTV to a level is 1 − ltv ÷ level.
  const ltv = dec(account.ltv);
  const collateral = account.positions.filter((p) => dec(p.amount).gt(0) && !account.loans.some((l) => l.asset === p.asset));
  const only = collateral.length === 1 ? collateral[0].asset : null;
  const part = (level: string, name: string) => {
    const fall = dec(1).minus(ltv.div(level));
    if (fall.lte(0)) return `the LTV is already past the ${name} level (${pctText(level, 1)})`;
    const at = only && price.get(only) ? ` (${only} at ${priceText(dec(price.get(only)!).times(dec(1).minus(fall)).toFixed())})` : '';
    return `a fall of ${pctText(fall.toFixed(), 1)}${at} brings a ${name}`;
  };
  return `How far can the price fall? ${part(account.marginCallLtv, 'margin call')}; ${part(account.liquidationLtv, 'liquidation')}.${only ? '' : ' (If all the collateral fell together.)'} Interest makes the debt grow, so the cushion shrinks a little every day.`;
}

function maturityText(p: Schemas['PositionViewDto'], now: number, lines: Schemas['StatementLineView'][] | null, days: number | null): string {
  const at = Date.parse(p.maturesAt);
  if (p.matured) return `<span class="ok">matured</span>: can be withdrawn (since ${esc(when(p.maturesAt))})`;
  if (!lines || days === null) return `<span class="locked">locked</span>: matures in ${span(at - now)} (${esc(when(p.maturesAt))}).`;
  const deposits = lines.filter((l) => l.type === 'deposit' && l.asset === p.asset).map((l) => Date.parse(l.at)).sort((a, b) => b - a);
  let why = '';
  if (deposits.length >= 2 && deposits[0] + days * 86_400_000 === at) {
    why = ` A top-up on ${esc(when(new Date(deposits[0]).toISOString()))} moved it from ${esc(when(new Date(deposits[1] + days * 86_400_000).toISOString()))}.`;
  }
  return `<span class="locked">locked</span>: matures in ${span(at - now)} (${esc(when(p.maturesAt))}).${why}`;
}

function interestChart(interest: Schemas['InterestLineView'][]): string {
  if (interest.length === 0) return '';
  const keys = [...new Set(interest.map((i) => `${i.asset} ${i.kind}`))];
  const dates = [...new Set(interest.map((i) => i.date))].sort();
  const x = (d: string) => (Date.parse(d) - Date.parse(dates[0])) / 86_400_000;
  return `<div class="side-by-side">${keys
    .map((k) => {
      const [asset, kind] = k.split(' ');
      // Summed as decimals; only the chart's coordinates become numbers.
      let total = dec(0);
      const points = dates.map((d) => {
        total = interest.filter((i) => i.date === d && i.asset === asset && i.kind === kind).reduce((s, i) => s.plus(i.amount), total);
        return [x(d) + 1, total.toNumber()] as [number, number];
      });
      return chartSvg({
        title: `${asset} interest ${kind}, added up`,
        lesson: kind === 'charged' ? 'Each 00:00 adds a day of interest to the debt.' : 'Each 00:00 adds a day of interest to the position.',
        series: [{ name: `${asset} ${kind}`, points: [[0, 0], ...points], step: true }],
        xFormat: (v) => `day ${Math.round(v)}`,
        width: 460,
        height: 200,
      });
    })
    .join('')}</div>`;
}
