export interface RunningService {
  url: string;
  stop(): Promise<void>;
}
export const isRoot: () => boolean;
export function freePort(): Promise<number>;
export function portIsFree(port: number): Promise<boolean>;
export function defaultPostgresDir(projectDir: string): string;
export function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent?: boolean;
  fast?: boolean;
  /** More server flags, e.g. ['-c', 'shared_preload_libraries=pg_stat_statements'] (bench profiling). */
  flags?: string[];
  log?: (line: string) => void;
  timeoutMs?: number;
}): Promise<RunningService & { dataDir: string; port: number }>;
export function ensureDatabase(adminUrl: string, name: string): Promise<string>;
export function which(binary: string): string | undefined;
export function ensureSystemCommand(command: { binary: string; aptPackage: string; advice: string }, log?: (line: string) => void): string;
export function ensureRedisServer(log?: (line: string) => void): string;
export function ensurePgbench(log?: (line: string) => void): string;
export function startRedis(options: { port: number; dir: string; log?: (line: string) => void }): Promise<RunningService & { child: import('node:child_process').ChildProcess }>;
export function waitFor(what: string, check: () => Promise<boolean>, timeoutMs?: number, giveUp?: () => void): Promise<void>;
export function sleep(ms: number): Promise<void>;
export function messageOf(error: unknown): string;
export function postgresDirFor(dataDir: string): string;
export function tcpAnswers(host: string, port: number, timeoutMs?: number): Promise<true | string>;
export class PostgresStartError extends Error {
  dataDir: string;
  port: number;
  lastLines: string[];
}
