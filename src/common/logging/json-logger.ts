import { LoggerService } from '@nestjs/common';
import { wallClock } from '../time/wall-clock.js';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * One JSON object per line on stdout (errors on stderr): easy to grep, easy to ship. Log
 * times are the machine's real time, not the simulated clock, so operators can correlate them.
 */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(level: Level = 'info') {
    this.threshold = LEVELS.indexOf(level);
  }

  /** Whether a message of `level` would be written (a caller may then skip building it). */
  writes(level: Level): boolean {
    return LEVELS.indexOf(level) >= this.threshold;
  }

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    this.write('error', message, context ?? stackOrContext, context ? stackOrContext : undefined);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }

  private write(level: Level, message: unknown, context?: string, stack?: string): void {
    if (!this.writes(level)) return;
    const line = JSON.stringify({
      time: wallClock().toISOString(),
      level,
      context,
      msg: message instanceof Error ? message.message : message,
      ...(stack ? { stack } : {}),
    });
    (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
  }
}
