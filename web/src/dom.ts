import { escapeHtml } from '../../src/charts/format.js';

export const esc = escapeHtml;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, html = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.innerHTML = html;
  return node;
}

export const ASSETS = ['BTC', 'ETH', 'SOL', 'USDC', 'USDT', 'LAB'] as const;
export type Asset = (typeof ASSETS)[number];
export const assetOptions = (selected?: string) => ASSETS.map((a) => `<option${a === selected ? ' selected' : ''}>${a}</option>`).join('');

let ids = 0;
export const uid = (prefix: string) => `${prefix}-${++ids}`;
/** Each redraw numbers its fields from the start, so a redraw that changes nothing has the same markup. */
export const resetFieldIds = () => void (ids = 0);

/** A labelled field: the label is what tests and screen readers find it by. */
export function field(label: string, control: string, hint = ''): string {
  const id = uid('f');
  const withId = control.replace(/^<(\w+)/, `<$1 id="${id}" name="${id}"`);
  const hintId = hint ? `${id}-hint` : '';
  return `<div class="field"><label for="${id}">${esc(label)}</label>${hint ? withId.replace(/^<(\w+)/, `<$1 aria-describedby="${hintId}"`) : withId}${hint ? `<small id="${hintId}">${esc(hint)}</small>` : ''}</div>`;
}

/** Shows the result of an action in the view's message area: a status, or an alert for a refusal. */
export function say(region: HTMLElement, text: string, kind: 'ok' | 'error' = 'ok'): void {
  region.className = `message ${kind}`;
  region.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  region.textContent = text;
}

export function table(caption: string, head: string[], rows: string[][], empty = 'none yet'): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') : `<tr><td colspan="${head.length}">${esc(empty)}</td></tr>`;
  return `<table><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

export const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** "3 d 4 h" between two instants. */
export function span(ms: number): string {
  const hours = Math.max(0, Math.round(ms / 3_600_000));
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return d ? `${d} d${h ? ` ${h} h` : ''}` : `${h} h`;
}
