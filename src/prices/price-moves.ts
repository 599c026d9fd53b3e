import { Injectable } from '@nestjs/common';

/** Reacts to a new price: `pointId` names the price point; `wait` asks to return only when the reaction is over. */
export type PriceMoveListener = (pointId: string, wait: boolean) => Promise<void>;

/**
 * Who reacts when an admin sets a price (the risk sweep: margin calls and liquidations). Prices
 * sit below risk (risk values collateral at prices), so prices only announces the move and risk
 * registers here; prices never imports risk.
 */
@Injectable()
export class PriceMoves {
  private readonly listeners: PriceMoveListener[] = [];

  listen(listener: PriceMoveListener): void {
    this.listeners.push(listener);
  }

  async moved(pointId: string, wait: boolean): Promise<void> {
    await Promise.all(this.listeners.map((listener) => listener(pointId, wait)));
  }
}
