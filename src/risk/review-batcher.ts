import { Logger } from '@nestjs/common';

interface Waiting<R> {
  accountId: string;
  resolve: (outcome: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the account reviews a worker is running at the same moment into one batch (one
 * database transaction for all of them), the way a loader coalesces lookups: each review job
 * stays one job per account (its own id, retries and result), while the database sees a few
 * set-based statements per batch instead of a few per account. A batch that fails is tried
 * again account by account, so one account in trouble cannot hold back the others; those that
 * fail alone fail their own job, which BullMQ retries.
 */
export class ReviewBatcher<R extends { accountId: string }> {
  private readonly logger = new Logger('risk');
  private waiting: Waiting<R>[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly reviewMany: (accountIds: string[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly gatherMs: number,
  ) {}

  review(accountId: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ accountId, resolve, reject });
      if (this.waiting.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.gatherMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting.splice(0, this.maxBatch);
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.flush(), this.gatherMs);
    if (batch.length > 0) void this.run(batch);
  }

  private async run(batch: Waiting<R>[]): Promise<void> {
    try {
      this.settle(batch, await this.reviewMany(batch.map((w) => w.accountId)));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      this.logger.warn(`a batch of ${batch.length} reviews failed (${String(error)}); reviewing them one by one`);
      for (const waiting of batch) {
        try {
          this.settle([waiting], await this.reviewMany([waiting.accountId]));
        } catch (alone) {
          waiting.reject(alone);
        }
      }
    }
  }

  private settle(batch: Waiting<R>[], outcomes: R[]): void {
    const byAccount = new Map(outcomes.map((o) => [o.accountId, o]));
    for (const waiting of batch) {
      const outcome = byAccount.get(waiting.accountId);
      if (outcome) waiting.resolve(outcome);
      else waiting.reject(new Error(`no review outcome for account ${waiting.accountId}`));
    }
  }
}
