/**
 * Every call the console makes goes through this client, typed from the OpenAPI document
 * (client/lendlab-api.d.ts, written by `npm run client`): the page and the API cannot disagree.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from '../../client/lendlab-api.js';

export type Schemas = components['schemas'];
export type ApiError = Schemas['Error'];

const KEY_STORE = 'lendlab.key';

/** The key lives in the URL fragment (never sent to the server) and then in session storage. */
export function takeKeyFromFragment(): void {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(KEY_STORE, decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
}
export const currentKey = () => sessionStorage.getItem(KEY_STORE);
export const setKey = (key: string | null) => (key ? sessionStorage.setItem(KEY_STORE, key) : sessionStorage.removeItem(KEY_STORE));

export const api = createClient<paths>({ baseUrl: location.origin });
api.use({
  onRequest({ request }) {
    const key = currentKey();
    if (key) request.headers.set('Authorization', `Bearer ${key}`);
    return request;
  },
});

/** The API's error as a sentence a learner can act on: its message, the fields it names, its code. */
export function errorSentence(error: unknown): string {
  if (!error || typeof error !== 'object') return 'The server could not be reached.';
  const e = error as Partial<ApiError> & { details?: Record<string, unknown> };
  let text = (e.message ?? 'Something went wrong').trim();
  const details = e.details ?? {};
  const fields = Object.entries(details).filter(([, v]) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')));
  if (e.code === 'VALIDATION_FAILED' && fields.length) text += `: ${fields.map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : v}`).join('; ')}`;
  if (!/[.!?]$/.test(text)) text += '.';
  return e.code ? `${text} (${e.code})` : text;
}

/** Unwraps an openapi-fetch answer: the data, or an Error whose message is the API's sentence. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || data === undefined) {
    const failure = new Error(errorSentence(error ?? { message: `The server answered ${response.status}` }));
    (failure as Error & { status?: number }).status = response.status;
    throw failure;
  }
  return data;
}

/** Who the key belongs to: 'admin', 'user', or null for a key the API does not know. */
export async function whoAmI(): Promise<'admin' | 'user' | null> {
  // An admin-only read that costs nothing: the admin gets 404 for a user id that does not
  // exist, a user key gets 403, an unknown key 401.
  const { response } = await api.GET('/v1/users/{id}', { params: { path: { id: '00000000-0000-0000-0000-000000000000' } } });
  if (response.status === 401 || response.status === 429) return null;
  return response.status === 403 ? 'user' : 'admin';
}
