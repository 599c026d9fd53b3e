/**
 * Whether an error means the database could not be reached or went away (a restart, a network
 * cut, every connection busy past the wait): the request did not happen, or was rolled back
 * whole, and the same request can simply be sent again. Errors arrive from three layers (the
 * pg driver, Prisma's driver adapter, Prisma's client), each wrapping the one below in `cause`.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
/** SQLSTATE classes 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up), 53300 (too many connections). */
const SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300']);
/** Prisma: can't reach the server, timed out reaching it, connection closed, pool wait timed out. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024']);
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'TooManyConnections', 'SocketTimeout']);
const MESSAGES = [
  /Connection terminated/i,
  /connection error and is not queryable/i,
  /Can't reach database server/i,
  /Unable to start a transaction in the given time/i,
  /Cannot use a pool after calling end/i,
];

interface ErrorLike {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  /** Prisma's client error keeps the adapter's error here rather than in `cause`. */
  meta?: { driverAdapterError?: unknown };
}

function saysUnavailable(e: ErrorLike): boolean {
  const code = typeof e.code === 'string' ? e.code : undefined;
  const originalCode = typeof e.originalCode === 'string' ? e.originalCode : undefined;
  if (code && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || PRISMA_CODES.has(code))) return true;
  if (originalCode && (NETWORK_CODES.has(originalCode) || SQLSTATES.has(originalCode))) return true;
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  return typeof e.message === 'string' && MESSAGES.some((pattern) => pattern.test(e.message as string));
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const pending: unknown[] = [error];
  for (let looked = 0; looked < 12 && pending.length > 0; looked += 1) {
    const current = pending.shift();
    if (!current || typeof current !== 'object') continue;
    const e = current as ErrorLike;
    if (saysUnavailable(e)) return true;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}
