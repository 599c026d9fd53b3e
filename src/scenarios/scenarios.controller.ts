import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { ScenariosService } from './scenarios.service.js';

export class RunScenarioDto {
  @ApiProperty({ description: 'The scenario file itself (YAML, as in scenarios/ and the README)' })
  @IsString()
  @MaxLength(200_000)
  yaml: string;
}

@ApiTags('scenarios')
@Controller('v1/scenarios')
export class ScenariosController {
  constructor(private readonly scenarios: ScenariosService) {}

  /** Plays a scenario into data of its own and answers when it is over (a year takes about a minute). */
  @Post()
  @AdminOnly()
  @HttpCode(200)
  @ApiOkResponse({ description: '{ passed, files: { json, html, summary }, summary, result }; 422 INVALID_SCENARIO with details.problems' })
  run(@Body() body: RunScenarioDto) {
    return this.scenarios.run(body.yaml);
  }
}
