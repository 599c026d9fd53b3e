// LendLab's API (main.js) or a worker (worker.js) as an operating-system process of its own:
// for the benchmarks (a second worker, an API whose memory is its own) and for the tests that
// kill a process or run two of everything. Plain .mjs, so the compiled bench and Jest share it.
import { spawn } from 'node:child_process';
import { Queue } from 'bullmq';
import { messageOf, waitFor } from './services.mjs';

/**
 * Starts `script` with `env` and resolves once it is ready: when `readyQueue` is given, once
 * more workers listen on it than before; when `port` is given, once /health answers there. A
 * process that exits first, or is not ready in `timeoutMs`, is killed and the call rejects
 * with what it wrote to stderr (when `captureStderr`; otherwise stderr is this process's own).
 */
export async function startLendLabProcess({ script, nodeFlags = [], env, redisUrl, queuePrefix, readyQueue, port, captureStderr = false, timeoutMs = 60_000 }) {
  const queue = readyQueue ? new Queue(readyQueue, { connection: { url: redisUrl }, prefix: queuePrefix }) : undefined;
  const workersBefore = queue ? await queue.getWorkersCount() : 0;
  const child = spawn(process.execPath, [...nodeFlags, script], { env, stdio: ['ignore', 'ignore', captureStderr ? 'pipe' : 'inherit'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  const url = port ? `http://127.0.0.1:${port}` : undefined;
  const alive = () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${script} exited with ${child.exitCode ?? child.signalCode}: ${stderr}`);
  };
  try {
    await waitFor(
      script,
      async () => {
        if (queue && (await queue.getWorkersCount()) <= workersBefore) return false;
        return !url || (await fetch(`${url}/health`).catch(() => null))?.status === 200;
      },
      timeoutMs,
      alive,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${messageOf(error)}${captureStderr && stderr && !messageOf(error).includes(stderr) ? `\n${stderr}` : ''}`);
  } finally {
    await queue?.close();
  }
  return {
    pid: child.pid,
    url,
    stderr: () => stderr,
    /** Sends the signal (unless the process is already gone) and waits for it to be gone. */
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
