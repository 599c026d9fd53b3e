import { Global, Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller.js';
import { AccountsService } from './accounts.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Global()
@Module({
  controllers: [UsersController, AccountsController],
  providers: [UsersService, AccountsService],
  exports: [UsersService, AccountsService],
})
export class AccountsModule {}
