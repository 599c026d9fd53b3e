import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '../common/auth/auth.decorators.js';
import type { Caller } from '../common/auth/caller.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { NotificationsService, NotificationView } from '../notifications/notifications.service.js';
import { PortfolioService, AccountView } from './portfolio.service.js';
import { StatementsService, InterestLine, StatementLine } from './statements.service.js';

@ApiTags('accounts')
@Controller('v1/accounts/:id')
export class PortfolioController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly portfolio: PortfolioService,
    private readonly statements: StatementsService,
    private readonly notifications: NotificationsService,
  ) {}

  @Get()
  @ApiOkResponse({ description: '{ id, label, userId, tier, positions, loans, collateralValue, debtValue, ltv, maxLtv, marginCallLtv, liquidationLtv, status }' })
  async view(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<AccountView> {
    return this.portfolio.view(await this.accounts.findForCaller(caller, id));
  }

  @Get('transactions')
  @ApiQuery({ name: 'limit', required: false, example: 100 })
  @ApiOkResponse({ description: 'Ledger-backed statement, newest first: [{ id, type, asset, amount, at, description, details }]' })
  async transactions(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query('limit') limit?: string): Promise<StatementLine[]> {
    return this.statements.transactions((await this.accounts.findForCaller(caller, id)).id, limit);
  }

  @Get('interest')
  @ApiQuery({ name: 'from', required: false, example: '2026-01-01' })
  @ApiQuery({ name: 'to', required: false, example: '2026-01-31' })
  @ApiOkResponse({ description: 'Per day and asset, inclusive: [{ date, asset, kind: "earned" | "charged", amount }]' })
  async interest(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<InterestLine[]> {
    return this.statements.interest((await this.accounts.findForCaller(caller, id)).id, from, to);
  }

  @Get('notifications')
  @ApiOkResponse({ description: 'Oldest first: [{ id, type, at, data }]' })
  async notificationsOf(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<NotificationView[]> {
    return this.notifications.list((await this.accounts.findForCaller(caller, id)).id);
  }
}
