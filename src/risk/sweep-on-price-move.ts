import { Injectable } from '@nestjs/common';
import { PriceMoves } from '../prices/price-moves.js';
import { RiskSweeps } from './risk.jobs.js';

/** Every price an admin sets starts a risk sweep (PUT /v1/prices/:asset; `?wait=true` waits for it). */
@Injectable()
export class SweepOnPriceMove {
  constructor(moves: PriceMoves, sweeps: RiskSweeps) {
    moves.listen((pointId, wait) => sweeps.sweep(`price-${pointId}`, wait));
  }
}
