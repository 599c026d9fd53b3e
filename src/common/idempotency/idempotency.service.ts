import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PrismaService, Tx } from '../../prisma/prisma.service.js';
import { DomainError } from '../errors/domain-error.js';
import { Caller, idempotencyScope } from '../auth/caller.js';
import { wallClock } from '../time/wall-clock.js';
import { idempotencyKeyReused } from '../errors/catalogue.js';

export interface CommandResult<T = unknown> {
  statusCode: number;
  body: T;
}

export interface IdempotentRequest {
  caller: Caller;
  key: string | undefined;
  /** What identifies "the same request": method, path and body. */
  fingerprint: unknown;
}

const MAX_KEY_LENGTH = 255;

/**
 * Runs a money-moving command in one database transaction and, when the client sent an
 * `Idempotency-Key`, stores its response in that same transaction (Stripe's rules):
 *  - the key row is inserted first, so a concurrent repeat waits on the unique index until the
 *    first commits, then replays its response: one effect, however many copies race;
 *  - a domain error (a 4xx) is the response too: the effect is rolled back to a savepoint and
 *    the error is stored and replayed;
 *  - the same key with a different request is refused with 422 and changes nothing;
 *  - anything unexpected rolls the whole transaction back, key included, so a retry can succeed.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly prisma: PrismaService) {}

  static checkKey(key: string | undefined): void {
    if (key !== undefined && (key.length === 0 || key.length > MAX_KEY_LENGTH)) {
      throw new DomainError(400, 'VALIDATION_FAILED', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`, {
        fields: { 'Idempotency-Key': ['must be 1 to 255 characters'] },
      });
    }
  }

  /** Runs the command (see class comment), sets the HTTP status it answered with, returns its body. */
  async respond<T>(
    request: IdempotentRequest,
    response: { status(code: number): unknown },
    statusCode: number,
    command: (tx: Tx) => Promise<T>,
  ): Promise<unknown> {
    const result = await this.run(request, async (tx) => ({ statusCode, body: await command(tx) }));
    response.status(result.statusCode);
    return result.body;
  }

  async run<T>(request: IdempotentRequest, command: (tx: Tx) => Promise<CommandResult<T>>): Promise<CommandResult<T | unknown>> {
    IdempotencyService.checkKey(request.key);
    if (request.key === undefined) return this.prisma.$transaction((tx) => command(tx));
    const scope = idempotencyScope(request.caller);
    const key = request.key;
    const requestHash = fingerprintHash(request.fingerprint);
    return this.prisma.$transaction(async (tx) => {
      const claimed = await tx.$queryRaw<{ id: bigint }[]>`
        INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
        VALUES (${scope}, ${key}, ${requestHash}, ${wallClock()})
        ON CONFLICT (scope, key) DO NOTHING RETURNING id`;
      if (claimed.length === 0) return replay(tx, scope, key, requestHash);
      const id = claimed[0].id;
      await tx.$executeRaw`SAVEPOINT idempotent_command`;
      let result: CommandResult<unknown>;
      try {
        result = await command(tx);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        await tx.$executeRaw`ROLLBACK TO SAVEPOINT idempotent_command`;
        result = { statusCode: error.statusCode, body: error.toBody() };
      }
      await tx.$executeRaw`
        UPDATE idempotency_keys SET status_code = ${result.statusCode}, response = ${JSON.stringify(result.body)}
        WHERE id = ${id}`;
      return result;
    });
  }
}

async function replay(tx: Tx, scope: string, key: string, requestHash: string): Promise<CommandResult> {
  const [stored] = await tx.$queryRaw<StoredResponse[]>`
    SELECT request_hash, status_code, response FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`;
  return replayStored(stored, key, requestHash);
}

/** A key's row as a repeat finds it. */
export interface StoredResponse {
  request_hash: string;
  status_code: number;
  response: string;
}

/** The stored response again, for the same request; 422 for another one under the same key. */
export function replayStored(stored: StoredResponse, key: string, requestHash: string): CommandResult {
  if (stored.request_hash !== requestHash) {
    throw idempotencyKeyReused(key);
  }
  return { statusCode: stored.status_code, body: JSON.parse(stored.response) };
}

/** Key order must not matter: the same JSON body written in another order is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprintHash(fingerprint: unknown): string {
  return createHash('sha256').update(canonicalJson(fingerprint)).digest('hex');
}
