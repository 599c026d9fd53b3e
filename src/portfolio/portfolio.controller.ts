import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '../common/auth/auth.decorators.js';
import type { Caller } from '../common/auth/caller.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { NotificationsService, NotificationView } from '../notifications/notifications.service.js';
import { PortfolioService, AccountView } from './portfolio.service.js';
import { StatementsService, InterestLine, StatementLine } from './statements.service.js';
import { AccountHistoryService, AccountDayView, MAX_HISTORY_DAYS } from './account-history.service.js';
import { AccountDayViewDto, AccountViewDto, InterestLineView, NotificationViewDto, StatementLineView } from './portfolio.dto.js';
import { Operation } from '../common/http/api-docs.js';

@ApiTags('accounts')
@Controller('v1/accounts/:id')
export class PortfolioController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly portfolio: PortfolioService,
    private readonly statements: StatementsService,
    private readonly notifications: NotificationsService,
    private readonly accountHistory: AccountHistoryService,
  ) {}

  @Get()
  @Operation('An account: positions, loans, LTV and its levels, status', { 404: ['NOT_FOUND'] })
  @ApiOkResponse({ type: AccountViewDto })
  async view(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<AccountView> {
    return this.portfolio.view(await this.accounts.findForCaller(caller, id));
  }

  @Get('transactions')
  @Operation('The account’s statement, newest first', { 404: ['NOT_FOUND'] })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'string', pattern: '^[0-9]{1,4}$', example: '100' }, description: 'Lines, 1 to 1000 (default 100)' })
  @ApiOkResponse({ type: [StatementLineView], description: 'Ledger-backed, with one interest line per day, asset and kind' })
  async transactions(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query('limit') limit?: string): Promise<StatementLine[]> {
    return this.statements.transactions((await this.accounts.findForCaller(caller, id)).id, limit);
  }

  @Get('interest')
  @Operation('Interest earned and charged per day and asset', { 404: ['NOT_FOUND'] })
  @ApiQuery({ name: 'from', required: false, example: '2026-01-01' })
  @ApiQuery({ name: 'to', required: false, example: '2026-01-31' })
  @ApiOkResponse({ type: [InterestLineView], description: 'Per accrued day and asset, from and to inclusive' })
  async interest(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Query('from') from?: string,
    @Query('to') to?: string,
  ): Promise<InterestLine[]> {
    return this.statements.interest((await this.accounts.findForCaller(caller, id)).id, from, to);
  }

  @Get('history')
  @Operation('The account at 00:00 UTC of each day: tier, holdings, values, LTV, levels, status', { 404: ['NOT_FOUND'] })
  @ApiQuery({ name: 'from', required: true, example: '2026-01-01' })
  @ApiQuery({ name: 'to', required: true, example: '2026-01-31', description: `Inclusive; at most ${MAX_HISTORY_DAYS} days from \`from\`` })
  @ApiOkResponse({
    type: [AccountDayViewDto],
    description:
      'One row per day whose 00:00 has passed (previous day accrued): the account as GET /v1/accounts/:id showed it at that instant, once its work (close, tier changes, risk sweep) was done. Holdings and prices as of that instant; risk levels are the markets’ current ones',
  })
  async history(@CurrentCaller() caller: Caller, @Param('id') id: string, @Query('from') from?: string, @Query('to') to?: string): Promise<AccountDayView[]> {
    return this.accountHistory.history((await this.accounts.findForCaller(caller, id)).id, from, to);
  }

  @Get('notifications')
  @Operation('The account’s notices, oldest first', { 404: ['NOT_FOUND'] })
  @ApiOkResponse({ type: [NotificationViewDto] })
  async notificationsOf(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<NotificationView[]> {
    return this.notifications.list((await this.accounts.findForCaller(caller, id)).id);
  }
}
