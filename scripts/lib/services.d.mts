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
  log?: (line: string) => void;
}): Promise<RunningService>;
export function ensureDatabase(adminUrl: string, name: string): Promise<string>;
export function which(binary: string): string | undefined;
export function ensureSystemCommand(command: { binary: string; aptPackage: string; advice: string }, log?: (line: string) => void): string;
export function ensureRedisServer(log?: (line: string) => void): string;
export function ensurePgbench(log?: (line: string) => void): string;
export function startRedis(options: { port: number; dir: string; log?: (line: string) => void }): Promise<RunningService & { child: import('node:child_process').ChildProcess }>;
export function waitFor(what: string, check: () => Promise<boolean>, timeoutMs?: number, giveUp?: () => void): Promise<void>;
export function sleep(ms: number): Promise<void>;
