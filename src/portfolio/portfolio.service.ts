import { Injectable } from '@nestjs/common';
import { laneRates } from '../markets/tier-lanes.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { OwnedAccount } from '../accounts/accounts.service.js';
import { showRate } from '../calc/compounding.js';
import { PositionView, positionView } from '../holdings/positions.js';
import { LoanView, loanView } from '../loans/loans.service.js';
import { AccountSnapshotService } from '../holdings/account-snapshot.service.js';
import type { Valuation } from '../holdings/valuation.js';

export interface AccountView {
  id: string;
  label: string;
  userId: string;
  tier: string;
  positions: PositionView[];
  loans: LoanView[];
  collateralValue: string;
  debtValue: string;
  ltv: string | null;
  maxLtv: string | null;
  marginCallLtv: string | null;
  liquidationLtv: string | null;
  status: string;
}

/** An account as its owner sees it: positions and loans at the live indexes, USD values, LTV, status. */
@Injectable()
export class PortfolioService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly snapshots: AccountSnapshotService,
  ) {}

  async view(account: OwnedAccount): Promise<AccountView> {
    const now = await this.clock.now();
    const snapshot = await this.snapshots.take(this.prisma, account.id, now);
    const decimalsOf = (asset: string) => snapshot.markets.get(asset)!.decimals;
    const { valuation } = snapshot;
    return {
      id: account.id,
      label: account.label,
      userId: account.userId,
      tier: snapshot.tier,
      positions: snapshot.positions.map((p) => positionView(p, decimalsOf(p.asset), now)),
      loans: snapshot.loans.map((loan) => loanView(loan, decimalsOf(loan.asset), laneRates(snapshot.live.get(loan.asset)!.today, snapshot.tier).borrowApr)),
      ...valuationView(valuation),
    };
  }
}

/** An account's valuation as it is shown, wherever it is shown (the account and its history). */
export function valuationView(valuation: Valuation): Pick<AccountView, 'collateralValue' | 'debtValue' | 'ltv' | 'maxLtv' | 'marginCallLtv' | 'liquidationLtv' | 'status'> {
  return {
    collateralValue: valuation.collateralValue.toFixed(),
    debtValue: valuation.debtValue.toFixed(),
    ltv: valuation.ltv ? showRate(valuation.ltv) : null,
    maxLtv: valuation.levels ? showRate(valuation.levels.maxLtv) : null,
    marginCallLtv: valuation.levels ? showRate(valuation.levels.marginCallLtv) : null,
    liquidationLtv: valuation.levels ? showRate(valuation.levels.liquidationLtv) : null,
    status: valuation.status,
  };
}
