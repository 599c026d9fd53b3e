import { Operation } from '../common/http/api-docs.js';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { ScenariosService } from './scenarios.service.js';

export class ScenarioFilesView {
  @ApiProperty({ description: 'result.json: the figures' }) json: string;
  @ApiProperty({ description: 'report.html: the charts' }) html: string;
  @ApiProperty({ description: 'summary.txt: the table' }) summary: string;
}

export class ScenarioComparisonView {
  @ApiProperty({ type: ScenarioFilesView, description: 'comparison.json, comparison.html (charts with a line per preset, the table) and comparison.txt' }) files: ScenarioFilesView;
  @ApiProperty({ description: 'The comparison in plain words, as the CLI prints it' }) summary: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The figures of comparison.json: every preset\u2019s run and the summary' }) result: Record<string, unknown>;
}

export class ScenarioRunView {
  @ApiProperty({ description: 'Every expectation held and no step failed unexpectedly' }) passed: boolean;
  @ApiProperty({ type: ScenarioFilesView, description: 'Where the results were written, under scenario-results/' }) files: ScenarioFilesView;
  @ApiProperty({ description: 'The table per day, as the CLI prints it' }) summary: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The figures of result.json' }) result: Record<string, unknown>;
  @ApiPropertyOptional({ type: ScenarioComparisonView, description: 'When the scenario names several presets: the same story under each, compared (result, files and summary above are the first preset\u2019s)' })
  comparison?: ScenarioComparisonView;
}

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
  @Operation('Play a scenario into data of its own and report', { 422: ['INVALID_SCENARIO'] })
  @ApiOkResponse({ type: ScenarioRunView, description: 'When the story is over; 422 INVALID_SCENARIO lists details.problems' })
  run(@Body() body: RunScenarioDto) {
    return this.scenarios.run(body.yaml);
  }
}
