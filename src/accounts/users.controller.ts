import { Operation } from '../common/http/api-docs.js';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { notFound } from '../common/errors/domain-error.js';
import { CreateUserDto, CreatedUserView, SetKycDto, UserView } from './accounts.dto.js';
import { UsersService } from './users.service.js';

const uuidOr404 = new ParseUUIDPipe({ exceptionFactory: () => notFound('User') });

@ApiTags('users')
@Controller('v1/users')
@AdminOnly()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Operation('Create a user with a main account and an API key')
  @ApiCreatedResponse({ type: CreatedUserView })
  create(@Body() body: CreateUserDto): Promise<CreatedUserView> {
    return this.users.create(body.name, body.kycStatus);
  }

  @Get(':id')
  @Operation('A user and its accounts', { 404: ['NOT_FOUND'] })
  @ApiOkResponse({ type: UserView })
  get(@Param('id', uuidOr404) id: string): Promise<UserView> {
    return this.users.get(id);
  }

  @Put(':id/kyc')
  @Operation('Set a user’s KYC status', { 404: ['NOT_FOUND'] })
  @ApiOkResponse({ type: UserView })
  setKyc(@Param('id', uuidOr404) id: string, @Body() body: SetKycDto): Promise<UserView> {
    return this.users.setKyc(id, body.status);
  }
}
