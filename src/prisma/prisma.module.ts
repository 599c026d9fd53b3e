import { Global, Module } from '@nestjs/common';
import { PrismaService } from './prisma.service.js';

// Global on purpose: infrastructure, not a domain concept. Every module reads and writes the database
// through it; listing it in each `imports:` would say nothing about what a module needs.
@Global()
@Module({ providers: [PrismaService], exports: [PrismaService] })
export class PrismaModule {}
