import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module.js';
import { IdempotencyModule } from '../common/idempotency/idempotency.module.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsService } from './accounts.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [ClockModule, IdempotencyModule],
  controllers: [UsersController, AccountsController],
  providers: [UsersService, AccountsService],
  exports: [UsersService, AccountsService],
})
export class AccountsModule {}
