import { Module } from '@nestjs/common';
import { ClockController } from './clock.controller.js';
import { ClockService } from './clock.service.js';
import { DayStartHooks } from './day-start.hooks.js';

@Module({
  controllers: [ClockController],
  providers: [ClockService, DayStartHooks],
  exports: [ClockService, DayStartHooks],
})
export class ClockModule {}
