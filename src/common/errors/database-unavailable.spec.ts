import { describe, expect, it } from '@jest/globals';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { toErrorBody } from './error.filter.js';

const wrapped = (cause: unknown, message = 'wrapper') => Object.assign(new Error(message), { cause });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection, two layers down', wrapped(wrapped(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })))],
    ['Postgres shutting down (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['Postgres starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ["Prisma's P1001", Object.assign(new Error("Can't reach database server"), { code: 'P1001' })],
    ["the driver adapter's kind", wrapped({ kind: 'ConnectionClosed' })],
    ['an adapter error carrying the SQLSTATE', wrapped({ kind: 'postgres', originalCode: '08006' })],
    ['a connection the pg driver saw end', new Error('Connection terminated unexpectedly')],
    ['a pg client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
    [
      "a raw query failing with the server's shutdown, as Prisma reports it (P2010)",
      Object.assign(new Error('Raw query failed'), { code: 'P2010', meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'postgres', originalCode: '57P01' } } } }),
    ],
    [
      "a model query Prisma could not send (the adapter's kind in meta)",
      Object.assign(new Error('Invalid invocation'), { code: 'P2039', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }),
    ],
    ['no connection free in the wait', new Error('Transaction API error: Unable to start a transaction in the given time.')],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ["Prisma's unique constraint (P2002)", Object.assign(new Error('Unique constraint failed'), { code: 'P2002' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a cycle of causes', (() => { const a: { cause?: unknown; message: string } = { message: 'a' }; a.cause = a; return a; })()],
    ['nothing', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('makes the error body a 503 SERVICE_UNAVAILABLE, and anything else unexpected a 500', () => {
    expect(toErrorBody(wrapped({ code: 'ECONNRESET' }))).toEqual(expect.objectContaining({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' }));
    expect(toErrorBody(new Error('boom'))).toEqual({ statusCode: 500, code: 'INTERNAL', message: 'Internal error', details: {} });
  });
});
