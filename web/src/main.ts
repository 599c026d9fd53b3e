import './style.css';
import { api, currentKey, must, setKey, takeKeyFromFragment, whoAmI } from './api.js';
import { el, esc, field, resetFieldIds, say, when } from './dom.js';
import { prefetchAccounts, renderAccount } from './account.js';
import type { Schemas } from './api.js';

// The Account view (a learner's first) is in this file's bundle; the other views load when opened.
const renderMarkets = (root: HTMLElement, ctx: Ctx) => import('./markets.js').then((m) => m.renderMarkets(root, ctx));
const renderAdmin = (root: HTMLElement, ctx: Ctx) => import('./admin.js').then((m) => m.renderAdmin(root, ctx));
const renderCalculators = (root: HTMLElement, ctx: Ctx) => import('./calculators.js').then((m) => m.renderCalculators(root, ctx));

type ViewName = 'markets' | 'account' | 'admin' | 'calculators';
const TITLES: Record<ViewName, string> = { markets: 'Markets', account: 'Account', admin: 'Admin', calculators: 'Calculators' };

export interface Ctx {
  role: 'admin' | 'user';
  /** Redraws the current view (after an action, a price change or an advance). */
  refresh(): void;
  /** The simulated clock, as last read. */
  now(): string;
  /** The prices, read with the clock. */
  prices(): Schemas['PriceViewDto'][];
  /**
   * A view that draws its first part before its slower parts calls this with the work still to
   * do: the first part is shown at once, and the redraw ends when the rest is in.
   */
  later(rest: Promise<void>): void;
  /** Settles once the clock shown by now() is current (read beside the view's own requests). */
  clock: Promise<void>;
  /** Shows a sentence in the view's message area (kept across redraws until the next one) and redraws. */
  tell(text: string, kind?: 'ok' | 'error'): Promise<void>;
}

const root = document.getElementById('app')!;
let role: 'admin' | 'user' | null = null;
let view: ViewName = 'account';
let clockNow = '';
let pricesNow: Schemas['PriceViewDto'][] = [];
let signature = '';
let clockRead: Promise<void> | null = null;
let drawing: Promise<void> | null = null;

function signIn(message = ''): void {
  root.innerHTML = '';
  const main = el(
    'main',
    { class: 'sign-in' },
    `<h1>LendLab console</h1>
     <p>A sandbox lending platform: deposit, borrow against crypto, watch interest accrue and margin calls arrive. The sandbox prints a link for each demo user; or paste a key.</p>
     <form aria-label="Sign in">${field('API key', '<input type="password" autocomplete="off" required spellcheck="false">', 'A user key (ll_…) or the admin key; it stays in this tab only.')}
     <button type="submit">Sign in</button></form><p class="message" role="status"></p>`,
  );
  root.append(main);
  const region = main.querySelector<HTMLElement>('.message')!;
  if (message) say(region, message, 'error');
  main.querySelector('form')!.addEventListener('submit', async (event) => {
    event.preventDefault();
    setKey(main.querySelector('input')!.value.trim());
    await start();
  });
}

async function start(): Promise<void> {
  if (!currentKey()) return signIn();
  // One round trip before the first view: who the key is, its accounts, the clock and prices.
  prefetchAccounts();
  clockRead = readClock().catch(() => undefined);
  const who = await whoAmI().catch(() => null);
  if (!who) {
    setKey(null);
    return signIn('That key was not accepted: check it, or copy the link the sandbox printed.');
  }
  role = who;
  view = (location.hash.slice(1) as ViewName) in TITLES ? (location.hash.slice(1) as ViewName) : role === 'admin' ? 'admin' : 'account';
  shell();
  await draw();
}

function shell(): void {
  root.innerHTML = `
    <header class="top">
      <p class="brand">LendLab</p>
      <nav aria-label="Views"><ul>${(Object.keys(TITLES) as ViewName[])
        .map((v) => `<li><a href="#${v}" data-view="${v}">${TITLES[v]}</a></li>`)
        .join('')}</ul></nav>
      <p class="who"><span id="clock" aria-live="off"></span> · signed in as ${role === 'admin' ? 'the admin' : 'a user'} <button type="button" id="sign-out" class="link">Sign out</button></p>
    </header>
    <main id="view" tabindex="-1"></main>`;
  root.querySelector('#sign-out')!.addEventListener('click', () => {
    setKey(null);
    location.hash = '';
    signIn();
  });
  root.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) =>
    a.addEventListener('click', (event) => {
      event.preventDefault();
      view = a.dataset.view as ViewName;
      flash = null;
      history.replaceState(null, '', `#${view}`);
      // A redraw already running draws the view that was: draw again after it, never drop a navigation.
      if (drawing) again = true;
      void draw();
    }),
  );
}

let flash: { view: ViewName; text: string; kind: 'ok' | 'error' } | null = null;
const ctx: Ctx = {
  role: 'user',
  clock: Promise.resolve(),
  // After the current redraw if one is running (a view's slower parts can still be loading): never dropped.
  refresh: () => void draw(true),
  now: () => clockNow,
  prices: () => pricesNow,
  later: () => undefined,
  tell: async (text, kind = 'ok') => {
    flash = { view, text, kind };
    if (kind === 'error') {
      const region = root.querySelector<HTMLElement>('#view .message[data-flash]');
      if (region) say(region, text, kind);
      return;
    }
    // A success shows once the view has been redrawn with what the action changed.
    await draw(true);
  },
};
document.addEventListener('input', (event) => (event.target as HTMLElement).dataset && ((event.target as HTMLElement).dataset.dirty = '1'));

let again = false;
/** The view's markup as last drawn (before the learner's typing): a redraw that would draw the same is not shown. */
let drawnHtml = '';

/**
 * A pointer pressed on the page: a redraw waits for its release, so the click it makes lands on the
 * button that was pressed and is never lost to a replaced one. The click is dispatched with the
 * release, so waiting one task after it is enough; a release that never comes (a drag out of the
 * window) holds a redraw for at most a second.
 */
let pointerHeld: Promise<void> | null = null;
let releasePointer = () => undefined as void;
document.addEventListener('pointerdown', () => void (pointerHeld ??= new Promise<void>((r) => (releasePointer = r))), true);
for (const type of ['pointerup', 'pointercancel'])
  document.addEventListener(type, () => setTimeout(() => ((pointerHeld = null), releasePointer()), 0), true);
const pointerReleased = () => (pointerHeld ? Promise.race([pointerHeld, new Promise((r) => setTimeout(r, 1000))]) : null);

/** Redraws the view; `fresh` waits for a redraw that starts after this call (after an action). */
async function draw(fresh = false): Promise<void> {
  if (drawing) {
    if (!fresh) return drawing;
    again = true;
    await drawing;
    if (drawing) return drawing;
    again = false;
  }
  drawing = (async () => {
    // A success's message belongs to the state its action left: a redraw that began before the
    // action (its data read before it) shows the message it began with, and the redraw the
    // action asks for shows the new one. An error shows at once and changes no state.
    const flashAtStart = flash;
    ctx.role = role!;
    const clock = clockRead ?? readClock();
    clockRead = null;
    ctx.clock = clock;
    root.querySelectorAll<HTMLAnchorElement>('nav a').forEach((a) => (a.dataset.view === view ? a.setAttribute('aria-current', 'page') : a.removeAttribute('aria-current')));
    const target = root.querySelector<HTMLElement>('#view')!;
    // Redrawing the view that is shown swaps it whole, once everything is in: the learner never sees
    // it fall back to "Loading…", and the forms are replaced in one step. A newly opened view shows
    // its first part at once.
    const sameView = target.dataset.view === view;
    resetFieldIds();
    const next = el('div', { class: 'view' });
    let rest: Promise<void> | null = null;
    ctx.later = (work) => void (rest = work);
    const failed = (error: unknown) =>
      (next.innerHTML = `<h1>${TITLES[view]}</h1><p class="message error" role="alert">${esc(error instanceof Error ? error.message : String(error))}</p>`);
    try {
      if (view === 'markets') await renderMarkets(next, ctx);
      else if (view === 'account') await renderAccount(next, ctx);
      else if (view === 'admin') await renderAdmin(next, ctx);
      else await renderCalculators(next, ctx);
    } catch (error) {
      failed(error);
    }
    ctx.later = () => undefined;
    if (sameView && rest) await (rest as Promise<void>).catch(failed);
    await clock;
    while (pointerHeld) await pointerReleased();
    // From here to the swap nothing awaits, so no typing, focus or click can fall between what is
    // read from the shown view and the view that replaces it.
    const region = next.querySelector<HTMLElement>('.message[data-flash]');
    const shown = flash?.kind === 'error' ? flash : flashAtStart;
    if (region && shown && shown.view === view) say(region, shown.text, shown.kind);
    const html = next.innerHTML;
    if (sameView && html === drawnHtml) return; // nothing changed: the shown view, its typing and focus stay
    drawnHtml = html;
    const refocus = sameView ? keepTyping(target, next) : null;
    target.dataset.view = view;
    target.replaceChildren(next);
    refocus?.();
    // The view's slower parts fill in where it is shown; the redraw is done when they are.
    if (!sameView && rest) await (rest as Promise<void>).catch(failed);
  })().finally(() => {
    drawing = null;
    if (again) {
      again = false;
      void draw();
    }
  });
  return drawing;
}

/**
 * Carries what the learner typed from the shown view into its redraw (fields matched by their
 * label), and returns what puts the focus back once the redraw is shown.
 */
function keepTyping(shown: HTMLElement, next: HTMLElement): () => void {
  // A control's key is its form's name and its own label, read from the markup: `labels` cannot be
  // used, since it resolves `for` through the document, where the shown view has the same ids.
  const keyOf = (e: Element) => {
    const own = e.closest('.field')?.querySelector('label')?.textContent ?? e.getAttribute('aria-label') ?? (e.tagName === 'BUTTON' ? e.textContent : null);
    return own === null ? null : `${e.closest('form')?.getAttribute('aria-label') ?? ''}|${own}`;
  };
  const typed = new Map<string, string>();
  shown.querySelectorAll<HTMLInputElement>('[data-dirty]').forEach((e) => keyOf(e) && typed.set(keyOf(e)!, e.value));
  const focusKey = document.activeElement && shown.contains(document.activeElement) ? keyOf(document.activeElement) : null;
  next.querySelectorAll<HTMLInputElement>('input, select, textarea').forEach((e) => {
    const k = keyOf(e);
    if (k && typed.has(k)) {
      e.value = typed.get(k)!;
      e.dataset.dirty = '1';
    }
  });
  return () => void (focusKey && [...next.querySelectorAll<HTMLElement>('input, select, textarea, button')].find((e) => keyOf(e) === focusKey)?.focus());
}

async function readClock(): Promise<void> {
  const [clock, prices] = await Promise.all([must(api.GET('/v1/clock')), must(api.GET('/v1/prices'))]);
  clockNow = clock.now;
  pricesNow = prices;
  signature = `${clock.now}|${prices.map((p) => `${p.asset}=${p.price}`).join(',')}`;
  const shown = root.querySelector('#clock');
  if (shown) shown.textContent = `Simulated time ${when(clock.now)}${clock.mode === 'realtime' ? ' (real time)' : ''}`;
}

/** How long the Account view keeps redrawing after the world moved: a price is stored before its sweep's notices are. */
const SETTLE_MS = 15_000;
let settleUntil = 0;

/** Polls the clock and the prices: when either moved (an advance, a price change), the view is redrawn. */
async function poll(): Promise<void> {
  if (role && currentKey() && !drawing && document.visibilityState === 'visible') {
    try {
      const [clock, prices] = await Promise.all([api.GET('/v1/clock'), api.GET('/v1/prices')]);
      // Compared with what the page last drew, as it is now: a redraw that ran meanwhile (after the
      // learner's own action) has drawn this state already, with its message, which must stay.
      if (clock.data && prices.data && !drawing) {
        const now = `${clock.data.now}|${prices.data.map((p) => `${p.asset}=${p.price}`).join(',')}`;
        if (now !== signature) {
          flash = null; // the world moved: an old message no longer describes it
          settleUntil = Date.now() + SETTLE_MS;
          await draw();
        } else if (view === 'account' && Date.now() < settleUntil) {
          // The margin calls and liquidations a move causes land just after it: the account is drawn
          // again as they do (only the account view, which keeps its message and its typing).
          await draw();
        }
      }
    } catch {
      /* the next poll tries again */
    }
  }
  setTimeout(poll, 1500);
}

takeKeyFromFragment();
void start();
setTimeout(poll, 1500);
