export interface LendLabProcess {
  pid: number;
  /** `http://127.0.0.1:<port>` when started with a port. */
  url?: string;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}
export function startLendLabProcess(options: {
  script: string;
  nodeFlags?: string[];
  env: NodeJS.ProcessEnv;
  redisUrl: string;
  queuePrefix: string;
  readyQueue?: string;
  port?: number;
  captureStderr?: boolean;
  timeoutMs?: number;
}): Promise<LendLabProcess>;
