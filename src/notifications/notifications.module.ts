import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module.js';
import { NotificationsService } from './notifications.service.js';

@Module({ imports: [ClockModule], providers: [NotificationsService], exports: [NotificationsService] })
export class NotificationsModule {}
